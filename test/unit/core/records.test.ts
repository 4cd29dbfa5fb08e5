import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { preferredCopy } from '../../../functions/export/core/day-rows.js';
import { recordMapping, type RecordOutcome } from '../../../functions/export/core/records.js';
import { CALLS, ONLINE_HELP, type CallRow, type SessionRow } from '../../../functions/contract/reports.js';
import type { KeyedRecord, RejectedItem } from '../../../functions/export/core/paging/interval-cursor.js';

const toSessionRow = recordMapping(ONLINE_HELP);
const toCallRow = recordMapping(CALLS);

const ID = 9_007_199_254_740_993n; // beyond 2^53
const REQUESTED = 1_763_900_000_000;

const FULL_ITEM = {
  onlineHelpId: ID,
  helpRequestedAt: REQUESTED,
  customerNo: 'C-1001',
  customerName: 'Ayşe Yılmaz 😀',
  agentId: 'S-42',
  agentName: 'Mehmet Demir',
  helpState: 'onlinehelp_ended_by_agent',
  helpStartedAt: REQUESTED + 30_000,
  helpEndedAt: REQUESTED + 630_000,
  waitTime: 30,
  helpTime: 600,
  conversationDetailLink: 'https://diyalog.example.com/conversation/1',
};

const FULL_ROW: SessionRow = {
  online_help_id: ID,
  customer_no: 'C-1001',
  customer_name: 'Ayşe Yılmaz 😀',
  agent_id: 'S-42',
  agent_name: 'Mehmet Demir',
  help_state: 'onlinehelp_ended_by_agent',
  help_requested_at: REQUESTED,
  help_started_at: REQUESTED + 30_000,
  help_ended_at: REQUESTED + 630_000,
  wait_time_seconds: 30,
  help_time_seconds: 600,
  conversation_detail_link: 'https://diyalog.example.com/conversation/1',
};

function keyed(item: Readonly<Record<string, unknown>>): KeyedRecord {
  return { id: ID, at: REQUESTED, item };
}

/** The row of an outcome of the sessions' mapping, which makes rows of their columns. */
function rowOf(outcome: RecordOutcome): SessionRow {
  if (!('row' in outcome)) throw new Error(`expected a row, got the reject "${outcome.reason}"`);
  return outcome.row as unknown as SessionRow;
}

function rejectOf(outcome: RecordOutcome): RejectedItem {
  if ('row' in outcome) throw new Error('expected a reject, got a row');
  return outcome;
}

describe('the record mapping of online_help', () => {
  it('maps a full record to the exact row', () => {
    const outcome = toSessionRow(keyed(FULL_ITEM));
    expect(outcome).toStrictEqual({ row: FULL_ROW });
  });

  it('takes the id and request time from the keyed record, not from the raw item', () => {
    const row = rowOf(
      toSessionRow({
        id: 42n,
        at: 1_700_000_000_000,
        item: { ...FULL_ITEM, helpRequestedAt: '1700000000000' },
      }),
    );
    expect(row.online_help_id).toBe(42n);
    expect(row.help_requested_at).toBe(1_700_000_000_000);
  });

  it('maps absent and null optional fields to null, never undefined', () => {
    const row = rowOf(
      toSessionRow(
        keyed({ onlineHelpId: ID, helpRequestedAt: REQUESTED, helpState: 'onlinehelp_requested', agentId: null }),
      ),
    );
    expect(row).toStrictEqual({
      online_help_id: ID,
      customer_no: null,
      customer_name: null,
      agent_id: null,
      agent_name: null,
      help_state: 'onlinehelp_requested',
      help_requested_at: REQUESTED,
      help_started_at: null,
      help_ended_at: null,
      wait_time_seconds: null,
      help_time_seconds: null,
      conversation_detail_link: null,
    });
  });

  it('coerces numeric strings in time and duration fields', () => {
    const row = rowOf(
      toSessionRow(
        keyed({
          ...FULL_ITEM,
          helpStartedAt: '1763900000000',
          helpEndedAt: ' 1763900600000 ',
          waitTime: '42',
          helpTime: ' 7 ',
        }),
      ),
    );
    expect(row.help_started_at).toBe(1_763_900_000_000);
    expect(row.help_ended_at).toBe(1_763_900_600_000);
    expect(row.wait_time_seconds).toBe(42);
    expect(row.help_time_seconds).toBe(7);
  });

  it('turns ids and links sent as numbers into strings', () => {
    const row = rowOf(
      toSessionRow(keyed({ ...FULL_ITEM, customerNo: 12_345, agentId: 7, conversationDetailLink: 987_654 })),
    );
    expect(row.customer_no).toBe('12345');
    expect(row.agent_id).toBe('7');
    expect(row.conversation_detail_link).toBe('987654');
  });

  it('keeps a 64-bit customer number sent as a bigint exact', () => {
    const row = rowOf(toSessionRow(keyed({ ...FULL_ITEM, customerNo: 12_345_678_901_234_567_890n })));
    expect(row.customer_no).toBe('12345678901234567890');
  });

  it.each(['Ended by customer', 'onlinehelp_some_future_state', ''])('keeps the unknown helpState %j', (helpState) => {
    expect(rowOf(toSessionRow(keyed({ ...FULL_ITEM, helpState }))).help_state).toBe(helpState);
  });

  it('accepts the edges of the column ranges', () => {
    const row = rowOf(
      toSessionRow(keyed({ ...FULL_ITEM, waitTime: 2 ** 31 - 1, helpTime: 0, helpStartedAt: 0, helpEndedAt: 0 })),
    );
    expect(row.wait_time_seconds).toBe(2 ** 31 - 1);
    expect(row.help_time_seconds).toBe(0);
    expect(row.help_started_at).toBe(0);
    expect(row.help_ended_at).toBe(0);
  });

  it.each<[string, Record<string, unknown>, readonly string[]]>([
    ['a fractional waitTime', { waitTime: 12.5 }, ['waitTime', '12.5', 'whole number']],
    ['a fractional waitTime string', { waitTime: '12.5' }, ['waitTime', 'whole number']],
    ['a waitTime of 2^31', { waitTime: 2 ** 31 }, ['wait_time_seconds', '2147483648', '2147483647']],
    ['a helpTime below int32', { helpTime: -(2 ** 31) - 1 }, ['help_time_seconds', '-2147483649']],
    ['a boolean helpTime', { helpTime: true }, ['helpTime', 'boolean true', 'whole number']],
    [
      'a helpStartedAt of "yesterday"',
      { helpStartedAt: 'yesterday' },
      ['helpStartedAt', 'a string of length 9', 'epoch milliseconds'],
    ],
    ['a fractional helpStartedAt', { helpStartedAt: 1_763_900_000_000.5 }, ['helpStartedAt', 'epoch milliseconds']],
    ['a helpEndedAt before 1970', { helpEndedAt: -1 }, ['help_ended_at', '1970 to 9999', 'got -1']],
    ['a helpEndedAt after 9999', { helpEndedAt: 253_402_300_800_000 }, ['help_ended_at', '1970 to 9999']],
    [
      'agentName as an object',
      { agentName: { first: 'Mehmet' } },
      ['agentName', 'of type object', 'expected a string'],
    ],
    ['customerNo as an array', { customerNo: ['C-1'] }, ['customerNo', 'an array', 'expected a string']],
    ['helpState as a boolean', { helpState: false }, ['helpState', 'boolean false']],
    ['an unpaired surrogate', { customerName: 'Ay\uD800e' }, ['customer_name', 'unpaired UTF-16 surrogate']],
    ['a lone low surrogate', { conversationDetailLink: 'x\uDC00' }, ['conversation_detail_link', 'surrogate']],
  ])('rejects %s, with the reason and the original item', (_label, patch, fragments) => {
    const item = { ...FULL_ITEM, ...patch };
    const reject = rejectOf(toSessionRow(keyed(item)));
    for (const fragment of fragments) expect(reject.reason).toContain(fragment);
    expect(reject.item).toBe(item);
  });

  it('never echoes personal text in a reason', () => {
    const reject = rejectOf(toSessionRow(keyed({ ...FULL_ITEM, customerName: 'Canary Person\uD800' })));
    expect(reject.reason).not.toContain('Canary');
  });
});

describe('the record mapping of calls', () => {
  const CALL_ID = -1_527_120_504_243_668_640n; // the docs' own example: negative and beyond 2^53
  const STARTED = 1_763_900_000_000;

  function callRowOf(item: Readonly<Record<string, unknown>>): CallRow {
    const outcome = toCallRow({ id: CALL_ID, at: STARTED, item });
    if (!('row' in outcome)) throw new Error(`expected a row, got the reject "${outcome.reason}"`);
    return outcome.row as unknown as CallRow;
  }

  it('maps a full call to the exact row, its negative id exact', () => {
    expect(
      callRowOf({
        callId: CALL_ID,
        callStartedAt: STARTED,
        callEndedAt: STARTED + 61_000,
        callTime: 61,
        callType: 'video',
        callState: 'ENDED',
        callUseType: 'VIDEO_HELP_CALL',
        initiatorId: '2337368',
        nameOfInitiator: 'Şükrü Çağlayan',
        initiatorUserType: 5,
        initiatorAppName: 'Diyalog Android',
        receiverId: 'S0815',
        nameOfReceiver: 'Ayşe Öztürk',
        receiverUserType: 4,
        receiverAppName: 'Agent Web App',
        callViewUrl: 'https://diyalog.example.com/call/1',
      }),
    ).toStrictEqual({
      call_id: CALL_ID,
      call_started_at: STARTED,
      call_ended_at: STARTED + 61_000,
      call_time_seconds: 61,
      call_type: 'video',
      call_state: 'ENDED',
      call_use_type: 'VIDEO_HELP_CALL',
      initiator_id: '2337368',
      initiator_name: 'Şükrü Çağlayan',
      initiator_user_type: 5,
      initiator_app_name: 'Diyalog Android',
      receiver_id: 'S0815',
      receiver_name: 'Ayşe Öztürk',
      receiver_user_type: 4,
      receiver_app_name: 'Agent Web App',
      call_view_url: 'https://diyalog.example.com/call/1',
    });
  });

  it("keeps '' apart from an absent field, 0 seconds as 0, and unknown values as received", () => {
    const row = callRowOf({ callType: '', callViewUrl: '', callTime: 0, callUseType: 'UNKOWN', callState: 'START' });
    expect(row).toMatchObject({
      call_type: '',
      call_view_url: '',
      call_time_seconds: 0,
      call_use_type: 'UNKOWN',
      call_state: 'START',
      initiator_id: null,
      call_ended_at: null,
    });
  });

  it('rejects a user type that is not a whole number, naming the field and not the value', () => {
    const outcome = toCallRow({ id: CALL_ID, at: STARTED, item: { initiatorUserType: 'Şükrü' } });
    expect(outcome).toMatchObject({
      reason: 'initiatorUserType is a string of length 5 that is not a number, expected a whole number',
    });
  });
});

const ROW_ARB: fc.Arbitrary<SessionRow> = fc.record({
  online_help_id: fc.constant(ID),
  customer_no: fc.constantFrom(null, 'C-1', 'C-2'),
  customer_name: fc.constantFrom(null, 'Ayşe', 'Mehmet'),
  agent_id: fc.constantFrom(null, 'S-1'),
  agent_name: fc.constantFrom(null, 'Zeynep'),
  help_state: fc.constantFrom(null, 'onlinehelp_started', 'onlinehelp_ended_by_agent', 'Ended by customer'),
  help_requested_at: fc.integer({ min: 0, max: 3 }),
  help_started_at: fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }),
  help_ended_at: fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }),
  wait_time_seconds: fc.option(fc.integer({ min: 0, max: 2 }), { nil: null }),
  help_time_seconds: fc.option(fc.integer({ min: 0, max: 2 }), { nil: null }),
  conversation_detail_link: fc.constantFrom(null, 'https://d.example/1', 'https://d.example/2'),
});

describe('preferredCopy', () => {
  const base: SessionRow = { ...FULL_ROW, help_started_at: null, help_ended_at: null };

  it('does not depend on the order of its arguments', () => {
    fc.assert(
      fc.property(ROW_ARB, ROW_ARB, (a, b) => {
        const ab = preferredCopy(ONLINE_HELP, a, b);
        expect(ab === a || ab === b).toBe(true);
        expect(ab).toStrictEqual(preferredCopy(ONLINE_HELP, b, a));
      }),
      { numRuns: 2000 },
    );
  });

  it('picks the same copy among three whatever the arrival order', () => {
    fc.assert(
      fc.property(ROW_ARB, ROW_ARB, ROW_ARB, (a, b, c) => {
        const expected = preferredCopy(ONLINE_HELP, preferredCopy(ONLINE_HELP, a, b), c);
        expect(preferredCopy(ONLINE_HELP, preferredCopy(ONLINE_HELP, c, a), b)).toStrictEqual(expected);
        expect(preferredCopy(ONLINE_HELP, a, preferredCopy(ONLINE_HELP, b, c))).toStrictEqual(expected);
      }),
      { numRuns: 1000 },
    );
  });

  it('always prefers the copy with the later help_ended_at', () => {
    fc.assert(
      fc.property(ROW_ARB, ROW_ARB, (a, b) => {
        fc.pre(a.help_ended_at !== b.help_ended_at);
        const later = (a.help_ended_at ?? -1) > (b.help_ended_at ?? -1) ? a : b;
        expect(preferredCopy(ONLINE_HELP, a, b)).toBe(later);
        expect(preferredCopy(ONLINE_HELP, b, a)).toBe(later);
      }),
    );
  });

  it('prefers an ended copy over one that has not ended', () => {
    const ended = { ...base, help_started_at: REQUESTED + 1, help_ended_at: REQUESTED + 2 };
    const running = { ...FULL_ROW, help_started_at: REQUESTED + 1_000, help_ended_at: null };
    expect(preferredCopy(ONLINE_HELP, ended, running)).toBe(ended);
    expect(preferredCopy(ONLINE_HELP, running, ended)).toBe(ended);
  });

  it('with equal help_ended_at, prefers the later help_started_at', () => {
    const early = { ...base, help_started_at: REQUESTED + 10, help_ended_at: REQUESTED + 100, help_time_seconds: 9 };
    const late = { ...base, help_started_at: REQUESTED + 20, help_ended_at: REQUESTED + 100, help_time_seconds: null };
    expect(preferredCopy(ONLINE_HELP, early, late)).toBe(late);
    expect(preferredCopy(ONLINE_HELP, late, early)).toBe(late);
  });

  it('with equal times, prefers the copy with more fields set', () => {
    const sparse = { ...base, agent_name: null };
    expect(preferredCopy(ONLINE_HELP, sparse, base)).toBe(base);
    expect(preferredCopy(ONLINE_HELP, base, sparse)).toBe(base);
  });

  it('with equal rank, picks by content, not by position', () => {
    const x = { ...base, help_state: 'onlinehelp_ended_by_agent' };
    const y = { ...base, help_state: 'onlinehelp_ended_by_customer' };
    expect(preferredCopy(ONLINE_HELP, x, y)).toBe(preferredCopy(ONLINE_HELP, y, x));
  });
});
