import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../../functions/contract/settings.js';
import { CALLS, ONLINE_HELP, REPORTS } from '../../../functions/contract/reports.js';
import { parseDay, parseTimeZone } from '../../../functions/contract/calendar.js';
import { ConfigError } from '../../../functions/export/core/errors.js';
import { requestFromEvent, type ScheduleSettings } from '../../../functions/export/core/event.js';

const ISTANBUL: ScheduleSettings = { timeZone: DEFAULTS.timeZone, lookbackDays: 0, reports: REPORTS };
/** 2025-11-24 00:30 in Istanbul, still 2025-11-23 21:30 in UTC. */
const NOW = Date.parse('2025-11-23T21:30:00Z');
/** A clock far from every event below, so that a test fails if `now` is used instead of the event. */
const FAR_NOW = Date.parse('2030-06-15T12:00:00Z');

function days(event: unknown, settings: ScheduleSettings = ISTANBUL, now = FAR_NOW): readonly string[] {
  return requestFromEvent(event, settings, now).days;
}

function refusal(event: unknown, settings: ScheduleSettings = ISTANBUL): ConfigError {
  try {
    requestFromEvent(event, settings, NOW);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(event)}`);
}

function expectRefused(event: unknown, setting: string, detail?: string): ConfigError {
  const error = refusal(event);
  expect(error.setting).toBe(setting);
  expect(error.message.startsWith(`${setting}: `)).toBe(true);
  if (detail !== undefined) expect(error.message).toContain(detail);
  return error;
}

describe('requestFromEvent: scheduled runs', () => {
  it.each([
    ['{}', {}],
    ['null', null],
    ['undefined', undefined],
  ])('%s exports yesterday relative to now in the zone', (_label, event) => {
    // In UTC it would still be 2025-11-23, and yesterday 2025-11-22.
    expect(days(event, ISTANBUL, NOW)).toEqual(['2025-11-23']);
  });

  it('follows the configured zone for "yesterday"', () => {
    expect(days({}, { timeZone: parseTimeZone('UTC'), lookbackDays: 0, reports: REPORTS }, NOW)).toEqual([
      '2025-11-22',
    ]);
  });

  it.each([
    ['2025-11-24T01:30:00+03:00', '2025-11-23'],
    ['2025-11-23T22:30:00Z', '2025-11-23'],
    ['2025-11-23T22:30:00.000Z', '2025-11-23'],
    ['2025-11-23T20:59:59.999Z', '2025-11-22'],
    ['2025-11-23T21:00:00Z', '2025-11-23'],
    ['2025-01-01T00:30:00+03:00', '2024-12-31'],
    ['2024-03-01T00:30:00+03:00', '2024-02-29'],
  ])('{"scheduledTime":"%s"} exports %s, whatever now is', (scheduledTime, expected) => {
    expect(days({ scheduledTime })).toEqual([expected]);
  });

  it.each([
    [0, ['2025-11-23']],
    [1, ['2025-11-23', '2025-11-22']],
    [3, ['2025-11-23', '2025-11-22', '2025-11-21', '2025-11-20']],
  ])('lookback %d adds the days before yesterday, newest first', (lookbackDays, expected) => {
    const settings = { timeZone: DEFAULTS.timeZone, lookbackDays, reports: REPORTS };
    expect(days({}, settings, NOW)).toEqual(expected);
    expect(days({ scheduledTime: '2025-11-24T01:30:00+03:00' }, settings)).toEqual(expected);
  });

  it('lookback crosses month and year boundaries', () => {
    const settings = { timeZone: DEFAULTS.timeZone, lookbackDays: 2, reports: REPORTS };
    expect(days({ scheduledTime: '2025-01-02T00:30:00+03:00' }, settings)).toEqual([
      '2025-01-01',
      '2024-12-31',
      '2024-12-30',
    ]);
  });

  it.each([
    ['a date without a time', '2025-11-24'],
    ['free text', 'yesterday'],
    ['a month 13', '2025-13-01T00:00:00Z'],
    ['day 32', '2025-01-32T00:00:00Z'],
    ['trailing junk', '2025-11-24T01:30:00Z please'],
    ['an empty string', ''],
  ])('refuses a scheduledTime that is %s', (_label, scheduledTime) => {
    expectRefused(
      { scheduledTime },
      'event.scheduledTime',
      `${JSON.stringify(scheduledTime)} is not an ISO 8601 instant`,
    );
  });

  it.each([[1_763_937_000_000], [null], [true], [{ iso: '2025-11-24T01:30:00Z' }]])(
    'refuses a scheduledTime of %j',
    (scheduledTime) => {
      expectRefused({ scheduledTime }, 'event.scheduledTime', 'is not an ISO 8601 instant');
    },
  );

  // V8's Date.parse rolls 2025-02-30 over to 2025-03-02 instead of refusing it, so the run silently exports
  // 2025-03-01 where {"date":"2025-02-30"} is refused.
  it('refuses a scheduledTime without a zone, which would be read in the process time zone', () => {
    expectRefused({ scheduledTime: '2025-11-24T01:30:00' }, 'event.scheduledTime', 'with a zone');
  });

  it('refuses a scheduledTime on a day that does not exist (2025-02-30)', () => {
    expectRefused({ scheduledTime: '2025-02-30T00:30:00+03:00' }, 'event.scheduledTime');
  });
});

describe('requestFromEvent: explicit days', () => {
  it('{"date"} exports that day only, ignoring lookback and now', () => {
    expect(days({ date: '2025-02-28' }, { timeZone: DEFAULTS.timeZone, lookbackDays: 3, reports: REPORTS })).toEqual([
      '2025-02-28',
    ]);
  });

  it('{"from","to"} exports each day of the inclusive range, oldest first', () => {
    expect(days({ from: '2025-11-20', to: '2025-11-23' })).toEqual([
      '2025-11-20',
      '2025-11-21',
      '2025-11-22',
      '2025-11-23',
    ]);
  });

  it('takes from/to in either key order and across a leap day', () => {
    expect(days({ to: '2024-03-01', from: '2024-02-28' })).toEqual(['2024-02-28', '2024-02-29', '2024-03-01']);
  });

  it('a range of one day is that day', () => {
    expect(days({ from: '2025-11-23', to: '2025-11-23' })).toEqual(['2025-11-23']);
  });

  it('accepts a range of 31 days', () => {
    const result = days({ from: '2025-01-01', to: '2025-01-31' });
    expect(result).toHaveLength(31);
    expect(result[0]).toBe('2025-01-01');
    expect(result[30]).toBe('2025-01-31');
  });

  it('refuses a range of 32 days with a clear message', () => {
    const error = expectRefused({ from: '2025-01-01', to: '2025-02-01' }, 'event', '32 days');
    expect(error.message).toContain('limit of 31');
    expect(error.message).toContain('smaller ranges');
  });

  it('refuses from after to', () => {
    expectRefused({ from: '2025-11-24', to: '2025-11-23' }, 'event', 'the first day is after the last');
  });

  it.each([
    [{ date: '2025-02-30' }, 'event.date', '2025-02 has days 01–28'],
    [{ date: '2025-13-01' }, 'event.date', 'month 13'],
    [{ date: '2025-11-24T00:00:00Z' }, 'event.date', 'YYYY-MM-DD'],
    [{ date: ' 2025-11-24' }, 'event.date', 'YYYY-MM-DD'],
    [{ date: 20251124 }, 'event.date', 'got number'],
    [{ date: null }, 'event.date', 'got null'],
    [{ from: '2025-02-29', to: '2025-03-01' }, 'event.from', '2025-02 has days 01–28'],
    [{ from: '2025-03-01', to: '2025-04-31' }, 'event.to', '2025-04 has days 01–30'],
    [{ from: '2025-03-01', to: 'today' }, 'event.to', 'YYYY-MM-DD'],
  ])('refuses %j naming %s', (event, setting, detail) => {
    const error = expectRefused(event, setting, detail);
    expect(error.message).toContain('YYYY-MM-DD');
  });
});

describe('requestFromEvent: unexpected shapes', () => {
  it.each([
    [{ data: { date: '2025-11-23' } }, '{data}'],
    [{ day: '2025-11-23' }, '{day}'],
    [{ from: '2025-11-20' }, '{from}'],
    [{ to: '2025-11-20' }, '{to}'],
    [{ date: '2025-11-23', dryRun: true }, '{date,dryRun}'],
    [{ scheduledTime: '2025-11-24T01:30:00+03:00', source: 'aws.events' }, '{scheduledTime,source}'],
    [{ date: '2025-11-23', from: '2025-11-20', to: '2025-11-23' }, '{date,from,to}'],
  ])('refuses %j, listing its fields and the accepted shapes', (event, fields) => {
    const error = expectRefused(event, 'event', `has the fields ${fields}`);
    expect(error.message).toContain('{"date":"YYYY-MM-DD"}');
    expect(error.message).toContain('{"from":"YYYY-MM-DD","to":"YYYY-MM-DD"}');
  });

  it.each([['2025-11-23'], [['2025-11-23']], [[]], [20251123], [true]])('refuses the non-object event %j', (event) => {
    const error = expectRefused(event, 'event', 'is not a JSON object');
    expect(error.message).toContain('{"scheduledTime":"<ISO instant>"}');
  });
});

describe('requestFromEvent: reports', () => {
  it('exports the configured reports when the event names none', () => {
    expect(requestFromEvent({ date: '2025-11-20' }, ISTANBUL, NOW).reports).toEqual([ONLINE_HELP, CALLS]);
    const callsOnly = { ...ISTANBUL, reports: [CALLS] };
    expect(requestFromEvent({}, callsOnly, NOW).reports).toEqual([CALLS]);
  });

  it.each([
    [{ date: '2025-11-20', reports: ['calls'] }, ['2025-11-20']],
    [{ from: '2025-11-19', to: '2025-11-20', reports: ['calls'] }, ['2025-11-19', '2025-11-20']],
    [{ reports: ['calls'] }, ['2025-11-23']],
    [{ scheduledTime: '2025-11-24T01:30:00+03:00', reports: ['calls'] }, ['2025-11-23']],
  ])('takes "reports" beside any shape of days: %j', (event, expected) => {
    const request = requestFromEvent(event, ISTANBUL, NOW);
    expect(request.days).toEqual(expected);
    expect(request.reports).toEqual([CALLS]);
  });

  it('refuses a report the function does not export, naming those it does', () => {
    const sessionsOnly = { ...ISTANBUL, reports: [ONLINE_HELP] };
    expect(() => requestFromEvent({ date: '2025-11-20', reports: ['calls'] }, sessionsOnly, NOW)).toThrow(
      'event.reports: calls is not exported by this function, which exports online_help (EXPORT_REPORTS)',
    );
  });

  it.each([
    [{ date: '2025-11-20', reports: ['sessions'] }, '"sessions" is not a report; known reports: online_help, calls'],
    [{ date: '2025-11-20', reports: [] }, 'names no report; known reports: online_help, calls'],
    [{ date: '2025-11-20', reports: 'calls' }, 'is not a list of report names'],
    [{ date: '2025-11-20', reports: [1] }, 'is not a list of report names'],
  ])('refuses %j, naming the known reports', (event, detail) => {
    expectRefused(event, 'event.reports', detail);
  });
});

describe('requestFromEvent: only days that are over', () => {
  /** NOW is 00:30 on 2025-11-24 in Istanbul: 2025-11-23 is over, 2025-11-24 ends at 2025-11-25 00:00 (+03:00). */
  const TODAY_NOT_OVER = '2025-11-24 is not over in Europe/Istanbul until 2025-11-25 00:00 (+03:00)';

  it('refuses {"date"} for today and tomorrow, and accepts yesterday', () => {
    expect(refusal({ date: '2025-11-24' }).message).toBe(`event.date: ${TODAY_NOT_OVER}`);
    expect(refusal({ date: '2025-11-25' }).message).toBe(
      'event.date: 2025-11-25 is not over in Europe/Istanbul until 2025-11-26 00:00 (+03:00)',
    );
    expect(days({ date: '2025-11-23' }, ISTANBUL, NOW)).toEqual(['2025-11-23']);
  });

  it('refuses a {"from","to"} range that reaches today as a whole, naming its first unfinished day', () => {
    expect(refusal({ from: '2025-11-20', to: '2025-11-24' }).message).toBe(
      `event: range 2025-11-20..2025-11-24 is refused as a whole: ${TODAY_NOT_OVER}`,
    );
    expect(days({ from: '2025-11-20', to: '2025-11-23' }, ISTANBUL, NOW)).toHaveLength(4);
  });

  it('refuses a scheduledTime in the future whose yesterday is not over at the real now', () => {
    // Scheduled for 01:30 on 2025-11-25: its yesterday, 2025-11-24, is still today at NOW.
    expect(refusal({ scheduledTime: '2025-11-25T01:30:00+03:00' }).message).toBe(
      `event.scheduledTime: ${TODAY_NOT_OVER}`,
    );
    // Scheduled an hour after NOW: its yesterday is over.
    expect(days({ scheduledTime: '2025-11-24T01:30:00+03:00' }, ISTANBUL, NOW)).toEqual(['2025-11-23']);
  });

  it('judges "over" in the configured zone', () => {
    // At NOW it is 21:30 on 2025-11-23 in UTC, 16:30 in New York: that day is over in Istanbul only.
    const at = (name: string): ScheduleSettings => ({
      timeZone: parseTimeZone(name),
      lookbackDays: 0,
      reports: REPORTS,
    });
    expect(refusal({ date: '2025-11-23' }, at('America/New_York')).message).toBe(
      'event.date: 2025-11-23 is not over in America/New_York until 2025-11-24 00:00 (-05:00)',
    );
    expect(refusal({ date: '2025-11-23' }, at('UTC')).message).toBe(
      'event.date: 2025-11-23 is not over in UTC until 2025-11-24 00:00 (+00:00)',
    );
  });
});

describe('requestFromEvent: no day before the first day of the projection', () => {
  const FROM_20TH: ScheduleSettings = { ...ISTANBUL, firstDay: parseDay('2025-11-20') };
  const ATHENA =
    "is before 2025-11-20, where Athena's partition projection starts, so Athena would never show it; " +
    'to export earlier days, move the start with the CDK context projectionStartDate and deploy';

  it('refuses {"date"} before the first day and accepts the first day', () => {
    expect(refusal({ date: '2025-11-19' }, FROM_20TH).message).toBe(`event.date: 2025-11-19 ${ATHENA}`);
    expect(days({ date: '2025-11-20' }, FROM_20TH)).toEqual(['2025-11-20']);
  });

  it('refuses a {"from","to"} range that starts before the first day as a whole', () => {
    expect(refusal({ from: '2025-11-18', to: '2025-11-21' }, FROM_20TH).message).toBe(
      `event: range 2025-11-18..2025-11-21 is refused as a whole: 2025-11-18 ${ATHENA}`,
    );
  });

  it('refuses a scheduled run whose yesterday is before the first day', () => {
    const error = refusal({ scheduledTime: '2025-11-20T01:30:00+03:00' }, FROM_20TH);
    expect(error.message).toBe(`event.scheduledTime: 2025-11-19 ${ATHENA}`);
  });

  it("stops a scheduled run's lookback at the first day", () => {
    const settings = { ...FROM_20TH, lookbackDays: 3 };
    expect(days({ scheduledTime: '2025-11-22T01:30:00+03:00' }, settings)).toEqual(['2025-11-21', '2025-11-20']);
    expect(days({}, settings, Date.parse('2025-11-20T22:00:00Z'))).toEqual(['2025-11-20']);
    expect(days({ scheduledTime: '2025-11-25T01:30:00+03:00' }, settings)).toEqual([
      '2025-11-24',
      '2025-11-23',
      '2025-11-22',
      '2025-11-21',
    ]);
  });
});
