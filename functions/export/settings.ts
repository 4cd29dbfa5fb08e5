/**
 * The export's settings as the Lambda and the CLI read them: one reader for both, flags (CLI only) winning over
 * environment variables, every value checked by its validator in functions/contract/settings.ts and every default
 * taken from there. A refused value is a {@link ConfigError} naming the flag or variable.
 */
import { daySetting, timeZoneSetting, type CalendarDay, type TimeZone } from '../contract/calendar.js';
import {
  apiEndpointSetting,
  bucketSetting,
  concurrencySetting,
  DEFAULTS,
  EXPORT_ENV,
  lookbackDaysSetting,
  prefixSetting,
  signatureVariantSetting,
  stateMachineArnSetting,
  type SignatureVariant,
} from '../contract/settings.js';
import { REPORTS, reportsSetting, type ReportDefinition } from '../contract/reports.js';
import { KEEP_ALL, personalDataSetting, type PersonalDataPolicy } from '../contract/personal-data.js';
import { ConfigError, rethrowAs } from './core/errors.js';

/** The environment as `process.env` gives it; passed in, never read at import time. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** Settings of the Diyalog side, shared by the Lambda and the CLI. */
export interface ApiConfig {
  readonly endpoint: string;
  readonly signatureVariant: SignatureVariant;
  readonly concurrency: number;
  readonly timeZone: TimeZone;
  /** The reports exported when a request names none. @default every report */
  readonly reports: readonly ReportDefinition[];
  /** What is done with personal columns. @default every value kept */
  readonly personalData: PersonalDataPolicy;
  /**
   * The Secrets Manager secret of the pseudonym key, if set; read only when `personalData` pseudonymizes.
   * @default - none
   */
  readonly pseudonymKeySecretId?: string;
}

/** The Lambda's configuration, from its environment. */
export interface LambdaConfig extends ApiConfig {
  readonly secretId: string;
  readonly bucket: string;
  /** The export root inside the bucket, without leading or trailing `/`; empty for the bucket's root. */
  readonly prefix: string;
  /** Days before yesterday that a scheduled run exports again, to catch late state changes. */
  readonly lookbackDays: number;
  /** The first day of Athena's partition projection: earlier days are refused. @default - no first day */
  readonly firstDay?: CalendarDay;
  /** A custom S3-compatible endpoint (`AWS_ENDPOINT_URL_S3`), if any. */
  readonly s3Endpoint?: string;
  /** The backfill state machine, named when an event asks for more days than one run exports; if deployed. */
  readonly backfillStateMachineArn?: string;
}

type SettingName = keyof typeof EXPORT_ENV;

/** The CLI flags that stand for an environment variable; a flag given wins over its variable. */
export const SETTING_FLAGS: Readonly<Partial<Record<SettingName, string>>> = Object.freeze({
  endpoint: '--endpoint',
  concurrency: '--concurrency',
  timeZone: '--timezone',
  reports: '--reports',
  personalData: '--personal-data',
  pseudonymKeySecretId: '--pseudonym-key-secret-id',
});

type FlagValues = Readonly<Partial<Record<SettingName, string | undefined>>>;

/** Where settings are read from: CLI flags (none for the Lambda) and the environment. */
export interface SettingSources {
  readonly flags?: FlagValues;
  readonly env: Environment;
}

/** One setting's text, trimmed, and the flag or variable it came from; undefined when unset or blank. */
function settingText(
  { flags = {}, env }: SettingSources,
  name: SettingName,
): { readonly text: string; readonly setting: string } | undefined {
  const flag = SETTING_FLAGS[name];
  const flagValue = flags[name];
  if (flag !== undefined && flagValue !== undefined) return { text: flagValue.trim(), setting: flag };
  const envValue = env[EXPORT_ENV[name]]?.trim();
  return envValue ? { text: envValue, setting: EXPORT_ENV[name] } : undefined;
}

/** Reads one optional setting with its validator, or gives `fallback` when it is unset. */
function optionalSetting<T>(
  sources: SettingSources,
  name: SettingName,
  validate: (text: string, setting: string) => T,
  fallback: T,
): T {
  const found = settingText(sources, name);
  if (found === undefined || found.text === '') return fallback;
  return rethrowAs(found.setting, () => validate(found.text, found.setting));
}

/**
 * The Diyalog endpoint, or undefined when neither the flag nor the variable gives one (a blank value counts as
 * none): the Lambda then refuses to start, and the CLI refuses unless `--demo` asks for the simulator.
 */
export function endpointFrom(sources: SettingSources): string | undefined {
  const found = settingText(sources, 'endpoint');
  if (found === undefined || found.text === '') return undefined;
  return rethrowAs(found.setting, () => apiEndpointSetting(found.text, found.setting));
}

/** The settings of the Diyalog side but the endpoint, read alike by the Lambda and the CLI. */
export function apiSettingsFrom(sources: SettingSources): Omit<ApiConfig, 'endpoint'> {
  const keySecretId = settingText(sources, 'pseudonymKeySecretId')?.text;
  return {
    signatureVariant: optionalSetting(sources, 'signatureVariant', signatureVariantSetting, DEFAULTS.signatureVariant),
    concurrency: optionalSetting(sources, 'concurrency', concurrencySetting, DEFAULTS.concurrency),
    timeZone: optionalSetting(sources, 'timeZone', timeZoneSetting, DEFAULTS.timeZone),
    reports: optionalSetting(sources, 'reports', reportsSetting, REPORTS),
    personalData: optionalSetting(sources, 'personalData', personalDataSetting, KEEP_ALL),
    ...(keySecretId ? { pseudonymKeySecretId: keySecretId } : {}),
  };
}

/**
 * Parses and validates the Lambda environment once. Every error names the variable and says what is expected.
 */
export function lambdaConfigFromEnv(env: Environment): LambdaConfig {
  const sources = { env };
  const s3Endpoint = s3EndpointFromEnv(env);
  const firstDay = optionalSetting<CalendarDay | undefined>(sources, 'firstDay', daySetting, undefined);
  const backfillStateMachineArn = optionalSetting<string | undefined>(
    sources,
    'backfillStateMachineArn',
    stateMachineArnSetting,
    undefined,
  );
  return Object.freeze({
    endpoint: endpointFrom(sources) ?? notSet(EXPORT_ENV.endpoint),
    ...apiSettingsFrom(sources),
    secretId: required(env, EXPORT_ENV.secretId),
    bucket: rethrowAs(EXPORT_ENV.bucket, () => bucketSetting(required(env, EXPORT_ENV.bucket), EXPORT_ENV.bucket)),
    prefix: optionalSetting(sources, 'prefix', prefixSetting, ''),
    lookbackDays: optionalSetting(sources, 'lookbackDays', lookbackDaysSetting, DEFAULTS.lookbackDays),
    ...(firstDay ? { firstDay } : {}),
    ...(s3Endpoint ? { s3Endpoint } : {}),
    ...(backfillStateMachineArn ? { backfillStateMachineArn } : {}),
  });
}

function required(env: Environment, name: string): string {
  return env[name]?.trim() || notSet(name);
}

function notSet(name: string): never {
  throw new ConfigError(name, 'is not set');
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
