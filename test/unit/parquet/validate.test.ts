import { describe, expect, it } from 'vitest';

import { ExportError } from '../../../functions/export/core/errors.js';
import type { SessionRow } from '../../../functions/contract/schema.js';
import { encodeParquet } from '../../../functions/export/parquet/encode.js';
import { InvalidRowError, validateRow } from '../../../functions/export/parquet/validate.js';

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

function errorOf(action: () => void): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('validateRow', () => {
  it('accepts a valid row and the extremes of every range', () => {
    expect(() => {
      validateRow(VALID, 0);
    }).not.toThrow();
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
    for (const row of extremes) {
      expect(() => {
        validateRow(row, 0);
      }).not.toThrow();
    }
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
    const error = errorOf(() => {
      validateRow(mistyped({ [column]: value }), 3);
    });
    expect(error).toBeInstanceOf(InvalidRowError);
    expect(error).toBeInstanceOf(ExportError);
    expect(error).toMatchObject({ rowIndex: 3, column, name: 'InvalidRowError' });
    expect(error).toHaveProperty('message', expect.stringContaining(`(row 3): ${column} `));
    expect(error).toHaveProperty('message', expect.stringContaining(problem));
  });

  it('names the session id, the row and the column in the message', () => {
    const error = errorOf(() => {
      validateRow({ ...VALID, wait_time_seconds: 2 ** 31 }, 7);
    });
    expect(error).toHaveProperty(
      'message',
      'Session 9007199254740993 (row 7): wait_time_seconds must be an integer in [-2147483648, 2147483647], ' +
        'got 2147483648. Nothing was written; fix the mapping from the API record to the row.',
    );
    expect(error).toMatchObject({ onlineHelpId: '9007199254740993' });
  });

  it('says ? for the id when the id itself is not a bigint', () => {
    const error = errorOf(() => {
      validateRow(mistyped({ online_help_id: '17' }), 0);
    });
    expect(error).toMatchObject({ onlineHelpId: '?' });
    expect(error).toHaveProperty('message', expect.stringMatching(/^Session \? \(row 0\): online_help_id /));
  });

  it('never echoes string contents, which may be personal data', () => {
    const error = errorOf(() => {
      validateRow(mistyped({ customer_name: 'Zeynep Yılmaz \uD800' }), 0);
    });
    expect(error).toHaveProperty('message', expect.not.stringContaining('Zeynep'));
  });
});

describe('encodeParquet validation', () => {
  it('rejects the whole batch before encoding, naming the first bad row', async () => {
    const rows = [VALID, { ...VALID, online_help_id: 4_294_967_297n, help_time_seconds: 1.25 }];
    await expect(encodeParquet(rows)).rejects.toThrow(
      /^Session 4294967297 \(row 1\): help_time_seconds must be an integer .* got 1\.25\./,
    );
  });
});
