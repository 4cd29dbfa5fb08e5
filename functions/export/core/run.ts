import type { CalendarDay } from '../../contract/calendar.js';
import { exportDay, type DayExportContext, type DaySummary } from './export-day.js';

/** The days one run exports: built from a Lambda event or from CLI flags, the same for both. */
export interface ExportRequest {
  readonly days: readonly CalendarDay[];
}

export type DayResult =
  | { readonly status: 'ok'; readonly summary: DaySummary }
  | { readonly status: 'failed'; readonly day: CalendarDay; readonly error: Error };

export interface RunSummary {
  readonly runId: string;
  readonly results: readonly DayResult[];
  readonly ok: boolean;
}

export interface RunObserver {
  dayFinished?(result: DayResult): void;
}

/**
 * Exports the requested days one after the other. A failed day does not stop the others; the summary says
 * which failed, and the adapters turn that into a thrown error or a non-zero exit.
 */
export async function runExport(
  request: ExportRequest,
  context: DayExportContext,
  observer: RunObserver = {},
): Promise<RunSummary> {
  const results: DayResult[] = [];
  for (const day of request.days) {
    let result: DayResult;
    try {
      context.signal?.throwIfAborted();
      result = { status: 'ok', summary: await exportDay(day, context) };
    } catch (error) {
      result = { status: 'failed', day, error: error instanceof Error ? error : new Error(String(error)) };
    }
    results.push(result);
    observer.dayFinished?.(result);
  }
  return { runId: context.runId, results, ok: results.every((r) => r.status === 'ok') };
}

/** The failed days of a run, oldest first. */
export function failedDays(run: RunSummary): CalendarDay[] {
  return run.results.flatMap((r) => (r.status === 'failed' ? [r.day] : [])).sort();
}

/**
 * One line for a run in which days failed: how many, and each failed day with its reason, e.g.
 * `1 of 3 days failed (run …): 2025-11-23: Diyalog refused …`. Both adapters report a failed run with it.
 */
export function failureLine(run: RunSummary): string {
  const failed = run.results.flatMap((r) => (r.status === 'failed' ? [r] : []));
  return (
    `${failed.length} of ${run.results.length} days failed (run ${run.runId}): ` +
    failed.map((r) => `${r.day}: ${r.error.message}`).join('; ')
  );
}

/** `20251124T003000Z-1a2b3c`: sortable by start time, unique across concurrent runs. */
export function newRunId(now: number, random: () => number = Math.random): string {
  const stamp = new Date(now).toISOString().replace(/[-:]|\.\d+/g, '');
  const suffix = Math.floor(random() * 0xffffff)
    .toString(16)
    .padStart(6, '0');
  return `${stamp}-${suffix}`;
}
