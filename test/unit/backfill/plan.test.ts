import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BACKFILL_LIMITS, backfillChunkDaysSetting } from '../../../functions/contract/backfill.js';
import { parseDay } from '../../../functions/contract/calendar.js';
import { SettingError } from '../../../functions/contract/errors.js';
import { CALLS, ONLINE_HELP, REPORTS } from '../../../functions/contract/reports.js';
import { handler } from '../../../functions/backfill/handler.js';
import { planBackfill, type BackfillPlan, type Chunk } from '../../../functions/backfill/plan.js';

const MS_PER_DAY = 86_400_000;
const dayAt = (epochDay: number): string => new Date(epochDay * MS_PER_DAY).toISOString().slice(0, 10);
const epochDay = (day: string): number => Date.parse(day) / MS_PER_DAY;

function chunks(plan: BackfillPlan): readonly Chunk[] {
  if ('invalid' in plan) throw new Error(`refused: ${plan.invalid}`);
  return plan.chunks;
}

function refusal(input: unknown, chunkDays = 3): string {
  const plan = planBackfill(input, { chunkDays });
  if (!('invalid' in plan)) throw new Error(`accepted: ${JSON.stringify(plan)}`);
  return plan.invalid;
}

describe('planBackfill: chunks', () => {
  it('splits a range newest first into chunks of chunkDays; the oldest takes the rest', () => {
    expect(planBackfill({ from: '2025-01-01', to: '2025-01-08' }, { chunkDays: 3 })).toEqual({
      days: 8,
      chunks: [
        { from: '2025-01-06', to: '2025-01-08' },
        { from: '2025-01-03', to: '2025-01-05' },
        { from: '2025-01-01', to: '2025-01-02' },
      ],
    });
  });

  it('crosses months, leap days and years as calendar days', () => {
    expect(chunks(planBackfill({ from: '2024-02-27', to: '2024-03-01' }, { chunkDays: 2 }))).toEqual([
      { from: '2024-02-29', to: '2024-03-01' },
      { from: '2024-02-27', to: '2024-02-28' },
    ]);
    expect(chunks(planBackfill({ from: '2024-12-30', to: '2025-01-02' }, { chunkDays: 31 }))).toEqual([
      { from: '2024-12-30', to: '2025-01-02' },
    ]);
  });

  it('takes one day, and ten years (3,653 days, 1,218 chunks of 3)', () => {
    expect(planBackfill({ from: '2025-11-23', to: '2025-11-23' }, { chunkDays: 3 })).toEqual({
      days: 1,
      chunks: [{ from: '2025-11-23', to: '2025-11-23' }],
    });
    const tenYears = planBackfill({ from: '2016-01-01', to: '2025-12-31' }, { chunkDays: 3 });
    expect(tenYears).toMatchObject({ days: 3653 });
    expect(chunks(tenYears)).toHaveLength(1218);
    expect(chunks(tenYears).at(-1)).toEqual({ from: '2016-01-01', to: '2016-01-02' });
  });

  it('chunks the ranges of a re-run input, newest range first, each on its own', () => {
    const input = {
      ranges: [
        { from: '2025-01-01', to: '2025-01-03' },
        { from: '2025-03-01', to: '2025-03-04' },
      ],
    };
    expect(planBackfill(input, { chunkDays: 3 })).toEqual({
      days: 7,
      chunks: [
        { from: '2025-03-02', to: '2025-03-04' },
        { from: '2025-03-01', to: '2025-03-01' },
        { from: '2025-01-01', to: '2025-01-03' },
      ],
    });
  });

  it('tiles every range exactly: each day once, newest first, only the oldest chunk short', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: epochDay('1990-01-01'), max: epochDay('2030-12-31') }),
        fc.integer({ min: 1, max: BACKFILL_LIMITS.maxDays }),
        fc.integer({ min: 1, max: BACKFILL_LIMITS.maxChunkDays }),
        (first, days, chunkDays) => {
          fc.pre(Math.ceil(days / chunkDays) <= BACKFILL_LIMITS.maxChunks);
          const plan = planBackfill({ from: dayAt(first), to: dayAt(first + days - 1) }, { chunkDays });
          const list = chunks(plan);
          expect(plan).toMatchObject({ days });
          const covered = list.flatMap(({ from, to }) =>
            Array.from({ length: epochDay(to) - epochDay(from) + 1 }, (_, i) => epochDay(to) - i),
          );
          expect(covered).toEqual(Array.from({ length: days }, (_, i) => first + days - 1 - i));
          list.slice(0, -1).forEach(({ from, to }) => {
            expect(epochDay(to) - epochDay(from) + 1).toBe(chunkDays);
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('planBackfill: refusals, each with its reason', () => {
  it.each([
    [null, 'is not a JSON object'],
    [[{ from: '2025-01-01', to: '2025-01-02' }], 'is not a JSON object'],
    ['2025-01-01', 'is not a JSON object'],
    [{}, 'has the fields {}'],
    [{ from: '2025-01-01' }, 'has the fields {from}'],
    [{ from: '2025-01-01', to: '2025-01-02', date: '2025-01-01' }, 'has the fields {date,from,to}'],
    [{ from: '2025-02-29', to: '2025-03-01' }, 'the input: "from": Invalid day "2025-02-29": 2025-02 has days 01–28'],
    [{ from: '2025-01-01', to: '2025-13-01' }, 'the input: "to": Invalid day "2025-13-01": month 13'],
    [{ from: 20250101, to: '2025-01-02' }, '"from": Invalid day: expected a string'],
    [{ from: '2025-1-1', to: '2025-01-02' }, 'expected YYYY-MM-DD'],
    [{ from: '2025-03-01', to: '2025-02-01' }, 'the input: "from" 2025-03-01 is after "to" 2025-02-01.'],
    [{ from: '2016-01-01', to: '2026-01-01' }, 'spans 3654 days, more than the 3653 (ten years)'],
    [{ ranges: [] }, '"ranges" is not a non-empty array'],
    [{ ranges: {} }, '"ranges" is not a non-empty array'],
    [{ ranges: [{ from: '2025-01-01' }] }, 'ranges[0] is not {"from":"YYYY-MM-DD","to":"YYYY-MM-DD"}'],
    [{ ranges: [{ from: '2025-01-01', to: '2025-01-31' }, 'x'] }, 'ranges[1] is not {"from"'],
    [
      {
        ranges: [
          { from: '2025-01-01', to: '2025-01-31' },
          { from: '2025-02-30', to: '2025-03-01' },
        ],
      },
      'ranges[1]: "from"',
    ],
    [
      {
        ranges: [
          { from: '2025-01-01', to: '2025-01-10' },
          { from: '2025-01-10', to: '2025-01-20' },
        ],
      },
      'The ranges 2025-01-01..2025-01-10 and 2025-01-10..2025-01-20 overlap',
    ],
    [
      {
        ranges: [
          { from: '2016-01-01', to: '2020-12-31' },
          { from: '2021-01-01', to: '2026-01-01' },
        ],
      },
      'spans 3654 days',
    ],
  ])('%j: %s', (input, reason) => {
    expect(refusal(input)).toContain(reason);
  });

  it('refuses an input that starts before the first day the export function takes', () => {
    const firstDay = parseDay('2024-01-01');
    expect(planBackfill({ from: '2023-12-31', to: '2024-01-02' }, { chunkDays: 3, firstDay })).toEqual({
      invalid:
        'The input starts at 2023-12-31, before 2024-01-01, the first day the export function takes (where ' +
        "Athena's partition projection starts, CDK context projectionStartDate); start at 2024-01-01.",
    });
    const ranges = {
      ranges: [
        { from: '2025-01-01', to: '2025-01-02' },
        { from: '2023-06-01', to: '2023-06-02' },
      ],
    };
    expect(planBackfill(ranges, { chunkDays: 3, firstDay })).toHaveProperty(
      'invalid',
      expect.stringContaining('starts at 2023-06-01'),
    );
    expect(planBackfill({ from: '2024-01-01', to: '2024-01-02' }, { chunkDays: 3, firstDay })).toHaveProperty(
      'days',
      2,
    );
  });

  it('refuses more chunks than one execution holds, though the days would fit', () => {
    const days = BACKFILL_LIMITS.maxChunks + 1;
    expect(days).toBeLessThanOrEqual(BACKFILL_LIMITS.maxDays);
    const input = { from: dayAt(epochDay('2020-01-01')), to: dayAt(epochDay('2020-01-01') + days - 1) };
    expect(refusal(input, 1)).toBe(
      `The input makes ${days} chunks of at most 1 days, more than the ${BACKFILL_LIMITS.maxChunks} one execution ` +
        'holds; split it into several executions.',
    );
    expect(chunks(planBackfill(input, { chunkDays: 2 }))).toHaveLength(Math.ceil(days / 2));
  });

  it.each([0, 32, 2.5, Number.NaN])('throws for chunkDays %s: a fault of the definition, not of the input', (n) => {
    expect(() => planBackfill({ from: '2025-01-01', to: '2025-01-02' }, { chunkDays: n })).toThrow(RangeError);
  });
});

describe('planBackfill: reports', () => {
  /** The most a state's input or output may hold (Step Functions' limit). */
  const MAX_PAYLOAD_BYTES = 256 * 1024;

  it('without "reports", chunks are {"from","to"} alone: the export function exports its configured reports', () => {
    for (const chunk of chunks(planBackfill({ from: '2025-01-01', to: '2025-01-08' }, { chunkDays: 3 }))) {
      expect(Object.keys(chunk)).toEqual(['from', 'to']);
    }
  });

  it('gives every chunk the input’s reports, in the contract’s order, each once', () => {
    expect(
      planBackfill(
        { from: '2025-01-01', to: '2025-01-04', reports: ['calls', 'online_help', 'calls'] },
        { chunkDays: 3 },
      ),
    ).toEqual({
      days: 4,
      chunks: [
        { from: '2025-01-02', to: '2025-01-04', reports: ['online_help', 'calls'] },
        { from: '2025-01-01', to: '2025-01-01', reports: ['online_help', 'calls'] },
      ],
    });
    const rerun = { ranges: [{ from: '2025-03-01', to: '2025-03-02' }], reports: ['calls'] };
    expect(planBackfill(rerun, { chunkDays: 3 })).toEqual({
      days: 2,
      chunks: [{ from: '2025-03-01', to: '2025-03-02', reports: ['calls'] }],
    });
  });

  it.each([
    ['calls', '"reports" is not a non-empty array of report names, e.g. ["online_help","calls"]'],
    [null, '"reports" is not a non-empty array of report names'],
    [['calls', 1], '"reports" is not a non-empty array of report names'],
    [[], '"reports": names no report; known reports: online_help, calls.'],
    [['chats'], '"reports": "chats" is not a report; known reports: online_help, calls.'],
    [['Calls'], '"reports": "Calls" is not a report'],
  ])('refuses "reports": %j', (reports, reason) => {
    expect(refusal({ from: '2025-01-01', to: '2025-01-02', reports })).toContain(reason);
    expect(refusal({ ranges: [{ from: '2025-01-01', to: '2025-01-02' }], reports })).toContain(reason);
  });

  it('refuses a report the deployment does not export: the export function may not write its table', () => {
    const plan = planBackfill(
      { from: '2025-01-01', to: '2025-01-02', reports: ['calls'] },
      {
        chunkDays: 3,
        reports: [ONLINE_HELP],
      },
    );
    expect(plan).toEqual({
      invalid:
        '"reports" names calls, not exported by this deployment (CDK context reports: online_help): the export ' +
        'function may write only the tables of the reports it exports.',
    });
    expect(
      planBackfill({ from: '2025-01-01', to: '2025-01-02', reports: ['calls'] }, { chunkDays: 3, reports: [CALLS] }),
    ).toHaveProperty('days', 2);
  });

  it('refuses "reports" on a shape it does not belong to, naming every field', () => {
    expect(refusal({ date: '2025-01-01', reports: ['calls'] })).toContain('The input has the fields {date,reports};');
    expect(refusal({ ranges: [{ from: '2025-01-01', to: '2025-01-02', reports: ['calls'] }] })).toContain(
      'ranges[0] is not {"from":"YYYY-MM-DD","to":"YYYY-MM-DD"}',
    );
  });

  it('keeps the plan of the most chunks, every report named, within a state’s payload', () => {
    const first = epochDay('2020-01-01');
    const input = {
      from: dayAt(first),
      to: dayAt(first + BACKFILL_LIMITS.maxChunks - 1),
      reports: REPORTS.map((report) => report.name),
    };
    const plan = planBackfill(input, { chunkDays: 1 });
    expect(chunks(plan)).toHaveLength(BACKFILL_LIMITS.maxChunks);
    expect(Buffer.byteLength(JSON.stringify(plan))).toBeLessThan(MAX_PAYLOAD_BYTES);
  });
});

describe('backfillChunkDaysSetting', () => {
  it('takes 1 to 31 days, what one run of the export function holds', () => {
    expect(backfillChunkDaysSetting(' 3 ', 'backfillChunkDays')).toBe(3);
    expect(backfillChunkDaysSetting('31', 'backfillChunkDays')).toBe(31);
    for (const text of ['0', '32', '2.5', 'three', '']) {
      expect(() => backfillChunkDaysSetting(text, 'backfillChunkDays')).toThrow(SettingError);
    }
  });
});

describe('the helper Lambda', () => {
  it('runs the step its event names', async () => {
    await expect(
      handler({ step: 'plan', input: { from: '2025-01-01', to: '2025-01-02' }, chunkDays: 3 }),
    ).resolves.toEqual({ days: 2, chunks: [{ from: '2025-01-01', to: '2025-01-02' }] });
    await expect(handler({ step: 'report', results: [{ from: '2025-01-01', to: '2025-01-02' }] })).resolves.toEqual({
      chunks: 1,
      days: 2,
      failedChunks: 0,
      failed: [],
    });
  });

  it('passes the deployment’s reports on; a list that is not of report names is a fault of the definition', async () => {
    const event = {
      step: 'plan',
      input: { from: '2025-01-01', to: '2025-01-01', reports: ['calls'] },
      chunkDays: 3,
      reports: ['online_help'],
    };
    await expect(handler(event)).resolves.toHaveProperty('invalid', expect.stringContaining('"reports" names calls'));
    await expect(handler({ ...event, reports: ['calls'] })).resolves.toHaveProperty('days', 1);
    await expect(handler({ ...event, reports: 'calls' })).rejects.toThrow('reports is not a list of report names');
    await expect(handler({ ...event, reports: ['chats'] })).rejects.toThrow(SettingError);
  });

  it('passes the first day on', async () => {
    const event = {
      step: 'plan',
      input: { from: '2023-12-31', to: '2024-01-01' },
      chunkDays: 3,
      firstDay: '2024-01-01',
    };
    await expect(handler(event)).resolves.toHaveProperty('invalid', expect.stringContaining('before 2024-01-01'));
    await expect(handler({ ...event, firstDay: '2024-02-30' })).rejects.toThrow('Invalid day "2024-02-30"');
  });

  it.each([null, {}, { step: 'plan', input: {} }, { step: 'chunk' }])('rejects %j', async (event) => {
    await expect(handler(event)).rejects.toThrow(/^not a backfill step: /);
  });
});
