/**
 * The first step of the backfill state machine: validate its input and split it into chunks, each one invocation
 * of the export function. Pure: no I/O, no clock (whether the last day is over is the export function's check).
 */
import { BACKFILL_LIMITS } from '../contract/backfill.js';
import { parseDay, type CalendarDay } from '../contract/calendar.js';
import { InvalidValueError } from '../contract/errors.js';
import { TABLE_NAME } from '../contract/layout.js';

/** An inclusive range of days; as a chunk, exactly the export function's `{"from","to"}` event. */
export interface DayRange {
  readonly from: CalendarDay;
  readonly to: CalendarDay;
}

/** The chunks to export, newest first, or why the input is refused. */
export type BackfillPlan =
  { readonly chunks: readonly DayRange[]; readonly days: number } | { readonly invalid: string };

const EXPECTED =
  'expected {"from":"YYYY-MM-DD","to":"YYYY-MM-DD"} or, to re-run failed chunks, {"ranges":[{"from","to"},…]}';
const MS_PER_DAY = 86_400_000;

/** The input is refused; the message is the reason the execution fails with. */
class InvalidInput extends Error {}

/**
 * Validates a backfill's input and splits it into chunks of `chunkDays` days, newest first, so that the most
 * recent days land first. The input is `{"from","to"}` (both inclusive, real days, `from` not after `to`), or
 * `{"ranges":[…]}` of such ranges that do not overlap (the re-run input of a failed execution); in all at most
 * {@link BACKFILL_LIMITS}' days and chunks, none before `firstDay` (which the export function refuses). A `reports`
 * field is refused: the export function takes no report list.
 *
 * @throws RangeError if `chunkDays` is not a whole number from 1 to `BACKFILL_LIMITS.maxChunkDays` (a fault of
 *   the state machine's definition, not of its input).
 */
export function planBackfill(input: unknown, chunkDays: number, firstDay?: CalendarDay): BackfillPlan {
  if (!Number.isInteger(chunkDays) || chunkDays < 1 || chunkDays > BACKFILL_LIMITS.maxChunkDays) {
    throw new RangeError(`chunkDays ${chunkDays} is not a whole number from 1 to ${BACKFILL_LIMITS.maxChunkDays}`);
  }
  try {
    const ranges = rangesOf(input);
    const oldest = ranges.at(-1)?.from;
    if (firstDay !== undefined && oldest !== undefined && oldest < firstDay) {
      throw new InvalidInput(
        `The input starts at ${oldest}, before ${firstDay}, the first day the export function takes (where ` +
          `Athena's partition projection starts, CDK context projectionStartDate); start at ${firstDay}.`,
      );
    }
    const days = ranges.reduce((sum, range) => sum + length(range), 0);
    if (days > BACKFILL_LIMITS.maxDays) {
      throw new InvalidInput(
        `The input spans ${days} days, more than the ${BACKFILL_LIMITS.maxDays} (ten years) one backfill takes; ` +
          'split it into several executions.',
      );
    }
    const chunks = ranges.flatMap((range) => chunksOf(range, chunkDays));
    if (chunks.length > BACKFILL_LIMITS.maxChunks) {
      throw new InvalidInput(
        `The input makes ${chunks.length} chunks of at most ${chunkDays} days, more than the ` +
          `${BACKFILL_LIMITS.maxChunks} one execution holds; split it into several executions.`,
      );
    }
    return { chunks, days };
  } catch (error) {
    if (error instanceof InvalidInput) return { invalid: error.message };
    throw error;
  }
}

/** The input's ranges, newest first. */
function rangesOf(input: unknown): DayRange[] {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidInput(`The input is not a JSON object; ${EXPECTED}.`);
  }
  const keys = Object.keys(input).sort();
  if (keys.includes('reports')) {
    throw new InvalidInput(
      `"reports" is not accepted: the export function exports every report (today ${TABLE_NAME}) for each day ` +
        'and takes no list of reports; leave "reports" out.',
    );
  }
  const fields = input as Record<string, unknown>;
  if (keys.join(',') === 'from,to') return [rangeOf(fields, 'the input')];
  if (keys.join(',') === 'ranges') return rangeList(fields['ranges']);
  throw new InvalidInput(`The input has the fields {${keys.join(',')}}; ${EXPECTED}.`);
}

function rangeList(value: unknown): DayRange[] {
  if (!Array.isArray(value) || value.length === 0) throw new InvalidInput(`"ranges" is not a non-empty array.`);
  const ranges = value.map((item: unknown, index) => {
    const where = `ranges[${index}]`;
    if (typeof item !== 'object' || item === null || Object.keys(item).sort().join(',') !== 'from,to') {
      throw new InvalidInput(`${where} is not {"from":"YYYY-MM-DD","to":"YYYY-MM-DD"}.`);
    }
    return rangeOf(item as Record<string, unknown>, where);
  });
  ranges.sort((a, b) => (a.to < b.to ? 1 : -1));
  for (let i = 1; i < ranges.length; i++) {
    const [newer, older] = [ranges[i - 1], ranges[i]] as [DayRange, DayRange];
    if (older.to >= newer.from) {
      throw new InvalidInput(
        `The ranges ${older.from}..${older.to} and ${newer.from}..${newer.to} overlap; each day is exported once.`,
      );
    }
  }
  return ranges;
}

function rangeOf(fields: Record<string, unknown>, where: string): DayRange {
  const day = (name: 'from' | 'to'): CalendarDay => {
    try {
      return parseDay(fields[name]);
    } catch (error) {
      if (error instanceof InvalidValueError) throw new InvalidInput(`${where}: "${name}": ${error.message}`);
      throw error;
    }
  };
  const range = { from: day('from'), to: day('to') };
  if (range.from > range.to) {
    throw new InvalidInput(`${where}: "from" ${range.from} is after "to" ${range.to}.`);
  }
  return range;
}

/** Chunks of `chunkDays` days from the range's last day backwards; the oldest may be shorter. */
function chunksOf(range: DayRange, chunkDays: number): DayRange[] {
  const first = epochDay(range.from);
  const chunks: DayRange[] = [];
  for (let last = epochDay(range.to); last >= first; last -= chunkDays) {
    chunks.push({ from: dayAt(Math.max(first, last - chunkDays + 1)), to: dayAt(last) });
  }
  return chunks;
}

/** Days in the range, both ends included. */
export function length(range: DayRange): number {
  return epochDay(range.to) - epochDay(range.from) + 1;
}

function epochDay(day: CalendarDay): number {
  return Date.parse(day) / MS_PER_DAY;
}

function dayAt(epochDays: number): CalendarDay {
  return parseDay(new Date(epochDays * MS_PER_DAY).toISOString().slice(0, 10));
}
