/**
 * Calendar days and IANA time zones as settings name them: the two value types that infra (synth) and the
 * runtime share, and their setting validators. The day math on them lives in the exporter's core (core/days.ts).
 */
import { asSetting, InvalidValueError } from './errors.js';

declare const calendarDayBrand: unique symbol;
declare const timeZoneBrand: unique symbol;

/** A real proleptic-Gregorian date `YYYY-MM-DD`, years 0001–9999. Obtain one from {@link parseDay}. */
export type CalendarDay = string & { readonly [calendarDayBrand]: true };

/** An IANA time zone name the runtime knows, e.g. `Europe/Istanbul` or `UTC`. Obtain one from {@link parseTimeZone}. */
export type TimeZone = string & { readonly [timeZoneBrand]: true };

const DAY_FORMAT = 'YYYY-MM-DD (e.g. 2025-01-31)';
const ZONE_EXAMPLE = 'an IANA name such as Europe/Istanbul or UTC';

/**
 * Whether a name is a fixed UTC offset rather than a place. Numeric offsets are not IANA names (and whether `Intl`
 * takes them depends on the Node.js version); `Etc/GMT±N` inverts the sign. Both pin an offset the place may change.
 */
const FIXED_OFFSET = /^(?:[+\-\u2212]\d|(?:Etc\/)?GMT[+-]\d)/i;

/** UTC midnight of a proleptic-Gregorian date; unlike `Date.UTC`, years 0–99 are not taken as 1900–1999. */
export function utcMidnight(year: number, month: number, day: number): number {
  return new Date(0).setUTCFullYear(year, month - 1, day);
}

function quote(value: unknown): string {
  if (value === null) return 'null';
  return typeof value === 'string' ? JSON.stringify(value) : typeof value;
}

/**
 * Validates a calendar day written as `YYYY-MM-DD`: four-digit year 0001–9999, two-digit month and day, and a
 * date that exists (no 2025-02-30). Surrounding whitespace is not trimmed.
 *
 * @throws {@link InvalidValueError} naming what is wrong and the expected format.
 */
export function parseDay(text: unknown): CalendarDay {
  if (typeof text !== 'string') {
    throw new InvalidValueError(`Invalid day: expected a string in the form ${DAY_FORMAT}, got ${quote(text)}.`);
  }
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (match === null) throw new InvalidValueError(`Invalid day ${quote(text)}: expected ${DAY_FORMAT}.`);
  const [, yearText = '', monthText = '', dayText = ''] = match;
  const year = Number(yearText);
  const month = Number(monthText);
  const day = Number(dayText);
  if (year < 1) throw new InvalidValueError(`Invalid day ${quote(text)}: years start at 0001; expected ${DAY_FORMAT}.`);
  if (month < 1 || month > 12) {
    throw new InvalidValueError(`Invalid day ${quote(text)}: month ${monthText} is not 01–12; expected ${DAY_FORMAT}.`);
  }
  // Day 0 of the next month is the last day of this one.
  const daysInMonth = new Date(utcMidnight(year, month + 1, 0)).getUTCDate();
  if (day < 1 || day > daysInMonth) {
    throw new InvalidValueError(
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
 * @throws {@link InvalidValueError} naming the zone and what is expected.
 */
export function parseTimeZone(text: unknown): TimeZone {
  if (typeof text !== 'string' || text === '') {
    throw new InvalidValueError(`Invalid time zone ${quote(text)}: expected ${ZONE_EXAMPLE}.`);
  }
  if (FIXED_OFFSET.test(text)) {
    throw new InvalidValueError(
      `Invalid time zone ${quote(text)}: a fixed UTC offset does not follow a place's rules; expected ${ZONE_EXAMPLE}.`,
    );
  }
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: text });
  } catch (error) {
    throw new InvalidValueError(`Unknown time zone ${quote(text)}: expected ${ZONE_EXAMPLE}.`, { cause: error });
  }
  return text as TimeZone;
}

/** The validator of a time zone setting (`timezone` context, `EXPORT_TIMEZONE`, `--timezone`): see {@link parseTimeZone}. */
export function timeZoneSetting(text: string, setting: string): TimeZone {
  return asSetting(setting, () => parseTimeZone(text.trim()));
}

/** The validator of a day setting (`projectionStartDate` context, `EXPORT_FIRST_DAY`): see {@link parseDay}. */
export function daySetting(text: string, setting: string): CalendarDay {
  return asSetting(setting, () => parseDay(text.trim()));
}
