/**
 * The last step of the backfill state machine: from the chunks' results, what landed, what failed, and the input
 * that re-runs exactly the failed chunks. Pure.
 */
import { parseDay } from '../contract/calendar.js';
import { isNameList } from '../contract/reports.js';
import { length, type Chunk, type DayRange } from './plan.js';

/** What the state machine's map gives for one chunk: the chunk, and the error it failed with, if it did. */
export interface ChunkResult extends Chunk {
  readonly error?: string;
}

/** A chunk that failed after its retries, and the error name Step Functions recorded (e.g. `ExportError`). */
export interface FailedChunk extends DayRange {
  readonly error: string;
}

/** The backfill's outcome; {@link rerun} is present exactly when a chunk failed. */
export interface BackfillReport {
  readonly chunks: number;
  readonly days: number;
  readonly failedChunks: number;
  /** The failed chunks, newest first: the first {@link FAILED_LISTED}; the count is {@link failedChunks}. */
  readonly failed: readonly FailedChunk[];
  /** The state machine's input that exports exactly the failed chunks' days again, of the same reports. */
  readonly rerun?: { readonly ranges: readonly DayRange[]; readonly reports?: readonly string[] };
}

/**
 * How many failed chunks the report lists with their error. It becomes the cause of the failed execution, which
 * holds at most 32,768 characters; the re-run input always lists every failed day, and the execution's history
 * has each chunk's error in full.
 */
export const FAILED_LISTED = 10;

/**
 * Summarizes the map's results (in chunk order, newest first). Adjacent failed chunks are merged into one range
 * of the re-run input: the state machine splits it into the same chunks again, and the input stays short.
 *
 * @throws TypeError if `results` is not a list of chunk results (a fault of the state machine's definition).
 */
export function reportBackfill(results: unknown): BackfillReport {
  if (!Array.isArray(results)) throw new TypeError('results is not an array');
  const chunks = results.map(chunkResult);
  const failed = chunks.filter((chunk): chunk is FailedChunk => chunk.error !== undefined);
  const summary = {
    chunks: chunks.length,
    days: chunks.reduce((sum, chunk) => sum + length(chunk), 0),
    failedChunks: failed.length,
    failed: failed.slice(0, FAILED_LISTED).map(({ from, to, error }) => ({ from, to, error })),
  };
  if (failed.length === 0) return summary;
  const ranges: DayRange[] = [];
  for (const { from, to } of failed) {
    const newer = ranges.at(-1);
    // A chunk that ends the day before the newer failed range starts extends that range.
    if (newer !== undefined && length({ from: to, to: newer.from }) === 2) {
      ranges[ranges.length - 1] = { from, to: newer.to };
    } else {
      ranges.push({ from, to });
    }
  }
  const reports = reportsOf(chunks);
  return { ...summary, rerun: reports === undefined ? { ranges } : { ranges, reports } };
}

/** The reports every chunk names (the plan gives each the input's), or none. */
function reportsOf(chunks: readonly ChunkResult[]): readonly string[] | undefined {
  const lists = new Set(chunks.map((chunk) => chunk.reports?.join(',') ?? 'none'));
  if (lists.size > 1) throw new TypeError(`the chunks name different reports: ${[...lists].join(' and ')}`);
  return chunks[0]?.reports;
}

function chunkResult(value: unknown, index: number): ChunkResult {
  if (typeof value !== 'object' || value === null) throw new TypeError(`results[${index}] is not an object`);
  const { from, to, reports, error } = value as Record<string, unknown>;
  if (error !== undefined && typeof error !== 'string') throw new TypeError(`results[${index}].error is not a string`);
  if (reports !== undefined && !isNameList(reports)) {
    throw new TypeError(`results[${index}].reports is not a list of report names`);
  }
  return {
    from: parseDay(from),
    to: parseDay(to),
    ...(reports === undefined ? {} : { reports }),
    ...(error === undefined ? {} : { error }),
  };
}
