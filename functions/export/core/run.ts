import type { CalendarDay } from '../../contract/calendar.js';
import { manifestFolder } from '../../contract/layout.js';
import { addDays } from './days.js';
import { ClockSkewError, ConfigError, SignatureRejectedError } from './errors.js';
import { exportDay, type DayExportContext, type DaySummary } from './export-day.js';
import type { ObjectStore } from './ports.js';
import { preflight } from './preflight.js';

/** The days one run exports: built from a Lambda event or from CLI flags, the same for both. */
export interface ExportRequest {
  readonly days: readonly CalendarDay[];
  /** Leave out a day that already has a run manifest, i.e. that landed before: how a long export resumes. */
  readonly skipExisting?: boolean;
}

export type DayResult =
  | { readonly status: 'ok'; readonly summary: DaySummary }
  | { readonly status: 'failed'; readonly day: CalendarDay; readonly error: Error }
  /** Not tried: an earlier day failed in a way no later day can escape (see {@link stopsTheRun}). */
  | { readonly status: 'not-attempted'; readonly day: CalendarDay }
  /** Left out by {@link ExportRequest.skipExisting}: the day landed in an earlier run, whose manifest is named. */
  | { readonly status: 'skipped'; readonly day: CalendarDay; readonly manifest: string };

export interface RunSummary {
  readonly runId: string;
  readonly results: readonly DayResult[];
  readonly ok: boolean;
}

export interface RunObserver {
  dayFinished?(result: DayResult): void;
}

/**
 * Exports the requested days one after the other, after a {@link preflight} that proves the root writable and the
 * keys accepted (its failure rejects the whole run before any day is paged). A failed day does not stop the
 * others, unless it failed for a reason that would fail every day (rejected keys, a wrong clock, configuration):
 * the remaining days are then not attempted. The summary says which day ended how, and the adapters turn that
 * into a thrown error or a non-zero exit.
 */
export async function runExport(
  request: ExportRequest,
  context: DayExportContext,
  observer: RunObserver = {},
): Promise<RunSummary> {
  await preflight(context);
  const results: DayResult[] = [];
  let stopped = false;
  for (const day of request.days) {
    let result: DayResult;
    if (stopped) {
      result = { status: 'not-attempted', day };
    } else {
      try {
        context.signal?.throwIfAborted();
        const landed = request.skipExisting === true ? await latestManifest(day, context.store) : undefined;
        result =
          landed === undefined
            ? { status: 'ok', summary: await exportDay(day, context) }
            : { status: 'skipped', day, manifest: landed };
      } catch (error) {
        result = { status: 'failed', day, error: error instanceof Error ? error : new Error(String(error)) };
        stopped = stopsTheRun(result.error);
      }
    }
    results.push(result);
    observer.dayFinished?.(result);
  }
  return { runId: context.runId, results, ok: results.every((r) => landed(r)) };
}

/** Whether the day is in the lake after the run: exported now, or skipped because an earlier run exported it. */
function landed(result: DayResult): result is Extract<DayResult, { status: 'ok' | 'skipped' }> {
  return result.status === 'ok' || result.status === 'skipped';
}

/**
 * The newest run manifest of a day, if any. A manifest is written last, after the day's Parquet object and
 * rejects, and only when they were written, so its presence means the day landed completely.
 */
async function latestManifest(day: CalendarDay, store: ObjectStore): Promise<string | undefined> {
  const manifests = (await store.list(manifestFolder(day))).filter((key) => key.endsWith('.json'));
  // Run ids start with the run's UTC start time, so the greatest key is the latest run.
  return manifests.sort().at(-1);
}

/** Failures that no later day of the run can escape, so trying them would only repeat the error. */
function stopsTheRun(error: Error): boolean {
  return error instanceof SignatureRejectedError || error instanceof ClockSkewError || error instanceof ConfigError;
}

/** A range of consecutive days, both inclusive. */
export interface DayRange {
  readonly from: CalendarDay;
  readonly to: CalendarDay;
}

/**
 * The days of a run that did not land (failed or not attempted) as ranges of consecutive days, oldest first:
 * re-running exactly these ranges exports exactly those days.
 */
export function unfinishedRanges(run: RunSummary): DayRange[] {
  const days = run.results.flatMap((r) => (landed(r) ? [] : [r.day])).sort();
  const ranges: DayRange[] = [];
  for (const day of days) {
    const last = ranges.at(-1);
    if (last !== undefined && addDays(last.to, 1) === day) ranges[ranges.length - 1] = { from: last.from, to: day };
    else ranges.push({ from: day, to: day });
  }
  return ranges;
}

/**
 * One line for a run in which days failed: how many, each failed day with its reason, and the days not
 * attempted, e.g. `1 of 3 days failed (run …): 2025-11-23: Diyalog rejected …; 2 not attempted: 2025-11-22,
 * 2025-11-21`. Both adapters report a failed run with it.
 */
export function failureLine(run: RunSummary): string {
  const failed = run.results.flatMap((r) => (r.status === 'failed' ? [r] : []));
  const skipped = run.results.flatMap((r) => (r.status === 'not-attempted' ? [r.day] : []));
  const line =
    `${failed.length} of ${run.results.length} days failed (run ${run.runId}): ` +
    failed.map((r) => `${r.day}: ${r.error.message}`).join('; ');
  return skipped.length === 0 ? line : `${line}; ${skipped.length} not attempted: ${skipped.join(', ')}`;
}

/** `20251124T003000Z-1a2b3c`: sortable by start time, unique across concurrent runs. */
export function newRunId(now: number, random: () => number = Math.random): string {
  const stamp = new Date(now).toISOString().replace(/[-:]|\.\d+/g, '');
  const suffix = Math.floor(random() * 0xffffff)
    .toString(16)
    .padStart(6, '0');
  return `${stamp}-${suffix}`;
}
