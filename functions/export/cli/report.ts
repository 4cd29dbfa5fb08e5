import type { DayProgress } from '../core/export-day.js';
import { reportDayName, type DayRange, type DayResult } from '../core/run.js';
import type { RetryNotice } from '../diyalog/client.js';
import { DAY_FLAGS, SKIP_EXISTING_FLAG } from './options.js';

/** One line per finished report-day: what landed where, or why it did not. */
export function dayLine(result: DayResult): string {
  const name = reportDayName(result);
  if (result.status === 'failed') return `${name}  FAILED  ${result.error.message}`;
  if (result.status === 'not-attempted') return `${name}  not attempted`;
  if (result.status === 'skipped') return `${name}  skipped, landed before  (${result.manifest})`;
  const s = result.summary;
  const notes = [
    s.rejected > 0 ? `${s.rejected} rejected` : '',
    s.duplicates > 0 ? `${s.duplicates} duplicates dropped` : '',
    s.tieOverflows.length > 0 ? `${s.tieOverflows.length} tie overflow(s)` : '',
  ].filter(Boolean);
  return (
    `${name}  ok  ${s.rows} rows  ${s.pages} pages  ${(s.durationMs / 1000).toFixed(1)} s  → ${s.object}` +
    (notes.length > 0 ? `  (${notes.join(', ')})` : '')
  );
}

/** A retry as it is scheduled, e.g. `calls: retrying in 2.0 s after HTTP 503 (attempt 2 of 6)`. */
export function retryLine(notice: RetryNotice): string {
  const when = notice.delayMs > 0 ? `in ${(notice.delayMs / 1000).toFixed(1)} s` : 'now';
  const why = notice.reason.replace(/^status (\d{3})/, 'HTTP $1');
  return `  ${notice.report}: retrying ${when} after ${why} (attempt ${notice.attempt + 1} of ${notice.maxAttempts})`;
}

/** How far a run has got: report-days finished of all requested, rows exported so far, when it started. */
export interface RunProgress {
  daysDone: number;
  readonly daysTotal: number;
  rows: number;
  readonly startedAt: number;
}

/**
 * The live line of a terminal while a report-day is paged: its pages and records so far and, for more than one
 * report-day, the run's report-days done of all, rows, elapsed time and the time left at the pace so far.
 */
export function progressLine(progress: DayProgress, dayStartedAt: number, run: RunProgress, now: number): string {
  const day = `${progress.report} ${progress.day}  paging…  ${progress.pages} pages  ${progress.records} records  ${duration(now - dayStartedAt)}`;
  if (run.daysTotal === 1) return day;
  const elapsed = now - run.startedAt;
  const eta = run.daysDone === 0 ? '' : `, ETA ${duration((elapsed / run.daysDone) * (run.daysTotal - run.daysDone))}`;
  return `[${run.daysDone}/${run.daysTotal} report-days, ${run.rows} rows, ${duration(elapsed)}${eta}]  ${day}`;
}

/** A duration as people read it: `42 s`, `7 min 05 s`, `2 h 03 min`. */
function duration(ms: number): string {
  const total = Math.round(ms / 1000);
  if (total < 60) return `${total} s`;
  const pad = (n: number): string => String(n).padStart(2, '0');
  if (total < 3600) return `${Math.floor(total / 60)} min ${pad(total % 60)} s`;
  return `${Math.floor(total / 3600)} h ${pad(Math.floor((total % 3600) / 60))} min`;
}

/** The command that resumes an interrupted export: the same one with {@link SKIP_EXISTING_FLAG}. */
export function resumeCommand(argv: readonly string[]): string {
  const args = argv.includes(SKIP_EXISTING_FLAG) ? argv : [...argv, SKIP_EXISTING_FLAG];
  return ['npm', 'run', 'export', '--', ...args].map(shellWord).join(' ');
}

/**
 * The commands that export again exactly the report-days of `ranges`: the original arguments with the day and
 * report flags replaced, one command per range of consecutive days with the same reports, joined with `&&`.
 */
export function rerunCommand(argv: readonly string[], ranges: readonly DayRange[]): string {
  const kept = withoutDayFlags(argv);
  return ranges
    .map(({ from, to, reports }) => {
      const days = from === to ? ['--date', from] : ['--from', from, '--to', to];
      return ['npm', 'run', 'export', '--', ...kept, ...days, '--reports', reports.join(',')].map(shellWord).join(' ');
    })
    .join(' && ');
}

function withoutDayFlags(argv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (DAY_FLAGS.includes(arg))
      i++; // and its value
    else if (!DAY_FLAGS.some((flag) => arg.startsWith(`${flag}=`))) kept.push(arg);
  }
  return kept;
}

/** A word as a POSIX shell reads it back unchanged. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}
