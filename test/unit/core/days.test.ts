import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  dayOf,
  dayWindow,
  daysInRange,
  localTimeWithOffset,
  previousDay,
  refuseDaysBeforeFirstDay,
  refuseDaysNotOver,
} from '../../../functions/export/core/days.js';
import { InvalidValueError } from '../../../functions/contract/errors.js';
import { DEFAULTS } from '../../../functions/contract/settings.js';
import { parseDay, parseTimeZone } from '../../../functions/contract/calendar.js';
import type { TimeWindow } from '../../../functions/export/core/days.js';
import type { CalendarDay, TimeZone } from '../../../functions/contract/calendar.js';
import { ConfigError, ExportError } from '../../../functions/export/core/errors.js';

const HOUR = 3_600_000;
const RUNS = { numRuns: 300 };

const at = (iso: string): number => Date.parse(iso);
const day = (text: string): CalendarDay => parseDay(text);
const zone = (name: string): TimeZone => parseTimeZone(name);
const hours = (window: TimeWindow): number => (window.end - window.start) / HOUR;

/** Expected windows in UTC, checked against `zdump -v` of the system tzdata; comments explain unusual days. */
const EXACT: readonly (readonly [zone: string, day: string, start: string, end: string, hours: number])[] = [
  // Fixed +03 since 2016-09-07.
  ['Europe/Istanbul', '2025-06-15', '2025-06-14T21:00:00Z', '2025-06-15T21:00:00Z', 24],
  ['Europe/Istanbul', '2025-01-01', '2024-12-31T21:00:00Z', '2025-01-01T21:00:00Z', 24],
  // 2015: EET→EEST at 03:00→04:00 on 29 Mar; EEST→EET delayed to 04:00→03:00 on 8 Nov.
  ['Europe/Istanbul', '2015-03-29', '2015-03-28T22:00:00Z', '2015-03-29T21:00:00Z', 23],
  ['Europe/Istanbul', '2015-11-08', '2015-11-07T21:00:00Z', '2015-11-08T22:00:00Z', 25],
  ['America/New_York', '2025-03-09', '2025-03-09T05:00:00Z', '2025-03-10T04:00:00Z', 23],
  ['America/New_York', '2025-11-02', '2025-11-02T04:00:00Z', '2025-11-03T05:00:00Z', 25],
  ['UTC', '2025-01-01', '2025-01-01T00:00:00Z', '2025-01-02T00:00:00Z', 24],
  // 00:00 -04 does not exist: the clock jumps to 01:00 -03, which is where the day starts.
  ['America/Santiago', '2024-09-08', '2024-09-08T04:00:00Z', '2024-09-09T03:00:00Z', 23],
  ['America/Santiago', '2024-09-07', '2024-09-07T04:00:00Z', '2024-09-08T04:00:00Z', 24],
  // 24:00 -03 on 5 Apr goes back to 23:00 -04, so 5 Apr gets the repeated hour.
  ['America/Santiago', '2025-04-05', '2025-04-05T03:00:00Z', '2025-04-06T04:00:00Z', 25],
  ['Asia/Beirut', '2024-03-31', '2024-03-30T22:00:00Z', '2024-03-31T21:00:00Z', 23],
  ['America/Havana', '2024-03-10', '2024-03-10T05:00:00Z', '2024-03-11T04:00:00Z', 23],
  // 01:00 CDT goes back to 00:00 CST: midnight happens twice and the day starts at the first one.
  ['America/Havana', '2024-11-03', '2024-11-03T04:00:00Z', '2024-11-04T05:00:00Z', 25],
  // East of UTC, 01:00 +03 went back to 00:00 +02: midnight twice, both within the day; it starts at the first.
  ['Asia/Amman', '2001-09-28', '2001-09-27T21:00:00Z', '2001-09-28T22:00:00Z', 25],
  ['Asia/Amman', '2001-03-29', '2001-03-28T22:00:00Z', '2001-03-29T21:00:00Z', 23],
  // 00:01 NDT went back to 23:01 NST: the clock showed 29 Oct for a minute, then 28 Oct again. The 29th starts
  // at the second midnight, so that minute belongs to the 28th's window.
  ['America/St_Johns', '2006-10-28', '2006-10-28T02:30:00Z', '2006-10-29T03:30:00Z', 25],
  ['America/St_Johns', '2006-10-29', '2006-10-29T03:30:00Z', '2006-10-30T03:30:00Z', 24],
  // East of UTC, the same: 02:00 +11 on 5 Mar went back to 23:00 +08 on 4 Mar.
  ['Antarctica/Casey', '2010-03-04', '2010-03-03T13:00:00Z', '2010-03-04T16:00:00Z', 27],
  ['Antarctica/Casey', '2010-03-05', '2010-03-04T16:00:00Z', '2010-03-05T16:00:00Z', 24],
  ['Asia/Kolkata', '2025-01-15', '2025-01-14T18:30:00Z', '2025-01-15T18:30:00Z', 24],
  // Half-hour DST: 02:00→02:30 on 5 Oct, 02:00→01:30 on 6 Apr.
  ['Australia/Lord_Howe', '2025-10-05', '2025-10-04T13:30:00Z', '2025-10-05T13:00:00Z', 23.5],
  ['Australia/Lord_Howe', '2025-04-06', '2025-04-05T13:00:00Z', '2025-04-06T13:30:00Z', 24.5],
  // Samoa crossed the date line: 29 Dec 23:59:59 -10 was followed by 31 Dec 00:00 +14.
  ['Pacific/Apia', '2011-12-29', '2011-12-29T10:00:00Z', '2011-12-30T10:00:00Z', 24],
  ['Pacific/Apia', '2011-12-30', '2011-12-30T10:00:00Z', '2011-12-30T10:00:00Z', 0],
  ['Pacific/Apia', '2011-12-31', '2011-12-30T10:00:00Z', '2011-12-31T10:00:00Z', 24],
];

/** Window lengths in hours that tzdata gives each zone between 1970 and 2100. */
const LENGTHS: Readonly<Record<string, readonly number[]>> = {
  'Europe/Istanbul': [23, 24, 25],
  'America/New_York': [23, 24, 25],
  'America/Santiago': [23, 24, 25],
  'America/Havana': [23, 24, 25],
  'Asia/Beirut': [23, 24, 25],
  'Asia/Amman': [23, 24, 25],
  'Europe/London': [23, 24, 25],
  'Pacific/Chatham': [23, 24, 25],
  UTC: [24],
  'Asia/Kolkata': [24],
  // +10 → +10:30 in March 1981, one-hour DST 1981–1985, half-hour DST since.
  'Australia/Lord_Howe': [23, 23.5, 24, 24.5, 25],
  // +05:30 → +05:45 on 1986-01-01.
  'Asia/Kathmandu': [23.75, 24],
  // 2011-12-30 was skipped.
  'Pacific/Apia': [0, 23, 24, 25],
};

const zoneArb = fc.constantFrom(...Object.keys(LENGTHS)).map(zone);
const instantArb = fc.integer({ min: at('1970-01-01T00:00:00Z'), max: at('2100-12-31T00:00:00Z') });
const dayArb = instantArb.map((instant) => day(new Date(instant).toISOString().slice(0, 10)));
const exactArb = fc.constantFrom(...EXACT.map(([name, text]) => [zone(name), day(text)] as const));
/** Random zone/day pairs, mixed with the transition days above so that every run exercises some. */
const zoneDayArb = fc.oneof(fc.tuple(zoneArb, dayArb), exactArb);

describe('dayWindow', () => {
  it.each(EXACT)('%s %s is [%s, %s), %s h', (name, text, start, end, length) => {
    const window = dayWindow(day(text), zone(name));
    expect(window).toEqual({ start: at(start), end: at(end) });
    expect(hours(window)).toBe(length);
  });

  it('covers the first and last supported days', () => {
    expect(dayWindow(day('0001-01-01'), zone('UTC'))).toEqual({
      start: at('0001-01-01T00:00:00Z'),
      end: at('0001-01-02T00:00:00Z'),
    });
    expect(dayWindow(day('9999-12-31'), zone('Asia/Kolkata'))).toEqual({
      start: at('9999-12-30T18:30:00Z'),
      end: at('+010000-01-01T00:00:00Z') - 5.5 * HOUR,
    });
  });

  it('starts and ends where the local day changes', () => {
    fc.assert(
      fc.property(zoneDayArb, ([tz, d]) => {
        const { start, end } = dayWindow(d, tz);
        expect(dayOf(start - 1, tz) < d).toBe(true);
        expect(dayOf(end, tz) > d).toBe(true);
        if (end > start) {
          expect(dayOf(start, tz)).toBe(d);
          expect(dayOf(end - 1, tz)).toBe(d);
        }
      }),
      RUNS,
    );
  });

  it('tiles consecutive days with no gap or overlap', () => {
    fc.assert(
      fc.property(zoneDayArb, ([tz, d]) => {
        expect(dayWindow(d, tz).end).toBe(dayWindow(addDays(d, 1), tz).start);
      }),
      RUNS,
    );
  });

  it('is as long as the zone allows: 24 h, or off by one of its real transitions', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.tuple(zoneArb, dayArb),
          exactArb.filter(([tz]) => tz in LENGTHS),
        ),
        ([tz, d]) => {
          expect(LENGTHS[tz]).toContain(hours(dayWindow(d, tz)));
        },
      ),
      RUNS,
    );
  });
});

describe('dayOf', () => {
  it('never goes back to an earlier day once a day has started', () => {
    fc.assert(
      fc.property(zoneDayArb, fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), ([tz, d], fraction) => {
        const { start, end } = dayWindow(d, tz);
        expect(dayOf(start + Math.floor(fraction * (end - start)), tz) >= d).toBe(true);
      }),
      RUNS,
    );
  });

  it('gives the minute shown before a set-back across midnight to the day it showed', () => {
    const stJohns = zone('America/St_Johns');
    expect(dayOf(at('2006-10-29T02:30:30Z'), stJohns)).toBe('2006-10-29');
    expect(dayWindow(day('2006-10-28'), stJohns).end).toBeGreaterThan(at('2006-10-29T02:30:30Z'));
    expect(dayOf(at('2006-10-29T03:00:00Z'), stJohns)).toBe('2006-10-28');
  });

  it('returns the local day around a day boundary', () => {
    const istanbul = zone('Europe/Istanbul');
    expect(dayOf(at('2025-06-14T20:59:59.999Z'), istanbul)).toBe('2025-06-14');
    expect(dayOf(at('2025-06-14T21:00:00.000Z'), istanbul)).toBe('2025-06-15');
    expect(dayOf(at('2025-06-14T12:00:00.000Z'), zone('UTC'))).toBe('2025-06-14');
  });

  it('assigns gap and repeated-hour instants to the right day', () => {
    const santiago = zone('America/Santiago');
    expect(dayOf(at('2024-09-08T03:59:59.999Z'), santiago)).toBe('2024-09-07');
    expect(dayOf(at('2024-09-08T04:00:00.000Z'), santiago)).toBe('2024-09-08');
    // The second 00:30 of 3 Nov 2024 in Havana.
    expect(dayOf(at('2024-11-03T05:30:00Z'), zone('America/Havana'))).toBe('2024-11-03');
  });

  it('handles instants before the epoch and fractions of an hour', () => {
    expect(dayOf(-1, zone('UTC'))).toBe('1969-12-31');
    expect(dayOf(at('1969-12-31T18:29:59.999Z'), zone('Asia/Kolkata'))).toBe('1969-12-31');
    expect(dayOf(at('1969-12-31T18:30:00.000Z'), zone('Asia/Kolkata'))).toBe('1970-01-01');
  });

  it('lies inside the window of the day it returns', () => {
    fc.assert(
      fc.property(instantArb, zoneArb, (instant, tz) => {
        const { start, end } = dayWindow(dayOf(instant, tz), tz);
        expect(start).toBeLessThanOrEqual(instant);
        expect(instant).toBeLessThan(end);
      }),
      RUNS,
    );
  });

  it.each([1.5, Number.NaN, Number.POSITIVE_INFINITY, 8.64e15 + 1])('rejects the instant %s', (instant) => {
    expect(() => dayOf(instant, zone('UTC'))).toThrow(
      new ExportError(`Invalid instant ${instant}: expected integer epoch milliseconds.`),
    );
  });

  it('rejects instants whose day is outside 0001–9999', () => {
    const beforeYearOne = at('0000-12-31T23:59:59.999Z');
    expect(() => dayOf(beforeYearOne, zone('UTC'))).toThrow(
      new ExportError(`Instant ${beforeYearOne} falls outside the supported years 0001–9999 in UTC.`),
    );
    expect(() => dayOf(at('+010000-01-01T00:00:00Z'), zone('UTC'))).toThrow(/outside the supported years/);
    expect(dayOf(at('0001-01-01T00:00:00Z'), zone('UTC'))).toBe('0001-01-01');
  });
});

describe('previousDay', () => {
  it('is the day that just ended for a nightly run after local midnight', () => {
    // 00:30 in Istanbul on 15 June.
    expect(previousDay(at('2025-06-14T21:30:00Z'), DEFAULTS.timeZone)).toBe('2025-06-14');
    // 23:30 in Istanbul on 14 June: still the 14th, so yesterday is the 13th.
    expect(previousDay(at('2025-06-14T20:30:00Z'), DEFAULTS.timeZone)).toBe('2025-06-13');
    expect(previousDay(at('2025-01-01T00:00:00Z'), zone('UTC'))).toBe('2024-12-31');
  });

  it('ends where the day containing the instant starts', () => {
    fc.assert(
      fc.property(instantArb, zoneArb, (instant, tz) => {
        const today = dayOf(instant, tz);
        const yesterday = previousDay(instant, tz);
        expect(yesterday).toBe(addDays(today, -1));
        expect(dayWindow(yesterday, tz).end).toBe(dayWindow(today, tz).start);
      }),
      RUNS,
    );
  });
});

describe('parseDay', () => {
  it('accepts real dates', () => {
    expect(parseDay('2025-01-31')).toBe('2025-01-31');
    expect(parseDay('2024-02-29')).toBe('2024-02-29');
    expect(parseDay('2000-02-29')).toBe('2000-02-29');
    expect(parseDay('0001-01-01')).toBe('0001-01-01');
    expect(parseDay('9999-12-31')).toBe('9999-12-31');
  });

  it.each([
    [' 2025-01-01', 'Invalid day " 2025-01-01": expected YYYY-MM-DD (e.g. 2025-01-31).'],
    ['2025-01-01 ', 'Invalid day "2025-01-01 ": expected YYYY-MM-DD (e.g. 2025-01-31).'],
    ['2025-01-01\n', 'Invalid day "2025-01-01\\n": expected YYYY-MM-DD (e.g. 2025-01-31).'],
    ['2025-1-1', 'Invalid day "2025-1-1": expected YYYY-MM-DD (e.g. 2025-01-31).'],
    ['25-01-01', 'Invalid day "25-01-01": expected YYYY-MM-DD (e.g. 2025-01-31).'],
    ['2025/01/01', 'Invalid day "2025/01/01": expected YYYY-MM-DD (e.g. 2025-01-31).'],
    ['2025-01-01T00:00:00Z', 'Invalid day "2025-01-01T00:00:00Z": expected YYYY-MM-DD (e.g. 2025-01-31).'],
    ['+02025-01-01', 'Invalid day "+02025-01-01": expected YYYY-MM-DD (e.g. 2025-01-31).'],
    ['２０２５-01-01', 'Invalid day "２０２５-01-01": expected YYYY-MM-DD (e.g. 2025-01-31).'],
    ['', 'Invalid day "": expected YYYY-MM-DD (e.g. 2025-01-31).'],
    ['2025-13-01', 'Invalid day "2025-13-01": month 13 is not 01–12; expected YYYY-MM-DD (e.g. 2025-01-31).'],
    ['2025-00-10', 'Invalid day "2025-00-10": month 00 is not 01–12; expected YYYY-MM-DD (e.g. 2025-01-31).'],
    ['2025-02-30', 'Invalid day "2025-02-30": 2025-02 has days 01–28; expected YYYY-MM-DD (e.g. 2025-01-31).'],
    ['2025-02-29', 'Invalid day "2025-02-29": 2025-02 has days 01–28; expected YYYY-MM-DD (e.g. 2025-01-31).'],
    ['1900-02-29', 'Invalid day "1900-02-29": 1900-02 has days 01–28; expected YYYY-MM-DD (e.g. 2025-01-31).'],
    ['2025-04-31', 'Invalid day "2025-04-31": 2025-04 has days 01–30; expected YYYY-MM-DD (e.g. 2025-01-31).'],
    ['2025-01-00', 'Invalid day "2025-01-00": 2025-01 has days 01–31; expected YYYY-MM-DD (e.g. 2025-01-31).'],
    ['0000-01-01', 'Invalid day "0000-01-01": years start at 0001; expected YYYY-MM-DD (e.g. 2025-01-31).'],
  ])('rejects %j', (text, message) => {
    expect(() => parseDay(text)).toThrow(new InvalidValueError(message));
  });

  it.each([
    [20250101, 'number'],
    [undefined, 'undefined'],
    [null, 'null'],
  ])('rejects the non-string %s', (value, type) => {
    expect(() => parseDay(value)).toThrow(
      new InvalidValueError(`Invalid day: expected a string in the form YYYY-MM-DD (e.g. 2025-01-31), got ${type}.`),
    );
  });

  it('round-trips every day of years 0001–9999', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date(at('0001-01-01T00:00:00Z')),
          max: new Date(at('9999-12-31T00:00:00Z')),
          noInvalidDate: true,
        }),
        (date) => {
          const text = date.toISOString().slice(0, 10);
          expect(parseDay(text)).toBe(text);
        },
      ),
      RUNS,
    );
  });

  it('accepts a YYYY-MM-DD string exactly when the date exists', () => {
    const isLeap = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    const lastDay = (year: number, month: number): number =>
      month === 2 ? (isLeap(year) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
    const pad = (value: number, width: number): string => String(value).padStart(width, '0');
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        (year, month, dayOfMonth) => {
          const text = `${pad(year, 4)}-${pad(month, 2)}-${pad(dayOfMonth, 2)}`;
          const exists =
            year >= 1 && month >= 1 && month <= 12 && dayOfMonth >= 1 && dayOfMonth <= lastDay(year, month);
          if (exists) expect(parseDay(text)).toBe(text);
          else expect(() => parseDay(text)).toThrow(InvalidValueError);
        },
      ),
      RUNS,
    );
  });
});

describe('parseTimeZone', () => {
  it.each(['UTC', 'Etc/UTC', 'Europe/Istanbul', 'America/New_York', 'Asia/Kolkata', 'US/Eastern'])(
    'accepts %s as given',
    (name) => {
      expect(parseTimeZone(name)).toBe(name);
    },
  );

  it('defaults to Europe/Istanbul', () => {
    expect(DEFAULTS.timeZone).toBe('Europe/Istanbul');
  });

  it.each(['Europe/Istanbull', ' UTC', 'UTC ', 'Mars/Olympus_Mons', 'Factory'])(
    'rejects the unknown zone %j',
    (name) => {
      const error = new InvalidValueError(
        `Unknown time zone ${JSON.stringify(name)}: expected an IANA name such as Europe/Istanbul or UTC.`,
      );
      expect(() => parseTimeZone(name)).toThrow(error);
    },
  );

  it('keeps the runtime error as the cause', () => {
    expect(() => parseTimeZone('Europe/Istanbull')).toThrow(
      expect.objectContaining({ cause: expect.any(RangeError) as unknown }),
    );
  });

  it.each(['+03:00', '-05:00', '\u221205:00', '+0300', 'Etc/GMT-3', 'Etc/GMT+5', 'GMT+0', 'etc/gmt-3'])(
    'rejects the fixed offset %j',
    (name) => {
      expect(() => parseTimeZone(name)).toThrow(
        new InvalidValueError(
          `Invalid time zone ${JSON.stringify(name)}: a fixed UTC offset does not follow a place's rules; expected an IANA name such as Europe/Istanbul or UTC.`,
        ),
      );
    },
  );

  it.each([
    ['', '""'],
    [undefined, 'undefined'],
    [3, 'number'],
  ])('rejects %j', (value, shown) => {
    expect(() => parseTimeZone(value)).toThrow(
      new InvalidValueError(`Invalid time zone ${shown}: expected an IANA name such as Europe/Istanbul or UTC.`),
    );
  });
});

describe('addDays', () => {
  it('crosses month, year and leap-day boundaries', () => {
    expect(addDays(day('2025-01-31'), 1)).toBe('2025-02-01');
    expect(addDays(day('2024-02-28'), 1)).toBe('2024-02-29');
    expect(addDays(day('2025-01-01'), -1)).toBe('2024-12-31');
    expect(addDays(day('2025-03-01'), 0)).toBe('2025-03-01');
    expect(addDays(day('2025-01-01'), 365)).toBe('2026-01-01');
  });

  it('agrees with UTC date arithmetic and inverts itself', () => {
    fc.assert(
      fc.property(dayArb, fc.integer({ min: -40_000, max: 40_000 }), (d, n) => {
        const moved = addDays(d, n);
        expect(moved).toBe(new Date(at(d) + n * 86_400_000).toISOString().slice(0, 10));
        expect(addDays(moved, -n)).toBe(d);
      }),
      RUNS,
    );
  });

  it('rejects results outside 0001–9999 and non-integer counts', () => {
    expect(() => addDays(day('0001-01-01'), -1)).toThrow(
      new ExportError('0001-01-01 plus -1 days falls outside the supported years 0001–9999.'),
    );
    expect(() => addDays(day('9999-12-31'), 1)).toThrow(/outside the supported years/);
    expect(() => addDays(day('2025-01-01'), 1e20)).toThrow(/outside the supported years/);
    expect(() => addDays(day('2025-01-01'), 0.5)).toThrow(
      new ExportError('Invalid day count 0.5: expected an integer.'),
    );
    expect(() => addDays(day('2025-01-01'), Number.NaN)).toThrow(/Invalid day count NaN/);
  });
});

describe('daysInRange', () => {
  it('lists every day, both ends included', () => {
    expect(daysInRange(day('2024-02-27'), day('2024-03-01'), { maxDays: 31 })).toEqual([
      '2024-02-27',
      '2024-02-28',
      '2024-02-29',
      '2024-03-01',
    ]);
    expect(daysInRange(day('2025-01-01'), day('2025-01-01'), { maxDays: 1 })).toEqual(['2025-01-01']);
  });

  it('allows exactly maxDays days and no more', () => {
    expect(daysInRange(day('2025-01-01'), day('2025-01-31'), { maxDays: 31 })).toHaveLength(31);
    expect(() => daysInRange(day('2025-01-01'), day('2025-02-01'), { maxDays: 31 })).toThrow(
      new ExportError(
        'Day range 2025-01-01..2025-02-01 has 32 days, more than the limit of 31; export it in smaller ranges.',
      ),
    );
  });

  it('rejects a range that ends before it starts', () => {
    expect(() => daysInRange(day('2025-01-05'), day('2025-01-01'), { maxDays: 31 })).toThrow(
      new ExportError('Invalid day range 2025-01-05..2025-01-01: the first day is after the last.'),
    );
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects maxDays %s', (maxDays) => {
    expect(() => daysInRange(day('2025-01-01'), day('2025-01-01'), { maxDays })).toThrow(
      new ExportError(`Invalid maxDays ${maxDays}: expected a positive integer.`),
    );
  });

  it('is the run of consecutive days from the first to the last', () => {
    fc.assert(
      fc.property(dayArb, fc.integer({ min: 0, max: 120 }), (from, extra) => {
        const to = addDays(from, extra);
        const days = daysInRange(from, to, { maxDays: 121 });
        expect(days).toHaveLength(extra + 1);
        expect(days[0]).toBe(from);
        expect(days.at(-1)).toBe(to);
        expect(days.slice(1)).toEqual(days.slice(0, -1).map((d) => addDays(d, 1)));
      }),
      RUNS,
    );
  });
});

describe('localTimeWithOffset', () => {
  it.each([
    ['2026-12-01T21:00:00Z', 'Europe/Istanbul', '2026-12-02 00:00 (+03:00)'],
    ['2026-12-02T05:00:00Z', 'America/New_York', '2026-12-02 00:00 (-05:00)'],
    ['2026-07-02T04:00:00Z', 'America/New_York', '2026-07-02 00:00 (-04:00)'],
    ['2025-01-15T18:30:00Z', 'Asia/Kolkata', '2025-01-16 00:00 (+05:30)'],
    ['2025-01-15T18:15:00Z', 'Asia/Kathmandu', '2025-01-16 00:00 (+05:45)'],
    ['2025-01-01T09:41:59.999Z', 'UTC', '2025-01-01 09:41 (+00:00)'],
    // Midnight was skipped: the clock jumped from 23:59:59 -04 to 01:00 -03.
    ['2024-09-08T04:00:00Z', 'America/Santiago', '2024-09-08 01:00 (-03:00)'],
  ])('shows %s in %s as %s', (instant, name, expected) => {
    expect(localTimeWithOffset(at(instant), zone(name))).toBe(expected);
  });
});

/** The ConfigError that `refuse` throws, or a failure if it throws none. */
function refusal(refuse: () => void): ConfigError {
  try {
    refuse();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('refuseDaysNotOver', () => {
  const MS = 1;

  it('refuses a day until its end, the next local midnight, in the exact words', () => {
    const error = refusal(() => {
      refuseDaysNotOver([day('2026-12-01')], zone('Europe/Istanbul'), at('2026-12-01T20:59:59.999Z'), '--date');
    });
    expect(error.setting).toBe('--date');
    expect(error.message).toBe('--date: 2026-12-01 is not over in Europe/Istanbul until 2026-12-02 00:00 (+03:00)');
  });

  // Local midnight of 2026-12-02 in each zone: the end of 2026-12-01, the start of "today".
  it.each([
    ['Europe/Istanbul', '2026-12-01T21:00:00Z', '+03:00'],
    ['America/New_York', '2026-12-02T05:00:00Z', '-05:00'],
  ])(
    'in %s, refuses the day ending at local midnight 1 ms before it and accepts it at it',
    (name, midnight, offset) => {
      const tz = zone(name);
      const ended = day('2026-12-01');
      const refuse = (days: CalendarDay[], now: number) => () => {
        refuseDaysNotOver(days, tz, now, 'days');
      };
      expect(refuse([ended], at(midnight) - MS)).toThrow(
        new ConfigError('days', `2026-12-01 is not over in ${name} until 2026-12-02 00:00 (${offset})`),
      );
      expect(refuse([ended], at(midnight))).not.toThrow();
      // At that midnight, today and tomorrow are not over; each is refused.
      expect(refuse([day('2026-12-02')], at(midnight))).toThrow(
        new ConfigError('days', `2026-12-02 is not over in ${name} until 2026-12-03 00:00 (${offset})`),
      );
      expect(refuse([day('2026-12-03')], at(midnight))).toThrow(
        new ConfigError('days', `2026-12-03 is not over in ${name} until 2026-12-04 00:00 (${offset})`),
      );
    },
  );

  it.each([
    // The 23-hour day: over an hour before start + 24 h.
    ['America/New_York', '2025-03-09', '2025-03-10T04:00:00Z', '2025-03-10 00:00 (-04:00)'],
    // The 25-hour day: still not over at start + 24 h.
    ['America/New_York', '2025-11-02', '2025-11-03T05:00:00Z', '2025-11-03 00:00 (-05:00)'],
    // Its end is where midnight was skipped: the clock jumped from 23:59:59 +02 to 01:00 +03.
    ['Asia/Beirut', '2024-03-30', '2024-03-30T22:00:00Z', '2024-03-31 01:00 (+03:00)'],
    ['America/Santiago', '2024-09-07', '2024-09-08T04:00:00Z', '2024-09-08 01:00 (-03:00)'],
    // The clock went back from 01:00 to 00:00 on 2024-11-03: the day ends at the first midnight.
    ['America/Havana', '2024-11-02', '2024-11-03T04:00:00Z', '2024-11-03 00:00 (-04:00)'],
  ])('in %s, %s ends across a DST transition at %s, shown as %s', (name, text, end, shown) => {
    const tz = zone(name);
    expect(() => {
      refuseDaysNotOver([day(text)], tz, at(end) - MS, 'days');
    }).toThrow(new ConfigError('days', `${text} is not over in ${name} until ${shown}`));
    expect(() => {
      refuseDaysNotOver([day(text)], tz, at(end), 'days');
    }).not.toThrow();
  });

  it('refuses a range that reaches today as a whole, naming its first unfinished day and when it ends', () => {
    const range = daysInRange(day('2026-11-28'), day('2026-12-03'), { maxDays: 31 });
    const message =
      'event: range 2026-11-28..2026-12-03 is refused as a whole: 2026-12-01 is not over in Europe/Istanbul ' +
      'until 2026-12-02 00:00 (+03:00) and 2026-12-03 not until 2026-12-04 00:00 (+03:00)';
    const now = at('2026-12-01T12:00:00Z');
    expect(() => {
      refuseDaysNotOver(range, zone('Europe/Istanbul'), now, 'event');
    }).toThrow(new ConfigError('event', message.slice('event: '.length)));
    // Newest first, as a scheduled run lists them: the same refusal.
    expect(
      refusal(() => {
        refuseDaysNotOver([...range].reverse(), zone('Europe/Istanbul'), now, 'event');
      }).message,
    ).toBe(message);
  });

  it('names only the one unfinished day when it is the last of the range', () => {
    const range = daysInRange(day('2026-11-28'), day('2026-12-01'), { maxDays: 31 });
    expect(
      refusal(() => {
        refuseDaysNotOver(range, zone('Europe/Istanbul'), at('2026-12-01T12:00:00Z'), 'event');
      }).message,
    ).toBe(
      'event: range 2026-11-28..2026-12-01 is refused as a whole: ' +
        '2026-12-01 is not over in Europe/Istanbul until 2026-12-02 00:00 (+03:00)',
    );
  });

  it('accepts no days', () => {
    expect(() => {
      refuseDaysNotOver([], zone('UTC'), 0, 'days');
    }).not.toThrow();
  });

  it('accepts yesterday and refuses today, at every instant in every zone', () => {
    fc.assert(
      fc.property(instantArb, zoneArb, (now, tz) => {
        expect(() => {
          refuseDaysNotOver([previousDay(now, tz)], tz, now, 'days');
        }).not.toThrow();
        expect(() => {
          refuseDaysNotOver([dayOf(now, tz)], tz, now, 'days');
        }).toThrow(ConfigError);
      }),
      RUNS,
    );
  });

  it('refuses a list exactly when one of its days ends after now', () => {
    fc.assert(
      fc.property(
        zoneDayArb,
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: -2 * 86_400_000, max: 2 * 86_400_000 }),
        ([tz, first], extra, fromEnd) => {
          const days = daysInRange(first, addDays(first, extra), { maxDays: 6 });
          const now = dayWindow(first, tz).end + fromEnd;
          const refused = days.some((d) => dayWindow(d, tz).end > now);
          const refuse = () => {
            refuseDaysNotOver(days, tz, now, 'days');
          };
          if (refused) expect(refuse).toThrow(ConfigError);
          else expect(refuse).not.toThrow();
        },
      ),
      RUNS,
    );
  });
});

describe('refuseDaysBeforeFirstDay', () => {
  const FIRST = day('2024-01-01');
  const PROJECTION =
    "is before 2024-01-01, where Athena's partition projection starts, so Athena would never show it; " +
    'to export earlier days, move the start with the CDK context projectionStartDate and deploy';

  it('refuses a day before the first day, saying why and what to change', () => {
    expect(() => {
      refuseDaysBeforeFirstDay([day('2023-12-31')], FIRST, 'event.date');
    }).toThrow(new ConfigError('event.date', `2023-12-31 ${PROJECTION}`));
  });

  it('accepts the first day and later ones', () => {
    expect(() => {
      refuseDaysBeforeFirstDay([day('2024-01-01'), day('2025-06-15')], FIRST, 'event');
    }).not.toThrow();
    expect(() => {
      refuseDaysBeforeFirstDay([], FIRST, 'event');
    }).not.toThrow();
  });

  it('refuses a range that starts before the first day as a whole, naming its earliest day', () => {
    const range = daysInRange(day('2023-12-30'), day('2024-01-02'), { maxDays: 31 });
    const message = `range 2023-12-30..2024-01-02 is refused as a whole: 2023-12-30 ${PROJECTION}`;
    expect(() => {
      refuseDaysBeforeFirstDay(range, FIRST, 'event');
    }).toThrow(new ConfigError('event', message));
    expect(() => {
      refuseDaysBeforeFirstDay([...range].reverse(), FIRST, 'event');
    }).toThrow(new ConfigError('event', message));
  });
});
