/**
 * The first step of the backfill state machine: validate its input and split it into chunks, each one invocation
 * of the export function. Pure: no I/O, no clock (whether the last day is over is the export function's check).
 */
import { BACKFILL_LIMITS } from '../contract/backfill.js';
import { parseDay, type CalendarDay } from '../contract/calendar.js';
import { InvalidValueError, SettingError } from '../contract/errors.js';
import { isNameList, REPORT_NAMES, REPORTS, reportsNamed, type ReportDefinition } from '../contract/reports.js';

/** An inclusive range of days. */
export interface DayRange {
  readonly from: CalendarDay;
  readonly to: CalendarDay;
}

/**
 * One chunk: exactly the export function's event, `{"from","to"}`, with the input's `"reports"` when it named
 * some (else the function exports its configured reports).
 */
export interface Chunk extends DayRange {
  readonly reports?: readonly string[];
}

/** The chunks to export, newest first, or why the input is refused. */
export type BackfillPlan = { readonly chunks: readonly Chunk[]; readonly days: number } | { readonly invalid: string };

/** What the state machine's definition tells the planner besides the input. */
export interface PlanSettings {
  /** Days per chunk, from 1 to `BACKFILL_LIMITS.maxChunkDays`. */
  readonly chunkDays: number;
  /** The first day the export function takes (`EXPORT_FIRST_DAY`). @default - no first day */
  readonly firstDay?: CalendarDay;
  /**
   * The reports the export function exports (`EXPORT_REPORTS`): an input may ask only for these, as the function
   * may write no other table. @default every report
   */
  readonly reports?: readonly ReportDefinition[];
}

const EXPECTED =
  'expected {"from":"YYYY-MM-DD","to":"YYYY-MM-DD"} or, to re-run failed chunks, {"ranges":[{"from","to"},…]}, ' +
  `either with an optional "reports":${JSON.stringify(REPORT_NAMES)}`;
const MS_PER_DAY = 86_400_000;

/** The input is refused; the message is the reason the execution fails with. */
class InvalidInput extends Error {}

/**
 * Validates a backfill's input and splits it into chunks of `chunkDays` days, newest first, so that the most
 * recent days land first. The input is `{"from","to"}` (both inclusive, real days, `from` not after `to`), or
 * `{"ranges":[…]}` of such ranges that do not overlap (the re-run input of a failed execution); in all at most
 * {@link BACKFILL_LIMITS}' days and chunks, none before `firstDay` (which the export function refuses). Either
 * may name the reports to export, `"reports":["calls"]`, which every chunk then carries; only reports the
 * function exports are accepted.
 *
 * @throws RangeError if `chunkDays` is not a whole number from 1 to `BACKFILL_LIMITS.maxChunkDays` (a fault of
 *   the state machine's definition, not of its input).
 */
export function planBackfill(input: unknown, settings: PlanSettings): BackfillPlan {
  const { chunkDays, firstDay, reports: exported = REPORTS } = settings;
  if (!Number.isInteger(chunkDays) || chunkDays < 1 || chunkDays > BACKFILL_LIMITS.maxChunkDays) {
    throw new RangeError(`chunkDays ${chunkDays} is not a whole number from 1 to ${BACKFILL_LIMITS.maxChunkDays}`);
  }
  try {
    const { ranges, reports } = backfillInput(input, exported);
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
    const ranged = ranges.flatMap((range) => chunksOf(range, chunkDays));
    if (ranged.length > BACKFILL_LIMITS.maxChunks) {
      throw new InvalidInput(
        `The input makes ${ranged.length} chunks of at most ${chunkDays} days, more than the ` +
          `${BACKFILL_LIMITS.maxChunks} one execution holds; split it into several executions.`,
      );
    }
    const chunks = reports === undefined ? ranged : ranged.map((chunk) => ({ ...chunk, reports }));
    return { chunks, days };
  } catch (error) {
    if (error instanceof InvalidInput) return { invalid: error.message };
    throw error;
  }
}

/** The input's ranges, newest first, and the names of the reports it asks for, if any. */
function backfillInput(
  input: unknown,
  exported: readonly ReportDefinition[],
): { ranges: DayRange[]; reports?: readonly string[] } {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidInput(`The input is not a JSON object; ${EXPECTED}.`);
  }
  const { reports, ...fields } = input as Record<string, unknown>;
  const ranges = rangesOf(fields, Object.keys(input).sort());
  return reports === undefined ? { ranges } : { ranges, reports: reportNames(reports, exported) };
}

function rangesOf(fields: Record<string, unknown>, inputKeys: readonly string[]): DayRange[] {
  const keys = Object.keys(fields).sort().join(',');
  if (keys === 'from,to') return [rangeOf(fields, 'the input')];
  if (keys === 'ranges') return rangeList(fields['ranges']);
  throw new InvalidInput(`The input has the fields {${inputKeys.join(',')}}; ${EXPECTED}.`);
}

/** The reports an input names, as their names in the contract's order, each once. */
function reportNames(value: unknown, exported: readonly ReportDefinition[]): string[] {
  if (!isNameList(value)) {
    throw new InvalidInput(
      `"reports" is not a non-empty array of report names, e.g. ${JSON.stringify(REPORT_NAMES)}; ` +
        'leave it out to export every report of the deployment.',
    );
  }
  let asked: readonly ReportDefinition[];
  try {
    asked = reportsNamed(value, '"reports"');
  } catch (error) {
    if (error instanceof SettingError) throw new InvalidInput(`${error.message}.`);
    throw error;
  }
  const exportedNames = exported.map((report) => report.name);
  const missing = asked.filter((report) => !exportedNames.includes(report.name)).map((report) => report.name);
  if (missing.length > 0) {
    throw new InvalidInput(
      `"reports" names ${missing.join(', ')}, not exported by this deployment (CDK context reports: ` +
        `${exportedNames.join(', ')}): the export function may write only the tables of the reports it exports.`,
    );
  }
  return asked.map((report) => report.name);
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
