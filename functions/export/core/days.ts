/**
 * Calendar days and their instant windows in an IANA time zone.
 *
 * The export works one local calendar day at a time. A day is the half-open interval of epoch milliseconds
 * `[first instant of the day, first instant of the next day)`. On most days that is local midnight to local
 * midnight; on transition days it is 23 or 25 hours (or 23.5/24.5, …), and where local midnight itself falls
 * in a gap (America/Santiago, Asia/Beirut, America/Havana) the day starts at the first instant after the gap.
 * A day a zone skipped (Pacific/Apia, 2011-12-30) has an empty window.
 *
 * Where midnight happens twice, the day starts at the last midnight the clock reaches from the previous day, so
 * once a day has started the clock never shows an earlier one: the first midnight when the clock goes back from
 * 01:00 to 00:00 (America/Havana), the second when it goes back across midnight (America/St_Johns until 2011,
 * 00:01 → 23:01). In the second case the stretch in which the clock first showed the new day (a minute there)
 * lies in the previous day's window: the one place where a window holds instants {@link dayOf} assigns elsewhere.
 */
import { ExportError } from './errors.js';

declare const calendarDayBrand: unique symbol;
declare const timeZoneBrand: unique symbol;

/** A real proleptic-Gregorian date `YYYY-MM-DD`, years 0001–9999. Obtain one from {@link parseDay}. */
export type CalendarDay = string & { readonly [calendarDayBrand]: true };

/** An IANA time zone name the runtime knows, e.g. `Europe/Istanbul` or `UTC`. Obtain one from {@link parseTimeZone}. */
export type TimeZone = string & { readonly [timeZoneBrand]: true };

/** A half-open interval of instants in epoch milliseconds: `start <= t < end`. */
export interface DayWindow {
  /** The first instant of the day. */
  readonly start: number;
  /** The first instant of the next day (exclusive). Equals `start` only for a day the zone skipped entirely. */
  readonly end: number;
}

const MS_PER_SECOND = 1_000;
const MS_PER_MINUTE = 60_000;
const MS_PER_HOUR = 3_600_000;
const MS_PER_DAY = 86_400_000;
/** The largest magnitude of an epoch-millisecond value a `Date` can hold. */
const MAX_EPOCH_MS = 8.64e15;
/** Every UTC offset in tzdata, local mean time included, lies well within this bound. */
const MAX_OFFSET_MS = 18 * MS_PER_HOUR;

const DAY_FORMAT = 'YYYY-MM-DD (e.g. 2025-01-31)';
const ZONE_EXAMPLE = 'an IANA name such as Europe/Istanbul or UTC';

/**
 * Whether a name is a fixed UTC offset rather than a place. Numeric offsets are not IANA names (and whether `Intl`
 * takes them depends on the Node.js version); `Etc/GMT±N` inverts the sign. Both pin an offset the place may change.
 */
const FIXED_OFFSET = /^(?:[+\-\u2212]\d|(?:Etc\/)?GMT[+-]\d)/i;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Building a formatter costs ~100 µs and formatting ~4 µs, so each zone gets one, reused forever. */
function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US-u-ca-gregory-nu-latn', {
      timeZone: zone,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** UTC midnight of a proleptic-Gregorian date; unlike `Date.UTC`, years 0–99 are not taken as 1900–1999. */
function utcMidnight(year: number, month: number, day: number): number {
  return new Date(0).setUTCFullYear(year, month - 1, day);
}

/** The local wall-clock reading at `instant` in `zone`, encoded as the UTC instant with the same reading. */
function wallClock(zone: string, instant: number): number {
  const fields: Partial<Record<Intl.DateTimeFormatPartTypes, string>> = {};
  for (const { type, value } of formatterFor(zone).formatToParts(instant)) fields[type] = value;
  const year = Number(fields.year);
  // The formatter has seconds resolution; the milliseconds are the same in every zone.
  const millis = ((instant % MS_PER_SECOND) + MS_PER_SECOND) % MS_PER_SECOND;
  return (
    utcMidnight(fields.era === 'BC' ? 1 - year : year, Number(fields.month), Number(fields.day)) +
    Number(fields.hour) * MS_PER_HOUR +
    Number(fields.minute) * MS_PER_MINUTE +
    Number(fields.second) * MS_PER_SECOND +
    millis
  );
}

/** How far the zone's clock is ahead of UTC at `instant`, in milliseconds. */
function offsetAt(zone: string, instant: number): number {
  return wallClock(zone, instant) - instant;
}

/**
 * The instant a day starts, given its midnight `wall` (encoded as by {@link wallClock}): the last instant near
 * `wall` at which the clock moves from an earlier reading to `wall` or later.
 */
function dayStart(zone: string, wall: number): number {
  // The clock reads `wall` under the offset in force a day later or, failing that, a day earlier. Trying the
  // later one first picks the second of two midnights where the clock was set back across midnight. The
  // millisecond-before check rejects a midnight the clock reaches from later in the same day (America/Havana).
  for (const probe of [wall + MS_PER_DAY, wall - MS_PER_DAY]) {
    const candidate = wall - offsetAt(zone, probe);
    if (wallClock(zone, candidate) === wall && wallClock(zone, candidate - 1) < wall) return candidate;
  }
  // Midnight is in a gap. The clock only moves forward across it, so bisect for the jump over whole seconds
  // (tzdata changes clocks on whole seconds); it reads before `wall` at the lower bound, at or after it at the upper.
  let before = wall - MAX_OFFSET_MS;
  let atOrAfter = wall + MAX_OFFSET_MS;
  while (atOrAfter - before > MS_PER_SECOND) {
    const middle = before + Math.floor((atOrAfter - before) / (2 * MS_PER_SECOND)) * MS_PER_SECOND;
    if (wallClock(zone, middle) >= wall) atOrAfter = middle;
    else before = middle;
  }
  return atOrAfter;
}

/** The day whose UTC midnight is `ms`, or `undefined` outside years 0001–9999. */
function dayAtUtcMidnight(ms: number): CalendarDay | undefined {
  const year = new Date(ms).getUTCFullYear();
  if (!(year >= 1 && year <= 9999)) return undefined;
  return new Date(ms).toISOString().slice(0, 10) as CalendarDay;
}

function quote(value: unknown): string {
  if (value === null) return 'null';
  return typeof value === 'string' ? JSON.stringify(value) : typeof value;
}

/**
 * Validates a calendar day written as `YYYY-MM-DD`: four-digit year 0001–9999, two-digit month and day, and a
 * date that exists (no 2025-02-30). Surrounding whitespace is not trimmed.
 *
 * @throws {@link ExportError} naming what is wrong and the expected format.
 */
export function parseDay(text: unknown): CalendarDay {
  if (typeof text !== 'string') {
    throw new ExportError(`Invalid day: expected a string in the form ${DAY_FORMAT}, got ${quote(text)}.`);
  }
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (match === null) throw new ExportError(`Invalid day ${quote(text)}: expected ${DAY_FORMAT}.`);
  const [, yearText = '', monthText = '', dayText = ''] = match;
  const year = Number(yearText);
  const month = Number(monthText);
  const day = Number(dayText);
  if (year < 1) throw new ExportError(`Invalid day ${quote(text)}: years start at 0001; expected ${DAY_FORMAT}.`);
  if (month < 1 || month > 12) {
    throw new ExportError(`Invalid day ${quote(text)}: month ${monthText} is not 01–12; expected ${DAY_FORMAT}.`);
  }
  // Day 0 of the next month is the last day of this one.
  const daysInMonth = new Date(utcMidnight(year, month + 1, 0)).getUTCDate();
  if (day < 1 || day > daysInMonth) {
    throw new ExportError(
      `Invalid day ${quote(text)}: ${yearText}-${monthText} has days 01–${daysInMonth}; expected ${DAY_FORMAT}.`,
    );
  }
  return text as CalendarDay;
}

/**
 * Validates an IANA time zone name against the runtime's ICU data, e.g. `Europe/Istanbul`, `America/New_York`,
 * `UTC`. Links (`US/Eastern`) are accepted and kept as given; matching is case-insensitive like `Intl`'s.
 * Fixed offsets (`+03:00`, `Etc/GMT-3`, `GMT+0`) are rejected: a nightly export's day belongs to a place, and an
 * offset silently stops matching it when the place's rules change (as Turkey's did in 2016).
 *
 * @throws {@link ExportError} naming the zone and what is expected.
 */
export function parseTimeZone(text: unknown): TimeZone {
  if (typeof text !== 'string' || text === '') {
    throw new ExportError(`Invalid time zone ${quote(text)}: expected ${ZONE_EXAMPLE}.`);
  }
  if (FIXED_OFFSET.test(text)) {
    throw new ExportError(
      `Invalid time zone ${quote(text)}: a fixed UTC offset does not follow a place's rules; expected ${ZONE_EXAMPLE}.`,
    );
  }
  try {
    formatterFor(text);
  } catch (error) {
    throw new ExportError(`Unknown time zone ${quote(text)}: expected ${ZONE_EXAMPLE}.`, { cause: error });
  }
  return text as TimeZone;
}

/**
 * Asserts that `zone` is a valid IANA time zone name; see {@link parseTimeZone} for what is accepted.
 *
 * @throws {@link ExportError} naming the zone and what is expected.
 */
export function assertTimeZone(zone: unknown): asserts zone is TimeZone {
  parseTimeZone(zone);
}

/** The zone the export uses when none is configured. */
export const DEFAULT_TIME_ZONE: TimeZone = parseTimeZone('Europe/Istanbul');

/**
 * The instants of one local calendar day in `zone`: `[first instant of day, first instant of the next day)` in
 * epoch milliseconds. Consecutive days tile: `dayWindow(d).end === dayWindow(addDays(d, 1)).start`.
 * Takes tens of microseconds once the zone's formatter exists (~0.1 ms on a transition day).
 */
export function dayWindow(day: CalendarDay, zone: TimeZone): DayWindow {
  const midnight = Date.parse(day);
  return {
    start: dayStart(zone, midnight),
    end: dayStart(zone, midnight + MS_PER_DAY),
  };
}

/**
 * The local calendar day in `zone` that contains `instant` (epoch milliseconds).
 *
 * @throws {@link ExportError} if `instant` is not an integer a `Date` can hold, or its day is outside 0001–9999.
 */
export function dayOf(instant: number, zone: TimeZone): CalendarDay {
  if (!Number.isInteger(instant) || Math.abs(instant) > MAX_EPOCH_MS) {
    throw new ExportError(`Invalid instant ${instant}: expected integer epoch milliseconds.`);
  }
  const wall = wallClock(zone, instant);
  const day = dayAtUtcMidnight(wall - (((wall % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY));
  if (day === undefined) {
    throw new ExportError(`Instant ${instant} falls outside the supported years 0001–9999 in ${zone}.`);
  }
  return day;
}

/**
 * "Yesterday" as seen at `instant` in `zone`: the day before {@link dayOf}`(instant, zone)`. A nightly run at
 * 00:30 local time exports the day that just ended.
 *
 * @throws {@link ExportError} as {@link dayOf} does.
 */
export function previousDay(instant: number, zone: TimeZone): CalendarDay {
  return addDays(dayOf(instant, zone), -1);
}

/**
 * The calendar day `days` days after `day` (before it when negative). Pure date arithmetic, no time zone.
 *
 * @throws {@link ExportError} if `days` is not an integer or the result is outside 0001–9999.
 */
export function addDays(day: CalendarDay, days: number): CalendarDay {
  if (!Number.isInteger(days)) throw new ExportError(`Invalid day count ${days}: expected an integer.`);
  const result = dayAtUtcMidnight(Date.parse(day) + days * MS_PER_DAY);
  if (result === undefined) {
    throw new ExportError(`${day} plus ${days} days falls outside the supported years 0001–9999.`);
  }
  return result;
}

/** Limits for {@link daysInRange}. */
export interface DayRangeOptions {
  /** The longest inclusive range allowed, in days; a guard against a typo exporting years of data. */
  readonly maxDays: number;
}

/**
 * Every day from `from` through `to`, both inclusive, in order.
 *
 * @throws {@link ExportError} if `from` is after `to`, if the range has more than `maxDays` days, or if
 *   `maxDays` is not a positive integer.
 */
export function daysInRange(from: CalendarDay, to: CalendarDay, { maxDays }: DayRangeOptions): CalendarDay[] {
  if (!Number.isInteger(maxDays) || maxDays < 1) {
    throw new ExportError(`Invalid maxDays ${maxDays}: expected a positive integer.`);
  }
  if (from > to) throw new ExportError(`Invalid day range ${from}..${to}: the first day is after the last.`);
  const count = (Date.parse(to) - Date.parse(from)) / MS_PER_DAY + 1;
  if (count > maxDays) {
    throw new ExportError(
      `Day range ${from}..${to} has ${count} days, more than the limit of ${maxDays}; export it in smaller ranges.`,
    );
  }
  return Array.from({ length: count }, (_, index) => addDays(from, index));
}
