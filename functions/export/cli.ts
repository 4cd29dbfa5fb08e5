import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { BACKFILL_LIMITS } from '../contract/backfill.js';
import { DEFAULTS, EXPORT_ENV, LIMITS } from '../contract/settings.js';
import { REPORT_NAMES } from '../contract/reports.js';
import type { RunningSimulator } from '../demo/index.js';
import { processIo, type LineIo } from '../shared/line-io.js';
import { parseCli, type CliOptions } from './cli/options.js';
import { dayLine, progressLine, rerunCommand, resumeCommand, retryLine, type RunProgress } from './cli/report.js';
import { createStore, exportContext, personalDataFor, secretsManagerCredentials } from './compose.js';
import { dayWindow } from './core/days.js';
import { ConfigError, InterruptedError } from './core/errors.js';
import type { DayProgress, PersonalData } from './core/export-day.js';
import { failureLine, newRunId, runExport, unfinishedRanges } from './core/run.js';
import { staticCredentials, type CredentialsProvider } from './diyalog/credentials.js';
import { s3EndpointFromEnv, type ApiConfig, type Environment } from './settings.js';
import { EXPORTER_VERSION } from './version.js';

export const USAGE = `Usage: diyalog-export [options]       (or: npm run export -- [options])

Exports Diyalog reports, one Parquet file per report and day: live-help sessions to
<out>/online_help/dt=YYYY-MM-DD/, video and voice calls to <out>/calls/dt=YYYY-MM-DD/.

Days (default: yesterday in the time zone):
  --date YYYY-MM-DD        export that day
  --from YYYY-MM-DD --to YYYY-MM-DD
                           export each day of the range, both inclusive, newest first (any range up to
                           ${BACKFILL_LIMITS.maxDays} days)
  --skip-existing          leave out report-days that landed before (they have a run manifest): resumes an
                           export
Reports (default: all):
  --reports LIST           comma-separated, from ${REPORT_NAMES.join(', ')} (else EXPORT_REPORTS)
Where to:
  --out DIR|s3://bucket/prefix
                           the export root (default ./exports); AWS_ENDPOINT_URL_S3 selects an
                           S3-compatible store. Any other scheme: is refused.
Source (one of):
  --endpoint URL           Diyalog base URL (else DIYALOG_API_ENDPOINT)
  --demo                   demo data from the built-in simulator, into a local folder only
Keys:
  --secret-id ID           read the keys from this AWS Secrets Manager secret; otherwise from
                           DIYALOG_ACCESS_KEY_ID, DIYALOG_ACCESS_KEY_SECRET, DIYALOG_REQUESTER_USER_ID
Settings:
  --timezone IANA          the zone whose calendar days are exported (default ${DEFAULTS.timeZone}; else
                           EXPORT_TIMEZONE)
  --concurrency N          parts of a day paged at once, 1-${LIMITS.maxConcurrency} (default ${DEFAULTS.concurrency}; else DIYALOG_CONCURRENCY)
Personal data (default: keep):
  --personal-data SPEC     keep, pseudonymize or drop the personal columns: a bare action for all, column=action
                           for one, e.g. pseudonymize,agent_id=keep (else EXPORT_PERSONAL_DATA)
  --pseudonym-key-secret-id ID
                           read the pseudonym key (32+ bytes) from this Secrets Manager secret; else
                           EXPORT_PSEUDONYM_KEY holds the key, else EXPORT_PSEUDONYM_KEY_SECRET_ID names the secret
  -h, --help               show this text
  --version                show the exporter's version
Environment: DIYALOG_SIGNATURE_VARIANT=newline|concat selects the string-to-sign variant.

Before paging, a run writes and deletes a probe object under <out>/_runs/preflight/ and makes one request to
Diyalog per report: an unwritable root or rejected keys stop it at once, with nothing written. Each report's
day is then exported on its own: one that fails leaves the others landed.

Ctrl-C abandons the report-day being exported before it writes anything, prints which landed and the command
that resumes (the same one with --skip-existing), and exits 130; a second Ctrl-C ends the process at once.

Exit status: 0 when every report-day landed, 1 when one failed or the preflight did, 2 for invalid arguments or
configuration (AWS region and credentials included), 130 when interrupted.`;

/** The live progress line is redrawn at most this often, milliseconds. */
const PROGRESS_INTERVAL_MS = 200;

/** Exit status of a run stopped by Ctrl-C (128 + SIGINT), as shells report it. */
const INTERRUPTED_STATUS = 130;

/**
 * Runs the CLI and returns its exit status; never throws.
 *
 * @param interrupt aborted on Ctrl-C: the day being exported is abandoned before it writes anything, the rest are
 *   not started, and the exit status is {@link INTERRUPTED_STATUS}
 */
export async function runCli(
  argv: readonly string[],
  env: Environment,
  io: LineIo,
  now = Date.now,
  interrupt?: AbortSignal,
): Promise<number> {
  let command;
  try {
    command = parseCli(argv, env, now());
  } catch (error) {
    io.err(`diyalog-export: ${message(error)}`);
    io.err('Run with --help for usage.');
    return 2;
  }
  if (command === 'help') io.out(USAGE);
  if (command === 'version') io.out(EXPORTER_VERSION);
  if (command === 'help' || command === 'version') return 0;

  let simulator: RunningSimulator | undefined;
  try {
    // The key is checked before anything starts: a policy that pseudonymizes without a key is refused (exit 2).
    const { pseudonymKeyText } = command;
    const personalData = await personalDataFor(command.api, {
      ...(pseudonymKeyText === undefined
        ? {}
        : { text: { value: pseudonymKeyText, setting: EXPORT_ENV.pseudonymKey } }),
    });
    let api = command.api;
    let credentials: CredentialsProvider;
    if (command.demo) {
      // Loaded only for --demo: a real export never carries the simulator.
      const { startSimulator, demoExport } = await import('../demo/index.js');
      const demoKeys = { accessKeyId: 'demo', accessKeySecret: randomBytes(24).toString('base64url') };
      const data = command.request.days.map((day) => {
        const window = dayWindow(day, api.timeZone);
        return demoExport(window.start, window.end);
      });
      simulator = await startSimulator({
        credentials: demoKeys,
        sessions: data.flatMap((day) => day.sessions),
        calls: data.flatMap((day) => day.calls),
      });
      api = { ...api, endpoint: simulator.url };
      credentials = staticCredentials({ ...demoKeys, requesterUserId: 'demo' });
      io.out(`--demo: exporting demo data from the built-in simulator at ${simulator.url}`);
    } else {
      credentials = command.secretId ? secretsManagerCredentials(command.secretId) : credentialsFromEnv(env);
    }
    return await exportDays(command, api, credentials, personalData, { argv, env, io, now, interrupt });
  } catch (error) {
    io.err(`diyalog-export: ${message(error)}`);
    if (interrupt?.aborted === true) return INTERRUPTED_STATUS;
    return error instanceof ConfigError ? 2 : 1;
  } finally {
    await simulator?.stop();
  }
}

interface Surroundings {
  readonly argv: readonly string[];
  readonly env: Environment;
  readonly io: LineIo;
  readonly now: () => number;
  readonly interrupt: AbortSignal | undefined;
}

/** The run itself, with a line per day, retries as they are scheduled, and a live line on a terminal. */
async function exportDays(
  options: CliOptions,
  api: ApiConfig,
  credentials: CredentialsProvider,
  personalData: PersonalData,
  { argv, env, io, now, interrupt }: Surroundings,
): Promise<number> {
  const store = createStore(options.root, s3EndpointFromEnv(env));
  const runId = newRunId(now());
  const progress: RunProgress = {
    daysDone: 0,
    daysTotal: options.request.days.length * options.request.reports.length,
    rows: 0,
    startedAt: now(),
  };
  const showProgress = throttledProgress(io, now, () => progress);
  const context = exportContext({
    api,
    credentials,
    store,
    personalData,
    runId,
    demo: options.demo,
    now,
    onRetry: (notice) => {
      io.err(retryLine(notice));
    },
    ...(showProgress ? { onProgress: showProgress } : {}),
    ...(interrupt ? { signal: interrupt } : {}),
  });
  const run = await runExport(options.request, context, {
    dayFinished: (result) => {
      progress.daysDone++;
      if (result.status === 'ok') progress.rows += result.summary.rows;
      io.out(dayLine(result));
    },
  });

  const exported = run.results.filter((r) => r.status === 'ok').length;
  const skipped = run.results.filter((r) => r.status === 'skipped').length;
  const seconds = ((now() - progress.startedAt) / 1000).toFixed(1);
  io.out(
    `${run.ok ? 'Done' : 'Finished with failures'}: ${exported} of ${run.results.length} report-day(s) exported` +
      `${skipped > 0 ? `, ${skipped} skipped (landed before)` : ''}, ${progress.rows} rows, ${seconds} s, ` +
      `to ${store.locate('')} (run ${runId})`,
  );
  if (run.ok && options.demo) {
    // Loaded only here: the demo's read-back needs DuckDB, a real export does not.
    const { demoSummary } = await import('../query/demo-summary.js');
    for (const line of await demoSummary(store.locate(''))) io.out(line);
  }
  if (run.ok) return 0;
  if (interrupt?.aborted === true) {
    io.err(
      'diyalog-export: interrupted; the report-day being exported was abandoned before anything of it was written.',
    );
    io.err(`Resume with: ${resumeCommand(argv)}`);
    return INTERRUPTED_STATUS;
  }
  io.err(`diyalog-export: ${failureLine(run)}`);
  io.err(`Re-run the report-days that did not land: ${rerunCommand(argv, unfinishedRanges(run))}`);
  return 1;
}

/** A progress callback that redraws the terminal's live line at most every {@link PROGRESS_INTERVAL_MS}. */
function throttledProgress(
  io: LineIo,
  now: () => number,
  run: () => RunProgress,
): ((progress: DayProgress) => void) | undefined {
  const { status } = io;
  if (!status) return undefined;
  let dayStarted = now();
  let reportDay: string | undefined;
  let shownAt = -Infinity;
  return (progress) => {
    const current = `${progress.report} ${progress.day}`;
    if (current !== reportDay) [reportDay, dayStarted] = [current, now()];
    if (now() - shownAt < PROGRESS_INTERVAL_MS) return;
    shownAt = now();
    status(progressLine(progress, dayStarted, run(), shownAt));
  };
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

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The process entry: real argv, environment and streams; sets the exit status. The first Ctrl-C stops the run
 * cleanly (see {@link runCli}); a second one ends the process at once, as Node.js does by default.
 */
export async function main(): Promise<void> {
  const interrupt = new AbortController();
  process.once('SIGINT', () => {
    interrupt.abort(new InterruptedError('interrupted by Ctrl-C; nothing of this day was written'));
  });
  process.exitCode = await runCli(process.argv.slice(2), process.env, processIo(), Date.now, interrupt.signal);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
