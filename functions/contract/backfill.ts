/**
 * The limits of the backfill state machine, shared by synth (infra checks the `backfillChunkDays` context against
 * them) and its planning function (functions/backfill/), which splits a range into chunks for the export function.
 */
import { LIMITS, wholeNumberSetting } from './settings.js';

export const BACKFILL_LIMITS = Object.freeze({
  /** The longest backfill one execution takes, in days: ten years, leap days included. */
  maxDays: 3653,
  /**
   * The most chunks one execution runs. Its history must hold them (a standard workflow keeps 25,000 events; a
   * chunk takes about 7, and 3 more per retry), and so must the cause of a failed execution, which carries the
   * input that re-runs the failed chunks (at most 32,768 characters; with every other chunk failed that is 750
   * ranges of 40 characters). Ten years in chunks of 3 days (the default) are 1,218.
   */
  maxChunks: 1500,
  /** The longest chunk: what one run of the export function takes. */
  maxChunkDays: LIMITS.maxRangeDays,
});

/** Days a chunk of the backfill spans: one invocation of the export function. */
export function backfillChunkDaysSetting(text: string, setting: string): number {
  return wholeNumberSetting(text, setting, 1, BACKFILL_LIMITS.maxChunkDays);
}
