import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  KEEP_ALL,
  PERSONAL_DATA_ACTIONS,
  personalDataSetting,
  pseudonymKeySetting,
  type PersonalDataPolicy,
} from '../../../functions/contract/personal-data.js';
import { CALLS, ONLINE_HELP, type ReportDefinition } from '../../../functions/contract/reports.js';
import type { AnyRow } from '../../../functions/contract/schema.js';
import {
  personalDataItemTransform,
  personalDataRowTransform,
  pseudonym,
} from '../../../functions/export/core/personal-data.js';

/** An ASCII key of 37 bytes. */
const KEY_TEXT = 'diyalog-test-pseudonym-key-0123456789';
const KEY = pseudonymKeySetting(KEY_TEXT, 'KEY');

const TURKISH = 'Şükrü Çağlayan İğdır ığüşöç';
const EMOJI = '🙂👍🏽';

/**
 * Pseudonyms under {@link KEY_TEXT}, computed outside Node:
 * `printf '%s' VALUE | openssl dgst -sha256 -hmac 'diyalog-test-pseudonym-key-0123456789'`.
 */
const OPENSSL_PSEUDONYMS: readonly (readonly [string, string])[] = [
  [TURKISH, 'b4c16f7dbc157b1962781c2368cd785c7cd9fbceeece38ce21713422a4c2cab5'],
  [EMOJI, 'fc45762f20b6bfa82e6afa954da4bba41da392eea67cc27c3f1b81fc0fbbf76f'],
  ['', 'fab99234f462f2baa296e4a4b3c906079d9cd83b3fffb49d0c580a4430ffeec5'],
  ['C-1001', 'e2ed6ad273e7a206366d8723cba4fe9fed8d5e0cbe0b9a8c5fb6a39c929b136e'],
];

/** The UTF-8 bytes of {@link TURKISH} and {@link EMOJI}, as `xxd` shows them. */
const TURKISH_UTF8 = 'c59ec3bc6b72c3bc20c38761c49f6c6179616e20c4b0c49f64c4b17220c4b1c49fc3bcc59fc3b6c3a7';
const EMOJI_UTF8 = 'f09f9982f09f918df09f8fbd';

/** HMAC-SHA256 over bytes given in hex, with the key's bytes taken as ASCII: no UTF-8 encoding involved. */
function hmacOfBytes(keyAscii: string, valueHex: string): string {
  return createHmac('sha256', Buffer.from(keyAscii, 'ascii')).update(Buffer.from(valueHex, 'hex')).digest('hex');
}

function policy(text: string): PersonalDataPolicy {
  return personalDataSetting(text, 'EXPORT_PERSONAL_DATA');
}

const SESSION: AnyRow = Object.freeze({
  online_help_id: 9_007_199_254_740_993n,
  customer_no: 'C-1001',
  customer_name: TURKISH,
  agent_id: null,
  agent_name: EMOJI,
  help_state: 'onlinehelp_ended_by_agent',
  help_requested_at: 1_763_900_000_000,
  help_started_at: null,
  help_ended_at: null,
  wait_time_seconds: 30,
  help_time_seconds: null,
  conversation_detail_link: '',
});

const CALL: AnyRow = Object.freeze({
  call_id: -42n,
  call_started_at: 1_763_900_000_000,
  call_ended_at: 1_763_900_060_000,
  call_time_seconds: 60,
  call_type: 'video',
  call_state: 'ENDED',
  call_use_type: 'ONLINE_HELP_CALL',
  initiator_id: 'S-42',
  initiator_name: 'Mehmet Demir',
  initiator_user_type: 4,
  initiator_app_name: 'Agent Web App',
  receiver_id: 'C-1001',
  receiver_name: TURKISH,
  receiver_user_type: 1,
  receiver_app_name: 'Diyalog Android',
  call_view_url: '',
});

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const field of Object.values(value)) deepFreeze(field);
    Object.freeze(value);
  }
  return value;
}

describe('pseudonym', () => {
  it.each(OPENSSL_PSEUDONYMS)('of %j is the HMAC-SHA256 openssl computes', (value, expected) => {
    expect(pseudonym(KEY, value)).toBe(expected);
  });

  it('is the HMAC of the UTF-8 bytes of Turkish text and emoji', () => {
    expect(pseudonym(KEY, TURKISH)).toBe(hmacOfBytes(KEY_TEXT, TURKISH_UTF8));
    expect(pseudonym(KEY, EMOJI)).toBe(hmacOfBytes(KEY_TEXT, EMOJI_UTF8));
  });

  it('keys the HMAC with the UTF-8 bytes of the key text', () => {
    // openssl dgst -sha256 -mac HMAC -macopt hexkey:c59f…c59f (16 × "ş") over "C-1001"
    const turkishKey = pseudonymKeySetting('ş'.repeat(16), 'KEY');
    expect(pseudonym(turkishKey, 'C-1001')).toBe('c922903144d85f0f890c8564add6b6462257bc872138c577e8f152a6c523f44f');
  });

  it('is 64 lower-case hex digits, the same for the same value and key, different for another key', () => {
    const otherKey = pseudonymKeySetting(`${KEY_TEXT}!`, 'KEY');
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (value) => {
        const result = pseudonym(KEY, value);
        expect(result).toMatch(/^[0-9a-f]{64}$/);
        expect(pseudonym(KEY, value)).toBe(result);
        expect(pseudonym(otherKey, value)).not.toBe(result);
        expect(result).toBe(hmacOfBytes(KEY_TEXT, Buffer.from(value, 'utf8').toString('hex')));
      }),
    );
  });
});

describe('personalDataRowTransform', () => {
  it('returns the row itself when the policy keeps every column of the report', () => {
    expect(personalDataRowTransform(ONLINE_HELP, KEEP_ALL, undefined)(SESSION)).toBe(SESSION);
    expect(personalDataRowTransform(ONLINE_HELP, policy('keep,call_view_url=drop'), undefined)(SESSION)).toBe(SESSION);
  });

  it('drops every personal column to NULL and leaves the others', () => {
    expect(personalDataRowTransform(ONLINE_HELP, policy('drop'), undefined)(SESSION)).toEqual({
      ...SESSION,
      customer_no: null,
      customer_name: null,
      agent_id: null,
      agent_name: null,
      conversation_detail_link: null,
    });
  });

  it("pseudonymizes every personal column; NULL stays NULL, '' gets the pseudonym of ''", () => {
    expect(personalDataRowTransform(ONLINE_HELP, policy('pseudonymize'), KEY)(SESSION)).toEqual({
      ...SESSION,
      customer_no: 'e2ed6ad273e7a206366d8723cba4fe9fed8d5e0cbe0b9a8c5fb6a39c929b136e',
      customer_name: 'b4c16f7dbc157b1962781c2368cd785c7cd9fbceeece38ce21713422a4c2cab5',
      agent_id: null,
      agent_name: 'fc45762f20b6bfa82e6afa954da4bba41da392eea67cc27c3f1b81fc0fbbf76f',
      conversation_detail_link: 'fab99234f462f2baa296e4a4b3c906079d9cd83b3fffb49d0c580a4430ffeec5',
    });
  });

  it('applies per-column overrides', () => {
    const calls = personalDataRowTransform(CALLS, policy('pseudonymize,initiator_id=keep,call_view_url=drop'), KEY);
    expect(calls(CALL)).toEqual({
      ...CALL,
      initiator_name: pseudonym(KEY, 'Mehmet Demir'),
      receiver_id: pseudonym(KEY, 'C-1001'),
      receiver_name: pseudonym(KEY, TURKISH),
      call_view_url: null,
    });
  });

  it('gives a value the same pseudonym in every column and report', () => {
    const everything = policy('pseudonymize');
    const session = personalDataRowTransform(ONLINE_HELP, everything, KEY)(SESSION);
    const call = personalDataRowTransform(CALLS, everything, KEY)({ ...CALL, initiator_id: 'C-1001' });
    expect(session['customer_no']).toBe(call['receiver_id']);
    expect(session['customer_no']).toBe(call['initiator_id']);
    expect(session['customer_name']).toBe(call['receiver_name']);
  });

  it('returns a new row with the columns in their order, leaving the given row as it was', () => {
    const result = personalDataRowTransform(ONLINE_HELP, policy('pseudonymize,agent_name=drop'), KEY)(SESSION);
    expect(result).not.toBe(SESSION);
    expect(Object.keys(result)).toEqual(Object.keys(SESSION));
    expect(SESSION['customer_no']).toBe('C-1001');
  });

  it("follows the report's own personal marks: a column of a personal name not marked personal is kept", () => {
    const unmarked: ReportDefinition = {
      ...ONLINE_HELP,
      columns: ONLINE_HELP.columns.map((column) =>
        column.name === 'agent_name' ? { ...column, personal: false } : column,
      ),
    };
    const result = personalDataRowTransform(unmarked, policy('drop'), undefined)(SESSION);
    expect(result['agent_name']).toBe(EMOJI);
    expect(result['customer_name']).toBeNull();
  });

  it('refuses to be built for a pseudonymized column without a key', () => {
    expect(() => personalDataRowTransform(ONLINE_HELP, policy('drop,agent_id=pseudonymize'), undefined)).toThrow(
      'the personal-data policy drop,agent_id=pseudonymize pseudonymizes online_help.agent_id, ' +
        'but no pseudonym key was given',
    );
    expect(() => personalDataRowTransform(CALLS, policy('keep,call_view_url=pseudonymize'), undefined)).toThrow(
      /no pseudonym key/,
    );
    // A report none of whose columns is pseudonymized needs no key.
    expect(
      personalDataRowTransform(ONLINE_HELP, policy('drop,call_view_url=pseudonymize'), undefined)(SESSION),
    ).toEqual(personalDataRowTransform(ONLINE_HELP, policy('drop'), undefined)(SESSION));
  });

  it('gives each personal column its action and leaves every other column as it was', () => {
    const personal = ONLINE_HELP.columns.filter((column) => column.personal).map(({ name }) => name);
    const value = fc.option(fc.string({ unit: 'grapheme', maxLength: 20 }), { nil: null });
    const action = fc.constantFrom(...PERSONAL_DATA_ACTIONS);
    const spec = fc.tuple(action, fc.dictionary(fc.constantFrom(...personal), action));
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...personal), value), spec, (values, [bare, overrides]) => {
        const chosen = policy([bare, ...Object.entries(overrides).map(([c, a]) => `${c}=${a}`)].join(','));
        const row = Object.freeze({ ...SESSION, ...values });
        const result = personalDataRowTransform(ONLINE_HELP, chosen, KEY)(row);
        for (const column of ONLINE_HELP.columns) {
          const before = row[column.name] ?? null;
          const expected = {
            keep: before,
            drop: null,
            pseudonymize: before === null ? null : pseudonym(KEY, String(before)),
          }[chosen.actionFor(column.name)];
          expect(result[column.name]).toBe(expected);
        }
      }),
    );
  });
});

describe('personalDataItemTransform', () => {
  const ITEM = deepFreeze({
    onlineHelpId: 7,
    customerNo: 'C-1001',
    customerName: TURKISH,
    agentId: null,
    agentName: { first: 'Mehmet' },
    helpState: { unexpected: ['shape'] },
    helpRequestedAt: 'not a time',
    conversationDetailLink: '',
  });

  const items = (report: ReportDefinition, spec: string) => personalDataItemTransform(report, policy(spec), KEY);

  it('pseudonymizes personal fields by their API names, and keeps the rest as received', () => {
    expect(items(ONLINE_HELP, 'pseudonymize')(ITEM)).toEqual({
      onlineHelpId: 7,
      customerNo: pseudonym(KEY, 'C-1001'),
      customerName: pseudonym(KEY, TURKISH),
      agentId: null,
      agentName: null,
      helpState: { unexpected: ['shape'] },
      helpRequestedAt: 'not a time',
      conversationDetailLink: pseudonym(KEY, ''),
    });
  });

  it('sets dropped fields to null rather than removing them, and adds no absent field', () => {
    const result = items(ONLINE_HELP, 'drop')({ onlineHelpId: 7, customerNo: 'C-1001', agentName: ['x'] });
    expect(result).toEqual({ onlineHelpId: 7, customerNo: null, agentName: null });
    expect(Object.keys(result as object)).toEqual(['onlineHelpId', 'customerNo', 'agentName']);
  });

  it('pseudonymizes numbers and bigints as the record mapping writes them, so rejects join the table', () => {
    const item = { customerNo: 1001, agentId: 9_007_199_254_740_993n, agentName: 1.5e21 };
    const result = items(ONLINE_HELP, 'pseudonymize')(item);
    expect(result).toEqual({
      customerNo: pseudonym(KEY, '1001'),
      agentId: pseudonym(KEY, '9007199254740993'),
      agentName: pseudonym(KEY, '1.5e+21'),
    });
    const row = personalDataRowTransform(ONLINE_HELP, policy('pseudonymize'), KEY)({ ...SESSION, customer_no: '1001' });
    expect((result as Record<string, unknown>)['customerNo']).toBe(row['customer_no']);
  });

  it.each(['pseudonymize', 'drop'])('under %s, nulls values that cannot be pseudonymized', (action) => {
    const item = { customerNo: true, customerName: { nested: 'Şükrü' }, agentId: ['S-42'], agentName: undefined };
    expect(items(ONLINE_HELP, action)(item)).toEqual({
      customerNo: null,
      customerName: null,
      agentId: null,
      agentName: null,
    });
  });

  it('leaves kept fields exactly as received, objects included', () => {
    const result = items(ONLINE_HELP, 'drop,agent_name=keep')(ITEM);
    expect((result as Record<string, unknown>)['agentName']).toBe(ITEM.agentName);
    expect((result as Record<string, unknown>)['helpState']).toBe(ITEM.helpState);
  });

  it("uses the report's own field names", () => {
    const call = { callId: 1, nameOfInitiator: 'Mehmet Demir', receiverId: 'C-1001', customerNo: 'C-1001' };
    expect(items(CALLS, 'drop')(call)).toEqual({
      callId: 1,
      nameOfInitiator: null,
      receiverId: null,
      customerNo: 'C-1001',
    });
  });

  it('conceals an item that is not a JSON object whole, as none of it can be told personal or not', () => {
    const transform = items(ONLINE_HELP, 'drop');
    const array = Object.freeze([{ customerNo: 'C-1001' }]);
    for (const item of [null, undefined, 42, 'Ayşe Yılmaz', true, 9n, array]) expect(transform(item)).toBeNull();
    expect(personalDataItemTransform(ONLINE_HELP, KEEP_ALL, undefined)('Ayşe Yılmaz')).toBe('Ayşe Yılmaz');
  });

  it('returns the item itself when the policy keeps every field of the report', () => {
    expect(personalDataItemTransform(ONLINE_HELP, KEEP_ALL, undefined)(ITEM)).toBe(ITEM);
  });

  it('refuses to be built for a pseudonymized field without a key', () => {
    expect(() => personalDataItemTransform(CALLS, policy('pseudonymize'), undefined)).toThrow(/no pseudonym key/);
  });

  it('never modifies the item, and treats every personal field by its action', () => {
    const sources = new Map(ONLINE_HELP.columns.filter((c) => c.personal).map((c) => [c.source, c.name]));
    const field = fc.oneof(fc.constantFrom(...sources.keys()), fc.string({ maxLength: 8 }));
    const item = fc.dictionary(field, fc.anything({ withBigInt: true, maxDepth: 2 }));
    const spec = fc.constantFrom('keep', 'drop', 'pseudonymize', 'pseudonymize,customer_no=drop,agent_name=keep');
    fc.assert(
      fc.property(item, spec, (received, chosen) => {
        const snapshot = structuredClone(received);
        const result = items(ONLINE_HELP, chosen)(deepFreeze(received)) as Record<string, unknown>;
        expect(received).toEqual(snapshot);
        expect(Object.keys(result)).toEqual(Object.keys(received));
        for (const [name, value] of Object.entries(received)) {
          const column = sources.get(name);
          const action = column === undefined ? 'keep' : policy(chosen).actionFor(column);
          const pseudonymizable = typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint';
          const expected = {
            keep: value,
            drop: null,
            pseudonymize: pseudonymizable ? pseudonym(KEY, String(value)) : null,
          }[action];
          expect(result[name]).toBe(expected);
        }
      }),
    );
  });
});
