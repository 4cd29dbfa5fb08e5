import type { Node } from 'constructs';
import { backfillChunkDaysSetting } from '../functions/contract/backfill.js';
import { daySetting, timeZoneSetting, type CalendarDay, type TimeZone } from '../functions/contract/calendar.js';
import { SettingError } from '../functions/contract/errors.js';
import { personalDataSetting, type PersonalDataPolicy } from '../functions/contract/personal-data.js';
import {
  REPORT_NAMES,
  REPORTS,
  isNameList,
  reportsNamed,
  reportsSetting,
  type ReportDefinition,
} from '../functions/contract/reports.js';
import {
  apiEndpointSetting,
  bucketSetting,
  concurrencySetting,
  lookbackDaysSetting,
  prefixSetting,
  signatureVariantSetting,
  wholeNumberSetting,
  type SignatureVariant,
} from '../functions/contract/settings.js';
import { FUNCTION_DEFAULTS } from './constructs/export-function.js';

/**
 * The deployment's settings, read once from CDK context (`cdk.json`, overridden with `-c key=value`) and
 * validated before any construct exists. Keys with a default have it in `cdk.json`; the others are optional.
 * Settings the Lambda reads too are checked by the runtime's own validators (functions/contract/settings.ts);
 * this file keeps only what is CDK's alone.
 */
export interface ExportSettings {
  /** Base URL of the Diyalog installation (context `apiEndpoint`); https only. */
  readonly apiEndpoint: string;
  /** Whether {@link apiEndpoint} is a reserved example host, which the deploy-time guard refuses. */
  readonly apiEndpointIsPlaceholder: boolean;
  /** Where the API keys live (context `secretName`): a secret the stack creates, or an existing one. */
  readonly secret: SecretSource;
  /** The data lake bucket (context `bucketName`): one the stack creates, or an existing one. */
  readonly bucket: BucketSource;
  /** Export root inside the bucket (context `prefix`), without leading or trailing `/`. */
  readonly prefix: string;
  /** IANA zone whose calendar days are exported and in which the schedule runs (context `timezone`). */
  readonly timeZone: TimeZone;
  /** EventBridge Scheduler cron expression in {@link timeZone} (context `scheduleCron`). */
  readonly scheduleCron: string;
  /** Days before yesterday that each nightly run exports again (context `lookbackDays`). */
  readonly lookbackDays: number;
  /** First day Athena's partition projection covers, `YYYY-MM-DD` (context `projectionStartDate`). */
  readonly projectionStartDate: CalendarDay;
  /** Name of the Glue database and of the Athena workgroup (context `databaseName`). */
  readonly databaseName: string;
  /**
   * The reports exported, each a table (context `reports`, the Lambda's `EXPORT_REPORTS`), in the contract's
   * order. @default every report
   */
  readonly reports: readonly ReportDefinition[];
  /**
   * What the export does with personal columns (context `personalData`, the Lambda's `EXPORT_PERSONAL_DATA`), e.g.
   * `pseudonymize,agent_id=keep`. @default keep every column as received
   */
  readonly personalData: PersonalDataPolicy;
  /**
   * Where the pseudonym key lives (context `pseudonymKeySecretName`): a secret the stack creates, or an existing
   * one; set exactly when {@link personalData} pseudonymizes.
   */
  readonly pseudonymKeySecret?: PseudonymKeySecretSource;
  /** Address that alarm notifications are mailed to (context `alarmEmail`). @default - no subscription */
  readonly alarmEmail?: string;
  /** String-to-sign variant (context `signatureVariant`). @default - the Lambda's default */
  readonly signatureVariant?: SignatureVariant;
  /** Parts of a day paged at once (context `concurrency`). @default - the Lambda's default */
  readonly concurrency?: number;
  /** Days of one chunk of the backfill state machine, one export invocation (context `backfillChunkDays`). */
  readonly backfillChunkDays: number;
  /** Chunks the backfill state machine exports at once (context `backfillConcurrency`). */
  readonly backfillConcurrency: number;
  /** Whether the backfill state machine sends traces to X-Ray (context `backfillTracing`). */
  readonly backfillTracing: boolean;
}

/** The credentials secret: created by the stack, or imported by name or by complete ARN. */
export type SecretSource =
  | { readonly kind: 'create' }
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'arn'; readonly arn: string };

/** The pseudonym key's secret: created by the stack, or imported by name. */
export type PseudonymKeySecretSource = { readonly kind: 'create' } | { readonly kind: 'name'; readonly name: string };

/** The data lake bucket: created by the stack, or imported by name. */
export type BucketSource = { readonly kind: 'create' } | { readonly kind: 'import'; readonly name: string };

/** A context value is missing or invalid; {@link key} names it. */
export class ContextError extends Error {
  override name = 'ContextError';

  /** The context key at fault, e.g. `timezone`. */
  readonly key: string;

  constructor(key: string, problem: string, options?: ErrorOptions) {
    super(`CDK context "${key}": ${problem}`, options);
    this.key = key;
  }
}

/**
 * Reads and validates every setting from CDK context.
 *
 * @throws {@link ContextError} naming the first key that is missing or invalid.
 */
export function settingsFromContext(node: Node): ExportSettings {
  const read = (key: string): string | undefined => contextText(node.tryGetContext(key), key);
  const need = (key: string): string => {
    const value = read(key);
    if (value === undefined) {
      throw new ContextError(key, `is not set; restore its default in cdk.json or pass -c ${key}=…`);
    }
    return value;
  };

  const apiEndpoint = shared('apiEndpoint', need('apiEndpoint'), apiEndpointSetting);
  const alarmEmail = optional(read('alarmEmail'), email);
  const signatureVariant = optional(read('signatureVariant'), (value) =>
    shared('signatureVariant', value, signatureVariantSetting),
  );
  const concurrency = optional(read('concurrency'), (value) => shared('concurrency', value, concurrencySetting));
  // A list in cdk.json; `-c reports=…` gives a string, which `read` takes.
  const reports: unknown = node.tryGetContext('reports');
  // Not set, the contract's default: every personal column kept, as the Lambda does without EXPORT_PERSONAL_DATA.
  const personalData = shared('personalData', read('personalData') ?? '', personalDataSetting);
  const pseudonymKeySecret = pseudonymKeySecretSource(personalData, read('pseudonymKeySecretName'));
  return Object.freeze({
    apiEndpoint,
    apiEndpointIsPlaceholder: isPlaceholderEndpoint(apiEndpoint),
    secret: secretSource(read('secretName')),
    bucket: bucketSource(read('bucketName')),
    prefix: prefix(need('prefix')),
    timeZone: shared('timezone', need('timezone'), timeZoneSetting),
    scheduleCron: cron(need('scheduleCron')),
    lookbackDays: shared('lookbackDays', need('lookbackDays'), lookbackDaysSetting),
    projectionStartDate: shared('projectionStartDate', need('projectionStartDate'), daySetting),
    databaseName: databaseName(need('databaseName')),
    reports: Array.isArray(reports) ? reportList(reports) : reportsText(read('reports')),
    personalData,
    backfillChunkDays: shared('backfillChunkDays', need('backfillChunkDays'), backfillChunkDaysSetting),
    backfillConcurrency: backfillConcurrency(need('backfillConcurrency')),
    backfillTracing: flag('backfillTracing', need('backfillTracing')),
    ...(alarmEmail === undefined ? {} : { alarmEmail }),
    ...(signatureVariant === undefined ? {} : { signatureVariant }),
    ...(concurrency === undefined ? {} : { concurrency }),
    ...(pseudonymKeySecret === undefined ? {} : { pseudonymKeySecret }),
  });
}

/**
 * Whether an endpoint's host is reserved for documentation or testing (RFC 2606, RFC 6761): `example.com`,
 * `example.net`, `example.org` and their subdomains, and the `.example`, `.test`, `.invalid` and `.localhost`
 * top-level domains. Such a host cannot be a real Diyalog installation.
 */
export function isPlaceholderEndpoint(url: string): boolean {
  const host = new URL(url).hostname.toLowerCase().replace(/\.$/, '');
  return /(^|\.)example\.(com|net|org)$/.test(host) || /(^|\.)(example|test|invalid|localhost)$/.test(host);
}

/** Context values come as JSON from cdk.json and as strings from `-c`; blank and `null` mean "not set". */
function contextText(value: unknown, key: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean') return String(value);
  if (typeof value !== 'string') throw new ContextError(key, `expected a string or a number, got ${typeof value}`);
  const text = value.trim();
  return text === '' ? undefined : text;
}

function optional<T>(value: string | undefined, parse: (value: string) => T): T | undefined {
  return value === undefined ? undefined : parse(value);
}

/** Runs a validator the runtime shares, so synth accepts exactly what the Lambda will accept. */
function shared<V, T>(key: string, value: V, validate: (value: V, setting: string) => T): T {
  try {
    return validate(value, key);
  } catch (error) {
    if (error instanceof SettingError) throw new ContextError(key, error.problem, { cause: error });
    throw error;
  }
}

/** The `reports` context as cdk.json lists it, e.g. `["online_help","calls"]`. */
function reportList(names: unknown[]): readonly ReportDefinition[] {
  if (!isNameList(names)) {
    throw new ContextError('reports', `expected a list of report names, e.g. ${JSON.stringify(REPORT_NAMES)}`);
  }
  return shared('reports', names, reportsNamed);
}

/** The `reports` context as `-c reports=online_help,calls` gives it: names separated by commas; not set, every report. */
function reportsText(text: string | undefined): readonly ReportDefinition[] {
  return text === undefined ? REPORTS : shared('reports', text, reportsSetting);
}

function secretSource(value: string | undefined): SecretSource {
  if (value === undefined) return { kind: 'create' };
  if (value.startsWith('arn:')) {
    // Only a complete ARN (with the 6-character suffix Secrets Manager appends) names exactly one secret.
    if (!/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+-[A-Za-z0-9]{6}$/.test(value)) {
      throw new ContextError('secretName', `"${value}" is not a complete secret ARN (…:secret:<name>-<6 characters>)`);
    }
    return { kind: 'arn', arn: value };
  }
  return { kind: 'name', name: secretName('secretName', value) };
}

/**
 * The pseudonym key's secret of a policy that pseudonymizes; none for another policy. A secret named for such a
 * policy is refused rather than ignored: it suggests that pseudonyms were meant where the policy keeps or drops
 * the values (and every synthesis warning fails synthesis here anyway).
 */
function pseudonymKeySecretSource(
  policy: PersonalDataPolicy,
  name: string | undefined,
): PseudonymKeySecretSource | undefined {
  if (!policy.usesPseudonyms) {
    if (name === undefined) return undefined;
    throw new ContextError(
      'pseudonymKeySecretName',
      `is set, but the personalData policy "${policy.text}" does not pseudonymize; remove it, or set a policy ` +
        'that pseudonymizes',
    );
  }
  return name === undefined ? { kind: 'create' } : { kind: 'name', name: secretName('pseudonymKeySecretName', name) };
}

function secretName(key: string, value: string): string {
  if (!/^[\w/+=.@-]{1,512}$/.test(value)) {
    throw new ContextError(key, `"${value}" is not a secret name (letters, digits and /_+=.@-)`);
  }
  return value;
}

function bucketSource(value: string | undefined): BucketSource {
  if (value === undefined) return { kind: 'create' };
  return { kind: 'import', name: shared('bucketName', value, bucketSetting) };
}

/** The runtime's prefix rules, and not empty: the function's IAM grants are scoped to `<prefix>/*`. */
function prefix(value: string): string {
  const checked = shared('prefix', value, prefixSetting);
  if (checked === '') {
    throw new ContextError('prefix', `"${value}" must be non-empty path segments; the stack grants access below it`);
  }
  return checked;
}

/**
 * An EventBridge Scheduler cron expression: `cron(minutes hours day-of-month month day-of-week year)`, where
 * exactly one of day-of-month and day-of-week is `?`.
 */
function cron(value: string): string {
  const fields = /^cron\(([^()]*)\)$/.exec(value)?.[1]?.split(' ');
  if (fields?.length !== 6 || fields.some((field) => !/^[\w*?,/#-]+$/.test(field))) {
    throw new ContextError('scheduleCron', `"${value}" is not cron(minutes hours day-of-month month day-of-week year)`);
  }
  if ((fields[2] === '?') === (fields[4] === '?')) {
    throw new ContextError('scheduleCron', `"${value}": exactly one of day-of-month and day-of-week must be "?"`);
  }
  return value;
}

/**
 * Chunks run on the export function, whose reserved concurrency keeps runs from overlapping: more chunks at once
 * than it allows would only be throttled (and retried), and would hold every slot the nightly run needs.
 */
function backfillConcurrency(value: string): number {
  const slots = FUNCTION_DEFAULTS.reservedConcurrentExecutions;
  try {
    return wholeNumberSetting(value, 'backfillConcurrency', 1, slots);
  } catch (error) {
    if (!(error instanceof SettingError)) throw error;
    throw new ContextError(
      'backfillConcurrency',
      `${error.problem}: the export function's reserved concurrency is ${slots}, and a chunk is one invocation of it`,
      { cause: error },
    );
  }
}

function flag(key: string, value: string): boolean {
  if (value !== 'true' && value !== 'false') throw new ContextError(key, `"${value}" is not true or false`);
  return value === 'true';
}

function email(value: string): string {
  if (!/^[^\s@]+@[^\s@]+\.[^\s@.]+$/.test(value)) {
    throw new ContextError('alarmEmail', `"${value}" is not an e-mail address`);
  }
  return value;
}

/** Used as the Glue database and the Athena workgroup name, so it must suit both. */
function databaseName(value: string): string {
  if (!/^[a-z][a-z0-9_]{0,127}$/.test(value)) {
    throw new ContextError(
      'databaseName',
      `"${value}" must be lower-case letters, digits and _, starting with a letter`,
    );
  }
  return value;
}
