import type { DayProgress } from '../core/export-day.js';
import type { DayRange, DayResult } from '../core/run.js';
import type { RetryNotice } from '../diyalog/client.js';
import { DAY_FLAGS } from './options.js';

/** One line per finished day: what landed where, or why it did not. */
export function dayLine(result: DayResult): string {
  if (result.status === 'failed') return `${result.day}  FAILED  ${result.error.message}`;
  if (result.status === 'not-attempted') return `${result.day}  not attempted`;
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

/** A retry as it is scheduled, e.g. `retrying in 2.0 s after HTTP 503 (attempt 2 of 6)`. */
export function retryLine(notice: RetryNotice): string {
  const when = notice.delayMs > 0 ? `in ${(notice.delayMs / 1000).toFixed(1)} s` : 'now';
  const why = notice.reason.replace(/^status (\d{3})/, 'HTTP $1');
  return `  retrying ${when} after ${why} (attempt ${notice.attempt + 1} of ${notice.maxAttempts})`;
}

/** The live line of a day being paged, for a terminal. */
export function progressLine(progress: DayProgress, startedAt: number, now: number): string {
  const seconds = ((now - startedAt) / 1000).toFixed(0);
  return `${progress.day}  paging…  ${progress.pages} pages  ${progress.sessions} sessions  ${seconds} s`;
}

/**
 * The commands that export again exactly the days of `ranges`: the original arguments with the day flags
 * replaced, one command per range of consecutive days, joined with `&&`.
 */
export function rerunCommand(argv: readonly string[], ranges: readonly DayRange[]): string {
  const kept = withoutDayFlags(argv);
  return ranges
    .map(({ from, to }) => {
      const days = from === to ? ['--date', from] : ['--from', from, '--to', to];
      return ['npm', 'run', 'export', '--', ...kept, ...days].map(shellWord).join(' ');
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
