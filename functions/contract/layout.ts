import type { CalendarDay } from './calendar.js';

/**
 * The key layout below the export root. The table location holds Parquet only, because Athena reads every
 * object under it; run manifests and rejects live beside it under names starting with `_`.
 */

/** The Athena table's name and its folder below the root. */
export const TABLE_NAME = 'online_help';

/** The folder of records that did not become rows, beside the table. */
export const REJECTS_FOLDER = '_rejects';

/** The folder of run manifests, one per day and run: the day's history. */
export const RUNS_FOLDER = '_runs';

export const PARQUET_CONTENT_TYPE = 'application/vnd.apache.parquet';

/** `online_help/dt=2025-11-24/`: everything the day's partition holds. */
export function partitionPrefix(day: CalendarDay): string {
  return `${TABLE_NAME}/dt=${day}/`;
}

/**
 * The day's one Parquet object. Its name is fixed, so re-exporting a day overwrites it in one atomic write; any
 * other object found in the partition afterwards is stale and removed.
 */
export function partitionObjectKey(day: CalendarDay): string {
  return `${partitionPrefix(day)}sessions.parquet`;
}

/** Records of the day that did not become rows (JSON Lines), replaced by each export of the day. */
export function rejectsKey(day: CalendarDay): string {
  return `${REJECTS_FOLDER}/dt=${day}/rejects.jsonl`;
}

/** The day's run manifests: one per run that exported it. */
export function manifestFolder(day: CalendarDay): string {
  return `${RUNS_FOLDER}/dt=${day}/`;
}

/** One manifest per day and run; earlier runs' manifests are kept as the day's history. */
export function manifestKey(day: CalendarDay, runId: string): string {
  return `${manifestFolder(day)}${runId}.json`;
}

/** Where preflight probes live; the only place below `_runs/` where anything is deleted. */
export const PREFLIGHT_FOLDER = `${RUNS_FOLDER}/preflight`;

/**
 * The object a run writes and deletes before paging, to prove the root writable. Below `_runs/` (never read by
 * Athena or `npm run query`), in a folder of its own so that the Lambda may delete there and nowhere else in it.
 */
export function preflightKey(runId: string): string {
  return `${PREFLIGHT_FOLDER}/${runId}.probe`;
}
