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
 *
 * A day is over once its window has ended; only such days are exported ({@link refuseDaysNotOver}).
 */
import { utcMidnight, type CalendarDay, type TimeZone } from '../../contract/calendar.js';
import { ConfigError, ExportError } from './errors.js';

/**
 * A half-open interval of instants in epoch milliseconds, `start <= t < end`: a day's (see {@link dayWindow}) or
 * a part of it that one pager pages. Empty when `start === end`.
 */
export interface TimeWindow {
  readonly start: number;
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

/**
 * The instants of one local calendar day in `zone`: `[first instant of day, first instant of the next day)` in
 * epoch milliseconds; empty only for a day the zone skipped entirely. Consecutive days tile: `dayWindow(d).end === dayWindow(addDays(d, 1)).start`.
 * Takes tens of microseconds once the zone's formatter exists (~0.1 ms on a transition day).
 */
export function dayWindow(day: CalendarDay, zone: TimeZone): TimeWindow {
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

/** How many days `from` through `to` holds, both inclusive (0 or less when `from` is after `to`). */
export function dayCount(from: CalendarDay, to: CalendarDay): number {
  return (Date.parse(to) - Date.parse(from)) / MS_PER_DAY + 1;
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
  const count = dayCount(from, to);
  if (count > maxDays) {
    throw new ExportError(
      `Day range ${from}..${to} has ${count} days, more than the limit of ${maxDays}; export it in smaller ranges.`,
    );
  }
  return Array.from({ length: count }, (_, index) => addDays(from, index));
}

/**
 * The instant `instant` as the clock in `zone` shows it, with the zone's UTC offset then:
 * `YYYY-MM-DD HH:MM (+HH:MM)`, e.g. `2026-12-02 00:00 (+03:00)`.
 */
export function localTimeWithOffset(instant: number, zone: TimeZone): string {
  const wall = new Date(wallClock(zone, instant));
  const offsetMinutes = Math.round(offsetAt(zone, instant) / MS_PER_MINUTE);
  const pad = (value: number, width = 2): string => String(value).padStart(width, '0');
  const date = `${pad(wall.getUTCFullYear(), 4)}-${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())}`;
  const time = `${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())}`;
  const sign = offsetMinutes < 0 ? '-' : '+';
  const offset = `${pad(Math.floor(Math.abs(offsetMinutes) / 60))}:${pad(Math.abs(offsetMinutes) % 60)}`;
  return `${date} ${time} (${sign}${offset})`;
}

/** The days in calendar order; a scheduled run lists them newest first. */
function chronological(days: readonly CalendarDay[]): CalendarDay[] {
  return [...days].sort();
}

/**
 * What a refusal of `days` is about: the day itself, or the whole range when there are several, so that nobody
 * reads a refused range as partly exported.
 */
function refusalOf(days: readonly CalendarDay[], reason: string): string {
  const [first] = days;
  const last = days.at(-1);
  if (first === undefined || last === undefined || first === last) return reason;
  return `range ${first}..${last} is refused as a whole: ${reason}`;
}

/**
 * Refuses `days` if any of them is not over at `now` in `zone`: a day is over once its window ends (the next
 * local midnight or, where the clock skips midnight, the first instant after the gap; see {@link dayWindow}).
 * Exporting a day that is not over would write a partition that silently lacks the rest of the day. Several days are refused
 * as a whole, before any of them is exported. The message names the earliest unfinished day and when it can be
 * exported, e.g. `2026-12-01 is not over in Europe/Istanbul until 2026-12-02 00:00 (+03:00)`, and for a range
 * also when its last day ends.
 *
 * @param setting - The flag or field that asked for the days, e.g. `--date` or `event.date`; the error names it.
 * @throws {@link ConfigError} of `setting` if a day is not over.
 */
export function refuseDaysNotOver(days: readonly CalendarDay[], zone: TimeZone, now: number, setting: string): void {
  const ordered = chronological(days);
  const unfinished = ordered.filter((day) => dayWindow(day, zone).end > now);
  const [first] = unfinished;
  if (first === undefined) return;
  const last = unfinished.at(-1) ?? first;
  const until = (day: CalendarDay): string => localTimeWithOffset(dayWindow(day, zone).end, zone);
  const lastToo = last === first ? '' : ` and ${last} not until ${until(last)}`;
  throw new ConfigError(setting, refusalOf(ordered, `${first} is not over in ${zone} until ${until(first)}${lastToo}`));
}

/**
 * Refuses `days` if any of them is before `firstDay`, the first day of Athena's partition projection: Athena
 * would never show such a day's partition. Several days are refused as a whole; the message names the earliest.
 *
 * @param setting - The flag or field that asked for the days, e.g. `event.date`; the error names it.
 * @throws {@link ConfigError} of `setting` if a day is before `firstDay`.
 */
export function refuseDaysBeforeFirstDay(days: readonly CalendarDay[], firstDay: CalendarDay, setting: string): void {
  const ordered = chronological(days);
  const [earliest] = ordered;
  if (earliest === undefined || earliest >= firstDay) return;
  throw new ConfigError(
    setting,
    refusalOf(
      ordered,
      `${earliest} is before ${firstDay}, where Athena's partition projection starts, so Athena would never show ` +
        'it; to export earlier days, move the start with the CDK context projectionStartDate and deploy',
    ),
  );
}
