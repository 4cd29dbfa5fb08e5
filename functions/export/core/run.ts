import type { CalendarDay } from '../../contract/calendar.js';
import { manifestFolder } from '../../contract/layout.js';
import { addDays } from './days.js';
import { ClockSkewError, ConfigError, SignatureRejectedError } from './errors.js';
import { exportDay, type DayExportContext, type DaySummary } from './export-day.js';
import type { ObjectStore } from './ports.js';
import { preflight } from './preflight.js';
import type { ReportDefinition } from '../../contract/reports.js';

/** The report-days one run exports: built from a Lambda event or from CLI flags, the same for both. */
export interface ExportRequest {
  readonly days: readonly CalendarDay[];
  /** Each day is exported for each of these reports, in this order. */
  readonly reports: readonly ReportDefinition[];
  /** Leave out a report-day that already has a run manifest, i.e. that landed before: how a long export resumes. */
  readonly skipExisting?: boolean;
}

/** The unit of work: one report's one day. */
interface ReportDay {
  /** The report's name. */
  readonly report: string;
  readonly day: CalendarDay;
}

export type DayResult =
  | { readonly status: 'ok'; readonly report: string; readonly day: CalendarDay; readonly summary: DaySummary }
  | { readonly status: 'failed'; readonly report: string; readonly day: CalendarDay; readonly error: Error }
  /** Not tried: an earlier report-day failed in a way no later one can escape (see {@link stopsTheRun}). */
  | { readonly status: 'not-attempted'; readonly report: string; readonly day: CalendarDay }
  /** Left out by {@link ExportRequest.skipExisting}: it landed in an earlier run, whose manifest is named. */
  | { readonly status: 'skipped'; readonly report: string; readonly day: CalendarDay; readonly manifest: string };

export interface RunSummary {
  readonly runId: string;
  readonly results: readonly DayResult[];
  readonly ok: boolean;
}

export interface RunObserver {
  dayFinished?(result: DayResult): void;
}

/**
 * Exports the requested days one after the other, each day for each report, after a {@link preflight} that proves
 * the root writable and the keys accepted by every report (its failure rejects the whole run before any day is
 * paged). Each report-day is its own unit of work: one that fails does not stop or undo the others, unless it
 * failed for a reason that would fail every one (rejected keys, a wrong clock, configuration): the remaining ones
 * are then not attempted. The summary says which report-day ended how, and the adapters turn that into a thrown
 * error or a non-zero exit.
 */
export async function runExport(
  request: ExportRequest,
  context: DayExportContext,
  observer: RunObserver = {},
): Promise<RunSummary> {
  await preflight(context, request.reports);
  const results: DayResult[] = [];
  let stopped = false;
  for (const day of request.days) {
    for (const report of request.reports) {
      const unit = { report: report.name, day };
      let result: DayResult;
      if (stopped) {
        result = { status: 'not-attempted', ...unit };
      } else {
        try {
          context.signal?.throwIfAborted();
          const landed = request.skipExisting === true ? await latestManifest(report, day, context.store) : undefined;
          result =
            landed === undefined
              ? { status: 'ok', ...unit, summary: await exportDay(report, day, context) }
              : { status: 'skipped', ...unit, manifest: landed };
        } catch (error) {
          result = { status: 'failed', ...unit, error: error instanceof Error ? error : new Error(String(error)) };
          stopped = stopsTheRun(result.error);
        }
      }
      results.push(result);
      observer.dayFinished?.(result);
    }
  }
  return { runId: context.runId, results, ok: results.every((r) => landed(r)) };
}

/** Whether the report-day is in the lake after the run: exported now, or skipped as an earlier run exported it. */
function landed(result: DayResult): result is Extract<DayResult, { status: 'ok' | 'skipped' }> {
  return result.status === 'ok' || result.status === 'skipped';
}

/**
 * The newest run manifest of a report-day, if any. A manifest is written last, after the day's Parquet object and
 * rejects, and only when they were written, so its presence means the report-day landed completely.
 */
async function latestManifest(
  report: ReportDefinition,
  day: CalendarDay,
  store: ObjectStore,
): Promise<string | undefined> {
  const manifests = (await store.list(manifestFolder(report, day))).filter((key) => key.endsWith('.json'));
  // Run ids start with the run's UTC start time, so the greatest key is the latest run.
  return manifests.sort().at(-1);
}

/** Failures that no later day of the run can escape, so trying them would only repeat the error. */
function stopsTheRun(error: Error): boolean {
  return error instanceof SignatureRejectedError || error instanceof ClockSkewError || error instanceof ConfigError;
}

/** A range of consecutive days, both inclusive, of some reports. */
export interface DayRange {
  readonly from: CalendarDay;
  readonly to: CalendarDay;
  /** The reports' names, in the run's order. */
  readonly reports: readonly string[];
}

/**
 * The report-days of a run that did not land (failed or not attempted) as ranges of consecutive days with the
 * same reports, oldest first: re-running exactly these ranges exports exactly those report-days.
 */
export function unfinishedRanges(run: RunSummary): DayRange[] {
  const reportsByDay = new Map<CalendarDay, string[]>();
  for (const result of run.results) {
    if (!landed(result)) reportsByDay.set(result.day, [...(reportsByDay.get(result.day) ?? []), result.report]);
  }
  const ranges: DayRange[] = [];
  for (const [day, reports] of [...reportsByDay].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const last = ranges.at(-1);
    if (last !== undefined && addDays(last.to, 1) === day && last.reports.join() === reports.join()) {
      ranges[ranges.length - 1] = { ...last, to: day };
    } else {
      ranges.push({ from: day, to: day, reports });
    }
  }
  return ranges;
}

/** `calls 2025-11-23`: a report-day as the summaries name it. */
export function reportDayName({ report, day }: ReportDay): string {
  return `${report} ${day}`;
}

/**
 * One line for a run in which report-days failed: how many, each failed one with its reason, and those not
 * attempted, e.g. `1 of 6 report-days failed (run …): calls 2025-11-23: Diyalog rejected …; 2 not attempted:
 * online_help 2025-11-22, calls 2025-11-22`. Both adapters report a failed run with it.
 */
export function failureLine(run: RunSummary): string {
  const failed = run.results.flatMap((r) => (r.status === 'failed' ? [r] : []));
  const skipped = run.results.flatMap((r) => (r.status === 'not-attempted' ? [reportDayName(r)] : []));
  const line =
    `${failed.length} of ${run.results.length} report-days failed (run ${run.runId}): ` +
    failed.map((r) => `${reportDayName(r)}: ${r.error.message}`).join('; ');
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
