import { parseArgs } from 'node:util';
import { parseDay, type CalendarDay, type TimeZone } from '../../contract/calendar.js';
import { BACKFILL_LIMITS } from '../../contract/backfill.js';
import { bucketSetting, EXPORT_ENV, prefixSetting } from '../../contract/settings.js';
import type { ExportRoot } from '../compose.js';
import { daysInRange, previousDay, refuseDaysNotOver } from '../core/days.js';
import { ConfigError, rethrowAs } from '../core/errors.js';
import type { ExportRequest } from '../core/run.js';
import { apiSettingsFrom, endpointFrom, type ApiConfig, type Environment } from '../settings.js';

/** What the command line asks for, validated; anything invalid was a {@link ConfigError} (exit status 2). */
export interface CliOptions {
  readonly request: ExportRequest;
  readonly root: ExportRoot;
  /** The Diyalog side; `endpoint` is empty for `--demo`, whose simulator's URL is known only once it runs. */
  readonly api: ApiConfig;
  readonly demo: boolean;
  readonly secretId?: string;
  /**
   * The pseudonym key's text from `EXPORT_PSEUDONYM_KEY`, unless `--pseudonym-key-secret-id` names a secret: the
   * flag wins, then this variable, then `EXPORT_PSEUDONYM_KEY_SECRET_ID`.
   */
  readonly pseudonymKeyText?: string;
}

/** What a command line that exports nothing asks for. */
export type CliCommand = CliOptions | 'help' | 'version';

const OPTIONS = {
  date: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  out: { type: 'string', default: './exports' },
  endpoint: { type: 'string' },
  demo: { type: 'boolean', default: false },
  timezone: { type: 'string' },
  'secret-id': { type: 'string' },
  concurrency: { type: 'string' },
  reports: { type: 'string' },
  'personal-data': { type: 'string' },
  'pseudonym-key-secret-id': { type: 'string' },
  'skip-existing': { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', default: false },
} as const;

/** The flags that choose report-days: a re-run command replaces them. */
export const DAY_FLAGS: readonly string[] = ['--date', '--from', '--to', '--reports'];

/** The flag that resumes an export: days that landed before are left out. */
export const SKIP_EXISTING_FLAG = '--skip-existing';

/**
 * Reads the command line and the environment into what to export, refusing ambiguity before any work: demo data
 * only with `--demo` and only into a local folder, one reading of the export root, days that exist and are over.
 *
 * @throws {@link ConfigError} naming the flag or variable at fault
 */
export function parseCli(argv: readonly string[], env: Environment, now: number): CliCommand {
  let values;
  try {
    ({ values } = parseArgs({ args: [...argv], strict: true, allowPositionals: false, options: OPTIONS }));
  } catch (error) {
    throw new ConfigError('arguments', error instanceof Error ? error.message : String(error), { cause: error });
  }
  if (values.help) return 'help';
  if (values.version) return 'version';

  const sources = {
    flags: {
      endpoint: values.endpoint,
      concurrency: values.concurrency,
      timeZone: values.timezone,
      reports: values.reports,
      personalData: values['personal-data'],
      pseudonymKeySecretId: values['pseudonym-key-secret-id'],
    },
    env,
  };
  const settings = apiSettingsFrom(sources);
  const root = parseExportRoot(values.out, '--out');
  const secretId = values['secret-id']?.trim();
  if (values['secret-id'] !== undefined && !secretId) throw new ConfigError('--secret-id', 'is empty');
  const days = requestedDays(values, settings.timeZone, now);
  const keyText = values['pseudonym-key-secret-id'] === undefined ? env[EXPORT_ENV.pseudonymKey] : undefined;
  const common = {
    request: { days, reports: settings.reports, skipExisting: values['skip-existing'] },
    root,
    ...(keyText !== undefined && keyText.trim() !== '' ? { pseudonymKeyText: keyText } : {}),
  };

  if (values.demo) {
    refuseWithDemo(values.endpoint !== undefined ? '--endpoint' : undefined, 'demo data comes from the simulator');
    refuseWithDemo(secretId ? '--secret-id' : undefined, 'the simulator has its own keys');
    refuseWithDemo(root.kind === 's3' ? '--out s3://…' : undefined, 'demo data goes to local folders only');
    return { ...common, api: { endpoint: '', ...settings }, demo: true };
  }
  const endpoint = endpointFrom(sources);
  if (endpoint === undefined) {
    throw new ConfigError(
      'no Diyalog endpoint',
      'give --endpoint URL or DIYALOG_API_ENDPOINT, or --demo for demo data',
    );
  }
  return { ...common, api: { endpoint, ...settings }, demo: false, ...(secretId ? { secretId } : {}) };
}

function refuseWithDemo(flag: string | undefined, why: string): void {
  if (flag !== undefined) throw new ConfigError('--demo', `cannot be combined with ${flag}: ${why}`);
}

/**
 * Reads an export root: `s3://bucket[/prefix]` (the scheme in any case, bucket and prefix checked like the
 * Lambda's EXPORT_BUCKET and EXPORT_PREFIX), or a folder path. Any other `scheme:` is refused rather than taken
 * for a folder name, so that `S3:/bucket` or `s3bucket:x` cannot put personal data in a local folder by mistake.
 */
export function parseExportRoot(text: string, setting: string): ExportRoot {
  if (text.trim() === '') throw new ConfigError(setting, 'is empty; give a folder or s3://bucket/prefix');
  const s3 = /^s3:\/\/([^/]*)\/?(.*)$/i.exec(text);
  if (s3) {
    const [, bucket = '', prefix = ''] = s3;
    if (bucket === '') throw new ConfigError(setting, `"${text}" has no bucket; expected s3://bucket/prefix`);
    return rethrowAs(setting, () => ({
      kind: 's3',
      bucket: bucketSetting(bucket, setting),
      prefix: prefixSetting(prefix, setting),
    }));
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(text)?.[1];
  if (scheme !== undefined) {
    throw new ConfigError(
      setting,
      `"${text}" starts with "${scheme}:", which is no export root; give a folder path or s3://bucket/prefix`,
    );
  }
  return { kind: 'local', directory: text };
}

function requestedDays(
  values: { date?: string | undefined; from?: string | undefined; to?: string | undefined },
  zone: TimeZone,
  now: number,
): CalendarDay[] {
  if (values.date !== undefined) {
    if (values.from !== undefined || values.to !== undefined) {
      throw new ConfigError('--date', 'cannot be combined with --from/--to');
    }
    const day = rethrowAs('--date', () => parseDay(values.date));
    refuseDaysNotOver([day], zone, now, '--date');
    return [day];
  }
  if (values.from !== undefined || values.to !== undefined) {
    if (values.from === undefined || values.to === undefined) {
      throw new ConfigError(values.from === undefined ? '--from' : '--to', 'is missing; --from and --to go together');
    }
    const from = rethrowAs('--from', () => parseDay(values.from));
    const to = rethrowAs('--to', () => parseDay(values.to));
    const days = rethrowAs('--from/--to', () => daysInRange(from, to, { maxDays: BACKFILL_LIMITS.maxDays }));
    refuseDaysNotOver(days, zone, now, '--from/--to');
    // Newest first, as the Lambda's nightly run and the backfill state machine go: recent days land soonest.
    return days.toReversed();
  }
  return [previousDay(now, zone)];
}
