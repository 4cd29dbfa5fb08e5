import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { startSimulator, demoDataset, type RunningSimulator } from '../demo/index.js';
import { createStore, exportContext, parseExportRoot, secretsManagerCredentials, type ExportRoot } from './compose.js';
import { DEFAULTS, LIMITS } from '../contract/settings.js';
import { apiSettingsFrom, endpointFrom, s3EndpointFromEnv, type ApiConfig, type Environment } from './settings.js';
import { dayWindow, daysInRange, previousDay } from './core/days.js';
import { parseDay, type CalendarDay, type TimeZone } from '../contract/calendar.js';
import { ConfigError, ExportError, rethrowAs } from './core/errors.js';
import { failureLine, newRunId, runExport, type DayResult, type ExportRequest } from './core/run.js';
import { staticCredentials, type CredentialsProvider } from './diyalog/credentials.js';
import { processIo, type LineIo } from '../shared/line-io.js';

export const USAGE = `Usage: diyalog-export [options]       (or: npm run export -- [options])

Exports Diyalog live-help sessions, one Parquet file per day, to <out>/online_help/dt=YYYY-MM-DD/.

Days (default: yesterday in the time zone):
  --date YYYY-MM-DD        export that day
  --from YYYY-MM-DD --to YYYY-MM-DD
                           export each day of the range, both inclusive (at most ${LIMITS.maxRangeDays} days)
Where to:
  --out DIR|s3://bucket/prefix
                           the export root (default ./exports); AWS_ENDPOINT_URL_S3 selects an
                           S3-compatible store
Source:
  --endpoint URL           Diyalog base URL (else DIYALOG_API_ENDPOINT); with neither, or with --demo,
                           the built-in simulator serves demo data
  --demo                   use the built-in simulator even if DIYALOG_API_ENDPOINT is set
  --secret-id ID           read the keys from this AWS Secrets Manager secret; otherwise from
                           DIYALOG_ACCESS_KEY_ID, DIYALOG_ACCESS_KEY_SECRET, DIYALOG_REQUESTER_USER_ID
  --timezone IANA          the zone whose calendar days are exported (default ${DEFAULTS.timeZone}; else
                           EXPORT_TIMEZONE)
  --concurrency N          parts of a day paged at once, 1-${LIMITS.maxConcurrency} (default ${DEFAULTS.concurrency}; else DIYALOG_CONCURRENCY)
  --help                   show this text
Environment: DIYALOG_SIGNATURE_VARIANT=newline|concat selects the string-to-sign variant.

Exit status: 0 when every day landed, 1 when a day failed, 2 for invalid arguments or configuration.`;

interface CliOptions {
  readonly request: ExportRequest;
  readonly root: ExportRoot;
  readonly api: ApiConfig;
  readonly demo: boolean;
  readonly secretId?: string;
}

/** Runs the CLI and returns its exit status; never throws. */
export async function runCli(argv: readonly string[], env: Environment, io: LineIo, now = Date.now): Promise<number> {
  let options: CliOptions | 'help';
  try {
    options = parseCli(argv, env, now());
  } catch (error) {
    io.err(`diyalog-export: ${message(error)}`);
    io.err('Run with --help for usage.');
    return 2;
  }
  if (options === 'help') {
    io.out(USAGE);
    return 0;
  }

  let simulator: RunningSimulator | undefined;
  try {
    let api = options.api;
    let credentials: CredentialsProvider;
    if (options.demo) {
      const demoKeys = { accessKeyId: 'demo', accessKeySecret: randomBytes(24).toString('base64url') };
      simulator = await startSimulator({
        credentials: demoKeys,
        sessions: demoSessions(options.request, api.timeZone),
      });
      api = { ...api, endpoint: simulator.url };
      credentials = staticCredentials({ ...demoKeys, requesterUserId: 'demo' });
      io.out(`No Diyalog endpoint given: exporting demo data from the built-in simulator at ${simulator.url}`);
    } else {
      credentials = options.secretId ? secretsManagerCredentials(options.secretId) : credentialsFromEnv(env);
    }
    const store = createStore(options.root, s3EndpointFromEnv(env));
    const runId = newRunId(now());
    const context = exportContext({ api, credentials, store, runId, now });
    const started = now();
    const run = await runExport(options.request, context, {
      dayFinished: (result) => {
        io.out(progressLine(result));
      },
    });

    const landed = run.results.flatMap((r) => (r.status === 'ok' ? [r.summary] : []));
    const sessions = landed.reduce((sum, s) => sum + s.sessions, 0);
    const seconds = ((now() - started) / 1000).toFixed(1);
    io.out(
      `${run.ok ? 'Done' : 'Finished with failures'}: ${landed.length} of ${run.results.length} day(s) exported, ` +
        `${sessions} sessions, ${seconds} s, to ${store.locate('online_help')} (run ${runId})`,
    );
    if (run.ok && options.demo && options.root.kind === 'local') {
      // Loaded only here: the demo's read-back needs DuckDB, a real export does not.
      const { demoSummary } = await import('../query/demo-summary.js');
      for (const line of await demoSummary(store.locate(''))) io.out(line);
    }
    if (run.ok) return 0;
    io.err(`diyalog-export: ${failureLine(run)}`);
    return 1;
  } catch (error) {
    io.err(`diyalog-export: ${message(error)}`);
    return error instanceof ConfigError ? 2 : 1;
  } finally {
    await simulator?.stop();
  }
}

function parseCli(argv: readonly string[], env: Environment, now: number): CliOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        date: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        out: { type: 'string', default: './exports' },
        endpoint: { type: 'string' },
        demo: { type: 'boolean', default: false },
        timezone: { type: 'string' },
        'secret-id': { type: 'string' },
        concurrency: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    throw new ConfigError('arguments', message(error), { cause: error });
  }
  const { values } = parsed;
  if (values.help) return 'help';

  const sources = {
    flags: { endpoint: values.endpoint, concurrency: values.concurrency, timeZone: values.timezone },
    env,
  };
  const endpoint = endpointFrom(sources);
  const demo = values.demo || endpoint === undefined;
  const api: ApiConfig = {
    endpoint: values.demo || endpoint === undefined ? '' : endpoint,
    ...apiSettingsFrom(sources),
  };
  const timeZone = api.timeZone;
  if (values.out.trim() === '') throw new ConfigError('--out', 'is empty; give a folder or s3://bucket/prefix');
  return {
    request: { days: requestedDays(values, timeZone, now) },
    root: parseExportRoot(values.out, '--out'),
    api,
    demo,
    ...(values['secret-id'] ? { secretId: values['secret-id'] } : {}),
  };
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
    return [rethrowAs('--date', () => parseDay(values.date))];
  }
  if (values.from !== undefined || values.to !== undefined) {
    if (values.from === undefined || values.to === undefined) {
      throw new ConfigError(values.from === undefined ? '--from' : '--to', 'is missing; --from and --to go together');
    }
    const from = rethrowAs('--from', () => parseDay(values.from));
    const to = rethrowAs('--to', () => parseDay(values.to));
    return rethrowAs('--from/--to', () => daysInRange(from, to, { maxDays: LIMITS.maxRangeDays }));
  }
  return [previousDay(now, zone)];
}

function credentialsFromEnv(env: Environment): CredentialsProvider {
  const names = ['DIYALOG_ACCESS_KEY_ID', 'DIYALOG_ACCESS_KEY_SECRET', 'DIYALOG_REQUESTER_USER_ID'] as const;
  const missing = names.filter((name) => !env[name]?.trim());
  if (missing.length > 0) {
    throw new ConfigError(
      missing.join(', '),
      'not set; set the three DIYALOG_ACCESS_KEY_ID, DIYALOG_ACCESS_KEY_SECRET and DIYALOG_REQUESTER_USER_ID, or pass --secret-id',
    );
  }
  const [accessKeyId = '', accessKeySecret = '', requesterUserId = ''] = names.map((name) => env[name]?.trim() ?? '');
  return staticCredentials({ accessKeyId, accessKeySecret, requesterUserId });
}

function demoSessions(request: ExportRequest, zone: TimeZone): ReturnType<typeof demoDataset> {
  return request.days.flatMap((day) => {
    const window = dayWindow(day, zone);
    return demoDataset(window.start, window.end);
  });
}

function progressLine(result: DayResult): string {
  if (result.status === 'failed') return `${result.day}  FAILED  ${result.error.message}`;
  const s = result.summary;
  const notes = [
    s.rejected > 0 ? `${s.rejected} rejected` : '',
    s.duplicates > 0 ? `${s.duplicates} duplicates dropped` : '',
    s.tieOverflows.length > 0 ? `${s.tieOverflows.length} tie overflow(s)` : '',
  ].filter(Boolean);
  return (
    `${s.day}  ok  ${s.sessions} sessions  ${s.pages} pages  ${(s.durationMs / 1000).toFixed(1)} s  → ${s.object}` +
    (notes.length > 0 ? `  (${notes.join(', ')})` : '')
  );
}

function message(error: unknown): string {
  return error instanceof ExportError || error instanceof Error ? error.message : String(error);
}

/** The process entry: real argv, environment and streams; sets the exit status. */
export async function main(): Promise<void> {
  process.exitCode = await runCli(process.argv.slice(2), process.env, processIo);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
