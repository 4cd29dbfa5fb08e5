import { inspect, format } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SettingError } from '../../../functions/contract/errors.js';
import {
  KEEP_ALL,
  PERSONAL_COLUMNS,
  PERSONAL_DATA_ACTIONS,
  personalDataSetting,
  pseudonymKeySetting,
  type PersonalDataAction,
  type PersonalDataPolicy,
} from '../../../functions/contract/personal-data.js';
import { CALLS, ONLINE_HELP, REPORTS } from '../../../functions/contract/reports.js';

const SETTING = 'EXPORT_PERSONAL_DATA';
const KEY_SETTING = 'EXPORT_PSEUDONYM_KEY';

/** The list, typed out here so that a changed personal mark in the definitions fails a test. */
const EXPECTED_PERSONAL_COLUMNS = [
  'customer_no',
  'customer_name',
  'agent_id',
  'agent_name',
  'conversation_detail_link',
  'initiator_id',
  'initiator_name',
  'receiver_id',
  'receiver_name',
  'call_view_url',
];

function policy(text: string): PersonalDataPolicy {
  return personalDataSetting(text, SETTING);
}

/** The SettingError that `run` throws. */
function refusal(run: () => unknown): SettingError {
  try {
    run();
  } catch (error) {
    if (error instanceof SettingError) return error;
    throw error;
  }
  throw new Error('expected a SettingError');
}

function policyRefusal(text: string): SettingError {
  const error = refusal(() => personalDataSetting(text, SETTING));
  expect(error.setting).toBe(SETTING);
  expect(error.message).toBe(`${SETTING}: ${error.problem}`);
  return error;
}

describe('PERSONAL_COLUMNS', () => {
  it('are the columns marked personal, in report and column order', () => {
    expect(PERSONAL_COLUMNS).toEqual(EXPECTED_PERSONAL_COLUMNS);
    expect(Object.isFrozen(PERSONAL_COLUMNS)).toBe(true);
  });

  it('are optional string columns, so that NULL (drop) and a pseudonym (a string) fit them', () => {
    for (const report of REPORTS) {
      for (const column of report.columns.filter((c) => c.personal)) {
        expect([report.name, column.name, column.athenaType, column.required]).toEqual([
          report.name,
          column.name,
          'string',
          false,
        ]);
      }
    }
  });
});

describe('PERSONAL_DATA_ACTIONS', () => {
  it('are keep, pseudonymize and drop', () => {
    expect(PERSONAL_DATA_ACTIONS).toEqual(['keep', 'pseudonymize', 'drop']);
  });
});

describe('KEEP_ALL', () => {
  it('keeps every column and needs no key', () => {
    expect(KEEP_ALL.text).toBe('keep');
    expect(KEEP_ALL.usesPseudonyms).toBe(false);
    for (const report of REPORTS) {
      for (const column of report.columns) expect(KEEP_ALL.actionFor(column.name)).toBe('keep');
    }
  });
});

describe('personalDataSetting', () => {
  it.each([
    ['', 'keep'],
    ['   ', 'keep'],
    ['keep', 'keep'],
    ['pseudonymize', 'pseudonymize'],
    ['drop', 'drop'],
    [' pseudonymize , agent_id = keep ', 'pseudonymize,agent_id=keep'],
    ['agent_id=drop', 'keep,agent_id=drop'],
    ['call_view_url=pseudonymize,keep', 'keep,call_view_url=pseudonymize'],
    [
      'conversation_detail_link=drop,pseudonymize,agent_id=keep',
      'pseudonymize,agent_id=keep,conversation_detail_link=drop',
    ],
    ['drop,customer_no=drop,receiver_id=pseudonymize', 'drop,receiver_id=pseudonymize'],
    ['keep,agent_id=keep', 'keep'],
    ['\tdrop\n', 'drop'],
  ])('reads %j as %j', (text, canonical) => {
    const read = policy(text);
    expect(read.text).toBe(canonical);
    expect(policy(read.text).text).toBe(canonical);
  });

  it('returns KEEP_ALL for blank text', () => {
    expect(policy('')).toBe(KEEP_ALL);
    expect(policy(' \t ')).toBe(KEEP_ALL);
  });

  it('applies the default to every personal column and the overrides to theirs', () => {
    const read = policy('pseudonymize,agent_id=keep,conversation_detail_link=drop,call_view_url=drop');
    expect(Object.fromEntries(PERSONAL_COLUMNS.map((column) => [column, read.actionFor(column)]))).toEqual({
      customer_no: 'pseudonymize',
      customer_name: 'pseudonymize',
      agent_id: 'keep',
      agent_name: 'pseudonymize',
      conversation_detail_link: 'drop',
      initiator_id: 'pseudonymize',
      initiator_name: 'pseudonymize',
      receiver_id: 'pseudonymize',
      receiver_name: 'pseudonymize',
      call_view_url: 'drop',
    });
  });

  it('keeps every column that is not personal, whatever the default', () => {
    for (const action of PERSONAL_DATA_ACTIONS) {
      const read = policy(action);
      for (const report of REPORTS) {
        for (const column of report.columns.filter((c) => !c.personal)) {
          expect(read.actionFor(column.name)).toBe('keep');
        }
      }
      expect(read.actionFor('no_such_column')).toBe('keep');
    }
  });

  it.each([
    ['keep', false],
    ['drop', false],
    ['drop,agent_id=keep', false],
    ['pseudonymize', true],
    ['keep,call_view_url=pseudonymize', true],
    ['pseudonymize,' + PERSONAL_COLUMNS.map((column) => `${column}=drop`).join(','), false],
  ])('%j uses pseudonyms: %s', (text, uses) => {
    expect(policy(text).usesPseudonyms).toBe(uses);
  });

  it("records each report's personal columns with their actions", () => {
    const read = policy('pseudonymize,agent_id=keep,conversation_detail_link=drop,receiver_name=drop');
    expect(read.columnsOf(ONLINE_HELP)).toEqual({
      customer_no: 'pseudonymize',
      customer_name: 'pseudonymize',
      agent_id: 'keep',
      agent_name: 'pseudonymize',
      conversation_detail_link: 'drop',
    });
    expect(read.columnsOf(CALLS)).toEqual({
      initiator_id: 'pseudonymize',
      initiator_name: 'pseudonymize',
      receiver_id: 'pseudonymize',
      receiver_name: 'drop',
      call_view_url: 'pseudonymize',
    });
    expect(Object.keys(KEEP_ALL.columnsOf(CALLS))).toEqual([
      'initiator_id',
      'initiator_name',
      'receiver_id',
      'receiver_name',
      'call_view_url',
    ]);
  });

  it('is immutable', () => {
    const read = policy('drop,agent_id=keep');
    expect(Object.isFrozen(read)).toBe(true);
    expect(Object.isFrozen(read.columnsOf(ONLINE_HELP))).toBe(true);
    expect(() => {
      Object.assign(read, { text: 'keep', usesPseudonyms: true });
    }).toThrow(TypeError);
    expect(read.text).toBe('drop,agent_id=keep');
  });

  it.each([
    ['keep,,agent_id=drop', 'has an empty entry'],
    ['keep,', 'has an empty entry'],
    [',keep', 'has an empty entry'],
    [' , ', 'has an empty entry'],
    ['keep,drop', '"drop" is a second bare action'],
    ['pseudonymize,agent_id=keep, pseudonymize', '"pseudonymize" is a second bare action'],
    ['pseudonymise', '"pseudonymise" is not an action; actions: keep, pseudonymize, drop'],
    ['KEEP', '"KEEP" is not an action; actions: keep, pseudonymize, drop'],
    ['agent_id', '"agent_id" names a column without an action; write agent_id=<action>, actions: keep'],
    ['agent_id=', '"agent_id=" does not end in an action; actions: keep, pseudonymize, drop'],
    ['agent_id=hash', '"agent_id=hash" does not end in an action; actions: keep, pseudonymize, drop'],
    ['agent_id=keep=drop', '"agent_id=keep=drop" does not end in an action'],
    ['agent_id=Drop', '"agent_id=Drop" does not end in an action'],
    ['help_state=drop', '"help_state=drop" does not name a personal column; personal columns: customer_no, '],
    ['online_help_id=pseudonymize', '"online_help_id=pseudonymize" does not name a personal column'],
    ['agentid=drop', '"agentid=drop" does not name a personal column'],
    ['Agent_Id=drop', '"Agent_Id=drop" does not name a personal column'],
    ['=drop', '"=drop" does not name a personal column'],
    ['agent_id=drop,agent_id=drop', '"agent_id=drop" overrides agent_id a second time'],
    ['drop,agent_id=keep,agent_id = pseudonymize', '"agent_id = pseudonymize" overrides agent_id a second time'],
  ])('refuses %j', (text, expected) => {
    expect(policyRefusal(text).problem).toContain(expected);
  });

  it('lists every action, or every personal column, for an unknown one', () => {
    expect(policyRefusal('hash').problem).toContain(`actions: ${PERSONAL_DATA_ACTIONS.join(', ')}`);
    expect(policyRefusal('name=drop').problem).toContain(`personal columns: ${PERSONAL_COLUMNS.join(', ')}`);
  });

  it('quotes at most 40 characters of an entry at fault', () => {
    const pasted = 'x'.repeat(39) + 'SECRET-TAIL';
    const problem = policyRefusal(`keep,${pasted}`).problem;
    expect(problem).toContain(`"${'x'.repeat(39)}S…"`);
    expect(problem).not.toContain('SECRET-TAIL');
  });

  it('quotes nothing of the spec but the entry at fault', () => {
    const validEntry = fc.constantFrom(
      ...PERSONAL_COLUMNS.map((column) => `${column}=drop`),
      ...PERSONAL_COLUMNS.map((column) => `${column}=keep`),
    );
    const marker = fc.stringMatching(/^[A-Z]{12}$/);
    fc.assert(
      fc.property(
        fc.uniqueArray(validEntry, { maxLength: 4, selector: (entry) => entry.split('=')[0] }),
        marker,
        fc.array(marker, { minLength: 1, maxLength: 3 }),
        (before, fault, after) => {
          const problem = policyRefusal([...before, fault, ...after].join(',')).problem;
          expect(problem).toContain(`"${fault}"`);
          for (const entry of [...before, ...after]) {
            expect(problem).not.toContain(entry);
          }
        },
      ),
    );
  });

  it('reads every policy back from its text, whatever the order and spacing of its spec', () => {
    const action = fc.constantFrom<PersonalDataAction>(...PERSONAL_DATA_ACTIONS);
    const spec = fc.record({
      bare: fc.option(action, { nil: undefined }),
      barePosition: fc.nat(),
      columns: fc.shuffledSubarray([...PERSONAL_COLUMNS]),
      actions: fc.array(action, { minLength: PERSONAL_COLUMNS.length, maxLength: PERSONAL_COLUMNS.length }),
      pad: fc.constantFrom('', ' ', '  ', '\t'),
    });
    fc.assert(
      fc.property(spec, ({ bare, barePosition, columns, actions, pad }) => {
        const expected = new Map(columns.map((column, index) => [column, actions[index] ?? 'keep']));
        const entries = [...expected].map(([column, act]) => `${column}${pad}=${pad}${act}`);
        if (bare !== undefined) entries.splice(barePosition % (entries.length + 1), 0, bare);
        const read = policy(entries.map((entry) => `${pad}${entry}${pad}`).join(','));
        for (const column of PERSONAL_COLUMNS) {
          expect(read.actionFor(column)).toBe(expected.get(column) ?? bare ?? 'keep');
        }
        const reread = policy(read.text);
        expect(reread.text).toBe(read.text);
        for (const column of PERSONAL_COLUMNS) expect(reread.actionFor(column)).toBe(read.actionFor(column));
        expect(read.usesPseudonyms).toBe(PERSONAL_COLUMNS.some((c) => read.actionFor(c) === 'pseudonymize'));
      }),
    );
  });
});

/** 37 bytes; its SHA-256 (openssl dgst -sha256) starts with 33621fd8b5fc. */
const KEY_TEXT = 'diyalog-test-pseudonym-key-0123456789';

describe('pseudonymKeySetting', () => {
  const refusedKey = (text: string) => refusal(() => pseudonymKeySetting(text, KEY_SETTING));

  it('names the key by the first 12 hex digits of its SHA-256', () => {
    expect(pseudonymKeySetting(KEY_TEXT, KEY_SETTING).id).toBe('33621fd8b5fc');
  });

  it('counts UTF-8 bytes: 32 are accepted, 31 refused', () => {
    expect(pseudonymKeySetting('k'.repeat(32), KEY_SETTING).id).toMatch(/^[0-9a-f]{12}$/);
    expect(refusedKey('k'.repeat(31)).setting).toBe(KEY_SETTING);
    // ş is 2 bytes: 16 of them are 32 bytes (openssl: SHA-256 starts with b316e19ed6f0), 15 and an "a" are 31.
    expect(pseudonymKeySetting('ş'.repeat(16), KEY_SETTING).id).toBe('b316e19ed6f0');
    refusedKey(`${'ş'.repeat(15)}a`);
    // 🙂 is 4 bytes and 2 UTF-16 units: 8 are 32 bytes, though only 16 units.
    pseudonymKeySetting('🙂'.repeat(8), KEY_SETTING);
    refusedKey(`${'🙂'.repeat(7)}abc`);
  });

  it('trims the text, so that a trailing newline does not change the key', () => {
    expect(pseudonymKeySetting(` ${KEY_TEXT}\n`, KEY_SETTING).id).toBe('33621fd8b5fc');
    refusedKey(`  ${'k'.repeat(31)}\n`);
  });

  it('refuses a missing key', () => {
    expect(refusedKey('').problem).toContain('at least 32 bytes');
    refusedKey('   \n');
  });

  it('refuses every short key with the same message, which can hold nothing of the key', () => {
    const expected = refusedKey('').message;
    expect(expected).toBe(
      `${KEY_SETTING}: must be a secret of at least 32 bytes (UTF-8), e.g. the 64 hex digits of \`openssl rand -hex 32\``,
    );
    const shortKey = fc.string({ unit: 'grapheme', maxLength: 32 }).filter((text) => {
      return Buffer.byteLength(text.trim(), 'utf8') < 32;
    });
    fc.assert(
      fc.property(shortKey, (text) => {
        const error = refusedKey(text);
        expect(error.message).toBe(expected);
        expect(error.cause).toBeUndefined();
        if (text.trim().length >= 6) {
          expect(error.message).not.toContain(text.trim());
        }
      }),
    );
  });

  it('shows only its id when printed, serialized or inspected', () => {
    const key = pseudonymKeySetting(KEY_TEXT, KEY_SETTING);
    const shown = 'PseudonymKey(33621fd8b5fc)';
    expect(String(key)).toBe(shown);
    // eslint-disable-next-line @typescript-eslint/restrict-template-expressions -- what a careless log line does
    expect(`${key}`).toBe(shown);
    expect(JSON.stringify(key)).toBe(`"${shown}"`);
    expect(JSON.stringify({ key })).toBe(`{"key":"${shown}"}`);
    expect(inspect(key)).toBe(shown);
    expect(inspect({ nested: [key] }, { depth: 5, showHidden: true })).toContain(shown);
    expect(Object.isFrozen(key)).toBe(true);
  });

  it('reveals no key material in any rendering', () => {
    const keyText = fc.string({ unit: 'grapheme', minLength: 32, maxLength: 80 }).filter((text) => {
      return text.trim().length >= 8 && Buffer.byteLength(text.trim(), 'utf8') >= 32;
    });
    fc.assert(
      fc.property(keyText, (text) => {
        const key = pseudonymKeySetting(text, KEY_SETTING);
        const material = [text.trim(), Buffer.from(text.trim(), 'utf8').toString('hex')];
        const renderings = [
          String(key),
          // eslint-disable-next-line @typescript-eslint/restrict-template-expressions -- a careless log line
          `${key}`,
          JSON.stringify(key),
          JSON.stringify({ key }),
          JSON.stringify(Object.fromEntries(Object.entries(key))),
          inspect(key, { showHidden: true, depth: Infinity }),
          inspect({ key }, { showHidden: true, depth: Infinity }),
          inspect(key.secret, { showHidden: true, depth: Infinity }),
          JSON.stringify(key.secret),
          format('%s %o %O %j', key, key, key, key),
          Object.keys(key).join(),
        ];
        for (const rendering of renderings) {
          for (const secret of material) expect(rendering).not.toContain(secret);
        }
      }),
    );
  });
});
