import type { CalendarDay } from './calendar.js';
import type { ReportDefinition } from './reports.js';

/**
 * The key layout below the export root. Each report's table location holds Parquet only, because Athena reads
 * every object under it; run manifests and rejects live beside the tables, per table, under names starting with
 * `_`.
 */

/** What the layout needs of a report: its table's name, and the name of a day's Parquet object. */
export type TableOf = Pick<ReportDefinition, 'name' | 'objectName'>;

/** The folder of records that did not become rows, beside the tables. */
export const REJECTS_FOLDER = '_rejects';

/** The folder of run manifests, one per table, day and run: each day's history. */
export const RUNS_FOLDER = '_runs';

export const PARQUET_CONTENT_TYPE = 'application/vnd.apache.parquet';

/** `online_help/`: the table's location below the root. */
export function tableFolder(table: Pick<TableOf, 'name'>): string {
  return `${table.name}/`;
}

/** `online_help/dt=2025-11-24/`: everything the day's partition holds. */
export function partitionPrefix(table: Pick<TableOf, 'name'>, day: CalendarDay): string {
  return `${tableFolder(table)}dt=${day}/`;
}

/**
 * The day's one Parquet object. Its name is fixed, so re-exporting a day overwrites it in one atomic write; any
 * other object found in the partition afterwards is stale and removed.
 */
export function partitionObjectKey(table: TableOf, day: CalendarDay): string {
  return `${partitionPrefix(table, day)}${table.objectName}`;
}

/** `_rejects/calls/dt=2025-11-24/rejects.jsonl`: records of the day that did not become rows (JSON Lines). */
export function rejectsKey(table: Pick<TableOf, 'name'>, day: CalendarDay): string {
  return `${REJECTS_FOLDER}/${table.name}/dt=${day}/rejects.jsonl`;
}

/** The day's run manifests for one table: one per run that exported it. */
export function manifestFolder(table: Pick<TableOf, 'name'>, day: CalendarDay): string {
  return `${RUNS_FOLDER}/${table.name}/dt=${day}/`;
}

/** One manifest per table, day and run; earlier runs' manifests are kept as the day's history. */
export function manifestKey(table: Pick<TableOf, 'name'>, day: CalendarDay, runId: string): string {
  return `${manifestFolder(table, day)}${runId}.json`;
}

/** Where preflight probes live; the only place below `_runs/` where anything is deleted. */
export const PREFLIGHT_FOLDER = `${RUNS_FOLDER}/preflight`;

/**
 * The object a run writes and deletes before paging, to prove the root writable. Below `_runs/` (never read by
 * Athena or `npm run query`), in a folder of its own so that the Lambda may delete there and nowhere else in it.
 * No report is named `preflight`, so it cannot meet a table's manifests.
 */
export function preflightKey(runId: string): string {
  return `${PREFLIGHT_FOLDER}/${runId}.probe`;
}
