import { reportUrl } from '../diyalog/endpoint.js';
import { SIGNATURE_VARIANTS, type SignatureVariant } from '../diyalog/sign.js';
import { DEFAULT_TIME_ZONE, parseTimeZone, type TimeZone } from './days.js';
import { ConfigError, ExportError } from './errors.js';

/** The environment as `process.env` gives it; passed in, never read at import time. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** Sub-windows of a day paged at once: a politeness cap towards the Diyalog server. */
export const DEFAULT_CONCURRENCY = 4;
export const MAX_CONCURRENCY = 16;
/** The longest `from`/`to` range one run exports. */
export const MAX_RANGE_DAYS = 31;

/** Settings of the Diyalog side, shared by the Lambda and the CLI. */
export interface ApiConfig {
  readonly endpoint: string;
  readonly signatureVariant: SignatureVariant;
  readonly concurrency: number;
  readonly timeZone: TimeZone;
}

/** The Lambda's configuration, from its environment. */
export interface LambdaConfig extends ApiConfig {
  readonly secretId: string;
  readonly bucket: string;
  /** The export root inside the bucket, without leading or trailing `/`; empty for the bucket's root. */
  readonly prefix: string;
  /** Days before yesterday that a scheduled run exports again, to catch late state changes. */
  readonly lookbackDays: number;
  /** A custom S3-compatible endpoint (`AWS_ENDPOINT_URL_S3`), if any. */
  readonly s3Endpoint?: string;
}

/**
 * Parses and validates the Lambda environment once. Every error names the variable and says what is expected.
 */
export function lambdaConfigFromEnv(env: Environment): LambdaConfig {
  const s3Endpoint = s3EndpointFromEnv(env);
  return Object.freeze({
    endpoint: endpointSetting(required(env, 'DIYALOG_API_ENDPOINT'), 'DIYALOG_API_ENDPOINT'),
    signatureVariant: signatureVariantFromEnv(env),
    concurrency: integerSetting(env, 'DIYALOG_CONCURRENCY', DEFAULT_CONCURRENCY, 1, MAX_CONCURRENCY),
    timeZone: timeZoneSetting(env['EXPORT_TIMEZONE'], 'EXPORT_TIMEZONE'),
    secretId: required(env, 'DIYALOG_SECRET_ID'),
    bucket: bucketSetting(required(env, 'EXPORT_BUCKET'), 'EXPORT_BUCKET'),
    prefix: prefixSetting(env['EXPORT_PREFIX'] ?? '', 'EXPORT_PREFIX'),
    lookbackDays: integerSetting(env, 'EXPORT_LOOKBACK_DAYS', 1, 0, MAX_RANGE_DAYS - 1),
    ...(s3Endpoint ? { s3Endpoint } : {}),
  });
}

export function required(env: Environment, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(name, 'is not set');
  return value;
}

export function signatureVariantFromEnv(env: Environment): SignatureVariant {
  const value = env['DIYALOG_SIGNATURE_VARIANT']?.trim();
  if (!value) return 'newline';
  const variant = SIGNATURE_VARIANTS.find((v) => v === value);
  if (!variant) {
    throw new ConfigError('DIYALOG_SIGNATURE_VARIANT', `"${value}" is not one of ${SIGNATURE_VARIANTS.join(', ')}`);
  }
  return variant;
}

/** `AWS_ENDPOINT_URL_S3`, else `AWS_ENDPOINT_URL`: the standard AWS SDK variables for a custom endpoint. */
export function s3EndpointFromEnv(env: Environment): string | undefined {
  for (const name of ['AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL']) {
    const value = env[name]?.trim();
    if (!value) continue;
    if (!/^https?:\/\/[^/]/.test(value) || !URL.canParse(value)) {
      throw new ConfigError(name, `"${value}" is not an http(s):// URL, e.g. http://127.0.0.1:9000`);
    }
    return value;
  }
  return undefined;
}

function integerSetting(env: Environment, name: string, fallback: number, min: number, max: number): number {
  const text = env[name]?.trim();
  if (!text) return fallback;
  return integerValue(text, name, min, max);
}

export function integerValue(text: string, setting: string, min: number, max: number): number {
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(setting, `"${text}" is not a whole number from ${min} to ${max}`);
  }
  return value;
}

export function endpointSetting(value: string, setting: string): string {
  reportUrl(value, setting);
  return value.trim();
}

export function timeZoneSetting(value: string | undefined, setting: string): TimeZone {
  const text = value?.trim();
  return text ? rethrowAs(setting, () => parseTimeZone(text)) : DEFAULT_TIME_ZONE;
}

function bucketSetting(value: string, setting: string): string {
  const forbidden =
    value.includes('..') ||
    /^\d+\.\d+\.\d+\.\d+$/.test(value) ||
    value.startsWith('xn--') ||
    value.endsWith('-s3alias');
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(value) || forbidden) {
    throw new ConfigError(setting, `"${value}" is not a valid S3 bucket name`);
  }
  return value;
}

/** A key prefix: slashes at either end are dropped; `.`/`..` segments and empty segments are refused. */
function prefixSetting(value: string, setting: string): string {
  const prefix = value.trim().replace(/^\/+|\/+$/g, '');
  if (prefix !== '' && prefix.split('/').some((segment) => segment === '' || segment === '.' || segment === '..')) {
    throw new ConfigError(setting, `"${value}" has an empty, "." or ".." path segment`);
  }
  return prefix;
}

/** Runs a parser whose errors are {@link ExportError}s and re-labels them as errors of `setting`. */
export function rethrowAs<T>(setting: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof ExportError && !(error instanceof ConfigError)) {
      throw new ConfigError(setting, error.message, { cause: error });
    }
    throw error;
  }
}
