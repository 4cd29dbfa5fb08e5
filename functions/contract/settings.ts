/**
 * Every setting that synth (infra/) and the runtime (the Lambda and the CLI) both read: its environment variable,
 * its default, its limits and its one validator. Infra reports a validator's {@link SettingError} as a CDK context
 * error and the runtime as a configuration error, so that synth accepts exactly what the Lambda will accept.
 */
import { parseTimeZone } from './calendar.js';
import { SettingError } from './errors.js';

/** The Lambda's environment variables; infra sets them, the runtime reads them (the CLI too, where noted). */
export const EXPORT_ENV = Object.freeze({
  /** Base URL of the Diyalog installation (CLI: else `--endpoint`). */
  endpoint: 'DIYALOG_API_ENDPOINT',
  /** Secrets Manager secret holding the API keys. */
  secretId: 'DIYALOG_SECRET_ID',
  /** String-to-sign variant (CLI too). */
  signatureVariant: 'DIYALOG_SIGNATURE_VARIANT',
  /** Sub-windows of a day paged at once (CLI: else `--concurrency`). */
  concurrency: 'DIYALOG_CONCURRENCY',
  /** IANA zone of the exported calendar days (CLI: else `--timezone`). */
  timeZone: 'EXPORT_TIMEZONE',
  bucket: 'EXPORT_BUCKET',
  prefix: 'EXPORT_PREFIX',
  /** Days before yesterday that a scheduled run exports again. */
  lookbackDays: 'EXPORT_LOOKBACK_DAYS',
  /** First day of Athena's partition projection (infra: CDK context `projectionStartDate`); earlier days are refused. */
  firstDay: 'EXPORT_FIRST_DAY',
  /** ARN of the backfill state machine, which the refusal of a range longer than one run names. */
  backfillStateMachineArn: 'EXPORT_BACKFILL_STATE_MACHINE_ARN',
  /** The reports exported, comma-separated (CLI: else `--reports`; infra: CDK context `reports`); default all. */
  reports: 'EXPORT_REPORTS',
  /**
   * The personal-data policy, e.g. `pseudonymize,agent_id=keep` (CLI: else `--personal-data`; infra: CDK context
   * `personalData`); default keep.
   */
  personalData: 'EXPORT_PERSONAL_DATA',
  /** Secrets Manager secret holding the pseudonym key, read only when the policy pseudonymizes (CLI too). */
  pseudonymKeySecretId: 'EXPORT_PSEUDONYM_KEY_SECRET_ID',
  /** The pseudonym key itself, for the CLI only (the Lambda reads it from its secret). */
  pseudonymKey: 'EXPORT_PSEUDONYM_KEY',
});

/** The value of each optional setting when it is not set. */
export const DEFAULTS = Object.freeze({
  timeZone: parseTimeZone('Europe/Istanbul'),
  /** A politeness cap towards the Diyalog server. */
  concurrency: 4,
  lookbackDays: 1,
  signatureVariant: 'newline' satisfies SignatureVariant,
});

export const LIMITS = Object.freeze({
  maxConcurrency: 16,
  /** The longest `from`/`to` range one run exports. */
  maxRangeDays: 31,
});

/**
 * How the body and the resource are joined in the string to sign. Diyalog's pseudo-code omits the newline that
 * its prose and worked example put there (spec §3.1); only a real server can tell which one it checks.
 */
export type SignatureVariant = 'newline' | 'concat';

export const SIGNATURE_VARIANTS: readonly SignatureVariant[] = ['newline', 'concat'];

/** A whole number from `min` to `max`, written in decimal digits only. */
export function wholeNumberSetting(text: string, setting: string, min: number, max: number): number {
  const trimmed = text.trim();
  const value = /^\d+$/.test(trimmed) ? Number(trimmed) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new SettingError(setting, `"${text}" is not a whole number from ${min} to ${max}`);
  }
  return value;
}

export function concurrencySetting(text: string, setting: string): number {
  return wholeNumberSetting(text, setting, 1, LIMITS.maxConcurrency);
}

/** At most one day fewer than a run may export, so that yesterday and its lookback fit one run. */
export function lookbackDaysSetting(text: string, setting: string): number {
  return wholeNumberSetting(text, setting, 0, LIMITS.maxRangeDays - 1);
}

export function signatureVariantSetting(text: string, setting: string): SignatureVariant {
  const variant = SIGNATURE_VARIANTS.find((candidate) => candidate === text.trim());
  if (!variant) throw new SettingError(setting, `"${text}" is not one of ${SIGNATURE_VARIANTS.join(', ')}`);
  return variant;
}

/** A Step Functions state machine ARN: `arn:<partition>:states:<region>:<account>:stateMachine:<name>`. */
export function stateMachineArnSetting(text: string, setting: string): string {
  const value = text.trim();
  if (!/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[\w-]{1,80}$/.test(value)) {
    throw new SettingError(
      setting,
      `"${text}" is not a state machine ARN (arn:aws:states:<region>:<account>:stateMachine:<name>)`,
    );
  }
  return value;
}

/**
 * An S3 bucket name as AWS allows it for general purpose buckets: 3–63 lower-case letters, digits, `.` and `-`,
 * starting and ending with a letter or digit, no `..`, not an IP address, no reserved prefix or suffix.
 */
export function bucketSetting(text: string, setting: string): string {
  const value = text.trim();
  const forbidden =
    value.includes('..') ||
    /^\d+\.\d+\.\d+\.\d+$/.test(value) ||
    value.startsWith('xn--') ||
    value.endsWith('-s3alias');
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(value) || forbidden) {
    throw new SettingError(setting, `"${text}" is not a valid S3 bucket name`);
  }
  return value;
}

/**
 * An export root's key prefix inside its bucket, without leading or trailing `/` (empty for the bucket's root).
 * Segments are letters, digits and `._-`: stricter than S3 keys need, because the prefix appears in IAM resource
 * ARNs, where `*` and `?` are wildcards; empty, `.` and `..` segments are refused.
 */
export function prefixSetting(text: string, setting: string): string {
  const prefix = text.trim().replace(/^\/+|\/+$/g, '');
  if (prefix === '') return '';
  if (prefix.split('/').some((segment) => !/^[\w.-]+$/.test(segment) || segment === '.' || segment === '..')) {
    throw new SettingError(
      setting,
      `"${text}" must be path segments of letters, digits and ._- (no empty, "." or ".." path segment)`,
    );
  }
  return prefix;
}

/**
 * The base URL of a Diyalog installation, trimmed; it may carry a path prefix (a reverse proxy's mount point).
 * TLS is mandatory: plain `http://` is accepted only for loopback hosts (the simulator, an SSH tunnel).
 */
export function apiEndpointSetting(text: string, setting: string): string {
  const value = text.trim();
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new SettingError(setting, `"${text}" is not a URL; expected e.g. https://diyalog.example.com`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new SettingError(setting, `unsupported scheme "${url.protocol}"; use https://`);
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new SettingError(setting, 'must not contain credentials, a query string or a fragment');
  }
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    throw new SettingError(
      setting,
      `plain http:// is refused for ${url.hostname}, as the request carries signed credentials and customer data; ` +
        'it must use https:// (plain http:// is accepted only for loopback hosts)',
    );
  }
  return value;
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}
