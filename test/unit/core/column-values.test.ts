import { describe, expect, it } from 'vitest';

import { ONLINE_HELP, type SessionRow } from '../../../functions/contract/reports.js';
import { checkRow } from '../../../functions/export/core/column-values.js';

const VALID: SessionRow = {
  online_help_id: 9_007_199_254_740_993n,
  customer_no: '10000042',
  customer_name: 'Zeynep Yılmaz',
  agent_id: 'S0815',
  agent_name: 'Ayşe Öztürk',
  help_state: 'onlinehelp_ended_by_agent',
  help_requested_at: Date.UTC(2025, 10, 24, 6, 30, 0, 1),
  help_started_at: null,
  help_ended_at: null,
  wait_time_seconds: 61,
  help_time_seconds: null,
  conversation_detail_link: null,
};

/**
 * A row as a bug in the API-record mapping could produce it: typed SessionRow, values not. (Spreading a record of
 * unknowns over VALID type-checks as SessionRow; that unsoundness is the point here.)
 */
function mistyped(patch: Readonly<Record<string, unknown>>): SessionRow {
  return { ...VALID, ...patch };
}

describe('checkRow', () => {
  it('accepts a valid row and the extremes of every range, unchanged', () => {
    expect(checkRow(ONLINE_HELP.columns, VALID)).toStrictEqual({ row: VALID });
    const extremes: SessionRow[] = [
      {
        ...VALID,
        online_help_id: 2n ** 63n - 1n,
        help_requested_at: 253_402_300_799_999,
        wait_time_seconds: 2 ** 31 - 1,
      },
      { ...VALID, online_help_id: -(2n ** 63n), help_requested_at: 0, wait_time_seconds: -(2 ** 31) },
      { ...VALID, customer_name: '👩🏽‍💻 🇹🇷', customer_no: '' },
    ];
    for (const row of extremes) expect(checkRow(ONLINE_HELP.columns, row)).toStrictEqual({ row });
  });
  it.each([
    ['online_help_id', 5, 'must be a bigint in the signed 64-bit range, got 5'],
    ['online_help_id', 2n ** 63n, 'must be a bigint in the signed 64-bit range, got 9223372036854775808n'],
    ['online_help_id', -(2n ** 63n) - 1n, 'got -9223372036854775809n'],
    ['help_requested_at', null, 'is required but null'],
    [
      'help_requested_at',
      Number.NaN,
      'must be integer epoch milliseconds in [0, 253402300799999] (1970 to 9999), got NaN',
    ],
    ['help_requested_at', Number.POSITIVE_INFINITY, 'got Infinity'],
    ['help_requested_at', 1.5, 'got 1.5'],
    ['help_requested_at', -1, 'got -1'],
    ['help_requested_at', 253_402_300_800_000, 'got 253402300800000'],
    ['help_requested_at', '2025-11-24', 'got a string of length 10'],
    ['help_started_at', 1_763_966_000_000.5, 'got 1763966000000.5'],
    ['help_ended_at', undefined, 'is undefined; an absent value must be null'],
    ['wait_time_seconds', 2 ** 31, 'must be an integer in [-2147483648, 2147483647], got 2147483648'],
    ['help_time_seconds', -(2 ** 31) - 1, 'got -2147483649'],
    ['wait_time_seconds', 0.5, 'got 0.5'],
    ['wait_time_seconds', 61n, 'got 61n'],
    ['customer_no', 10000042, 'must be a string, got 10000042'],
    ['agent_id', undefined, 'is undefined; an absent value must be null'],
    ['help_state', { state: 'x' }, 'must be a string, got object'],
    ['customer_name', 'Zeynep \uD83D', 'contains an unpaired UTF-16 surrogate, which UTF-8 cannot encode'],
    ['conversation_detail_link', 'https://x/\uDE00', 'contains an unpaired UTF-16 surrogate'],
  ])('rejects %s = %o', (column, value, problem) => {
    const check = checkRow(ONLINE_HELP.columns, mistyped({ [column]: value }));
    expect(check).toMatchObject({ column });
    expect(check).toHaveProperty('problem', expect.stringContaining(problem));
  });

  it('names only the first offending column', () => {
    expect(checkRow(ONLINE_HELP.columns, mistyped({ customer_no: 1, wait_time_seconds: 2 ** 31 }))).toStrictEqual({
      column: 'customer_no',
      problem: 'must be a string, got 1',
    });
  });

  it('never echoes string contents, which may be personal data', () => {
    const check = checkRow(ONLINE_HELP.columns, mistyped({ customer_name: 'Zeynep Yılmaz \uD800' }));
    expect(JSON.stringify(check)).not.toContain('Zeynep');
  });
});
