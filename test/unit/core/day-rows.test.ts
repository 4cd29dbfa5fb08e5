import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DayRows, preferredCopy } from '../../../functions/export/core/day-rows.js';
import { ONLINE_HELP, type SessionRow } from '../../../functions/contract/reports.js';
import { checked } from '../../support/checked-row.js';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const TIMESTAMP_MAX_MS = 253_402_300_799_999;

/** Any text UTF-8 can hold: whole code points, so no unpaired surrogates (those rows are rejected earlier). */
const text = fc.option(fc.string({ unit: 'binary', maxLength: 40 }), { nil: null });
const instant = fc.integer({ min: 0, max: TIMESTAMP_MAX_MS });
const int32 = fc.option(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { nil: null });

/** Every value a row can hold, to the edges of each column's range. */
const rowArbitrary = (id: fc.Arbitrary<bigint>): fc.Arbitrary<SessionRow> =>
  fc
    .record({
      online_help_id: id,
      customer_no: text,
      customer_name: text,
      agent_id: text,
      agent_name: text,
      help_state: text,
      help_requested_at: instant,
      help_started_at: fc.option(instant, { nil: null }),
      help_ended_at: fc.option(instant, { nil: null }),
      wait_time_seconds: int32,
      help_time_seconds: int32,
      conversation_detail_link: text,
    })
    .map((row) => ({ ...row })); // a plain object, as the record mapping makes

const anyId = fc.bigInt({ min: INT64_MIN, max: INT64_MAX });

function stored(rows: readonly SessionRow[]): { rows: SessionRow[]; count: number; duplicates: number } {
  const day = new DayRows(ONLINE_HELP);
  for (const row of rows) day.add(checked(row));
  const distinct = day.distinct();
  // DayRows of ONLINE_HELP gives back session rows: its columns are SessionRow's.
  return {
    rows: [...distinct.rows] as unknown as SessionRow[],
    count: distinct.count,
    duplicates: distinct.duplicates,
  };
}

function fileOrder(a: SessionRow, b: SessionRow): number {
  if (a.help_requested_at !== b.help_requested_at) return a.help_requested_at - b.help_requested_at;
  return a.online_help_id === b.online_help_id ? 0 : a.online_help_id < b.online_help_id ? -1 : 1;
}

describe('DayRows', () => {
  it('gives back every row exactly as added, ordered by help_requested_at then online_help_id', () => {
    fc.assert(
      fc.property(fc.uniqueArray(rowArbitrary(anyId), { selector: (row) => row.online_help_id }), (rows) => {
        const result = stored(rows);
        expect(result.rows).toStrictEqual(rows.toSorted(fileOrder));
        expect(result).toMatchObject({ count: rows.length, duplicates: 0 });
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the preferred copy of each id, whatever the order the copies arrived in', () => {
    const fewIds = fc.bigInt({ min: 1n, max: 4n });
    fc.assert(
      fc.property(fc.array(rowArbitrary(fewIds), { maxLength: 12 }), fc.nat(), (rows, seed) => {
        const shuffled = rows
          .map((row, i) => ({ row, key: (i * 7919 + seed) % (rows.length || 1) }))
          .sort((a, b) => a.key - b.key)
          .map(({ row }) => row);
        const kept = new Map<bigint, SessionRow>();
        for (const row of rows) {
          const earlier = kept.get(row.online_help_id);
          kept.set(row.online_help_id, earlier ? preferredCopy(ONLINE_HELP, earlier, row) : row);
        }
        const expected = [...kept.values()].sort(fileOrder);
        for (const arrival of [rows, shuffled]) {
          const result = stored(arrival);
          expect(result.rows).toStrictEqual(expected);
          expect(result).toMatchObject({ count: expected.length, duplicates: rows.length - expected.length });
        }
      }),
      { numRuns: 500 },
    );
  });

  it('keeps a text that starts with U+FEFF, which a UTF-8 decoder strips as a byte-order mark by default', () => {
    const row: SessionRow = {
      online_help_id: 1n,
      customer_no: null,
      customer_name: '\uFEFFAyşe',
      agent_id: '\uFEFF',
      agent_name: null,
      help_state: null,
      help_requested_at: 0,
      help_started_at: null,
      help_ended_at: null,
      wait_time_seconds: null,
      help_time_seconds: null,
      conversation_detail_link: null,
    };
    expect(stored([row]).rows).toStrictEqual([row]);
  });

  it('keeps the empty string apart from NULL and extreme values exact', () => {
    const base: SessionRow = {
      online_help_id: INT64_MIN,
      customer_no: '',
      customer_name: null,
      agent_id: '',
      agent_name: 'Çağrı Işık 👩🏽‍💻',
      help_state: null,
      help_requested_at: 0,
      help_started_at: TIMESTAMP_MAX_MS,
      help_ended_at: null,
      wait_time_seconds: -(2 ** 31),
      help_time_seconds: 2 ** 31 - 1,
      conversation_detail_link: '',
    };
    const other: SessionRow = { ...base, online_help_id: INT64_MAX, customer_no: null, customer_name: '' };
    expect(stored([other, base]).rows).toStrictEqual([base, other]);
  });

  it('stores rows across many blocks, mixing empty text, NULLs and one text larger than a block', () => {
    const count = 20_000;
    const rows = Array.from({ length: count }, (_, i): SessionRow => ({
      online_help_id: BigInt(count - i),
      customer_no: i % 5 === 0 ? '' : String(i),
      customer_name: i === 12_345 ? 'ğ'.repeat(300_000) : `Müşteri ${'ş'.repeat(i % 97)}`,
      agent_id: i % 3 === 0 ? null : `S${i % 40}`,
      agent_name: null,
      help_state: 'onlinehelp_ended_by_agent',
      help_requested_at: 1_763_845_218_628 + i,
      help_started_at: i % 2 === 0 ? null : 1_763_845_218_628 + 2 * i,
      help_ended_at: null,
      wait_time_seconds: i,
      help_time_seconds: null,
      conversation_detail_link: `https://diyalog.example.com.tr/panel/#/onlinehelp/conversation/${count - i}`,
    }));
    const result = stored(rows.toReversed());
    expect(result.count).toBe(count);
    expect(result.rows).toStrictEqual(rows);
  });

  it('is empty when no row was added, and its rows can be read more than once', () => {
    expect(stored([])).toStrictEqual({ rows: [], count: 0, duplicates: 0 });
    const day = new DayRows(ONLINE_HELP);
    day.add(checked({ ...ROW, online_help_id: 2n }));
    day.add(checked({ ...ROW, online_help_id: 1n }));
    const { rows } = day.distinct();
    expect([...rows]).toStrictEqual([...rows]);
    expect([...rows].map((row) => row.online_help_id)).toEqual([1n, 2n]);
  });
});

const ROW: SessionRow = {
  online_help_id: 1n,
  customer_no: 'C1',
  customer_name: 'Ayşe Yılmaz',
  agent_id: null,
  agent_name: null,
  help_state: 'onlinehelp_requested',
  help_requested_at: 1_763_845_218_628,
  help_started_at: null,
  help_ended_at: null,
  wait_time_seconds: null,
  help_time_seconds: null,
  conversation_detail_link: null,
};
