/**
 * What an export does with personal data: the columns marked `personal` in the report definitions are kept as
 * received (the default), pseudonymized (a keyed hash that still joins across columns, days and tables) or dropped
 * (NULL). One setting syntax everywhere (`--personal-data`, `EXPORT_PERSONAL_DATA`, CDK context `personalData`),
 * read by {@link personalDataSetting}; the pseudonym key is read by {@link pseudonymKeySetting}.
 */
import { createHash, createSecretKey, type KeyObject } from 'node:crypto';
import { SettingError } from './errors.js';
import { REPORTS, type ReportDefinition } from './reports.js';

export type PersonalDataAction = 'keep' | 'pseudonymize' | 'drop';

export const PERSONAL_DATA_ACTIONS: readonly PersonalDataAction[] = Object.freeze(['keep', 'pseudonymize', 'drop']);

/** The personal columns of every report, in report and column order, each name once. */
export const PERSONAL_COLUMNS: readonly string[] = Object.freeze([
  ...new Set(REPORTS.flatMap((report) => report.columns.filter((column) => column.personal).map(({ name }) => name))),
]);

/**
 * A validated personal-data policy: a default action for every personal column, and per-column overrides. Only
 * {@link personalDataSetting} and {@link KEEP_ALL} make one, so every policy in use passed the one validator.
 */
class PersonalDataPolicy {
  /**
   * The canonical spec: the default action, then the overrides that differ from it in {@link PERSONAL_COLUMNS}
   * order, e.g. `pseudonymize,agent_id=keep`. Policies that act alike have the same text, and it reads back as
   * the same policy.
   */
  readonly text: string;
  /** Whether any personal column of any report is pseudonymized, i.e. whether a run needs the pseudonym key. */
  readonly usesPseudonyms: boolean;
  readonly #actions: ReadonlyMap<string, PersonalDataAction>;

  constructor(defaultAction: PersonalDataAction, overrides: ReadonlyMap<string, PersonalDataAction>) {
    this.#actions = new Map(PERSONAL_COLUMNS.map((column) => [column, overrides.get(column) ?? defaultAction]));
    const differing = PERSONAL_COLUMNS.filter((column) => this.actionFor(column) !== defaultAction);
    this.text = [defaultAction, ...differing.map((column) => `${column}=${this.actionFor(column)}`)].join(',');
    this.usesPseudonyms = PERSONAL_COLUMNS.some((column) => this.actionFor(column) === 'pseudonymize');
    Object.freeze(this);
  }

  /** What is done with a column's values; a column that is not personal is always kept. */
  actionFor(columnName: string): PersonalDataAction {
    return this.#actions.get(columnName) ?? 'keep';
  }

  /** The action on each personal column of a report, as a run manifest records it. */
  columnsOf(report: ReportDefinition): Readonly<Record<string, PersonalDataAction>> {
    const personal = report.columns.filter((column) => column.personal);
    return Object.freeze(Object.fromEntries(personal.map(({ name }) => [name, this.actionFor(name)])));
  }
}

export type { PersonalDataPolicy };

/** Every personal column kept as received: the default policy. */
export const KEEP_ALL: PersonalDataPolicy = new PersonalDataPolicy('keep', new Map());

const ACTIONS_LIST = `actions: ${PERSONAL_DATA_ACTIONS.join(', ')}`;
const COLUMNS_LIST = `personal columns: ${PERSONAL_COLUMNS.join(', ')}`;
const EXAMPLE = 'e.g. pseudonymize,agent_id=keep,conversation_detail_link=drop';

/**
 * A personal-data policy spec: comma-separated entries, where one bare action sets the default for every personal
 * column and `column=action` overrides one column, e.g. `pseudonymize,agent_id=keep`. Entries and both sides of
 * `=` are trimmed, in any order; names are case-sensitive. Blank text is {@link KEEP_ALL}. Refused: an empty
 * entry, a second bare action, an unknown action, a column that is not personal, a column overridden twice. A
 * message quotes only the entry at fault (at most 40 characters of it), never the rest of the spec.
 */
export function personalDataSetting(text: string, setting: string): PersonalDataPolicy {
  if (text.trim() === '') return KEEP_ALL;
  let defaultAction: PersonalDataAction | undefined;
  const overrides = new Map<string, PersonalDataAction>();
  for (const entry of text.split(',').map((part) => part.trim())) {
    const refusal = (problem: string) => new SettingError(setting, `${quoted(entry)} ${problem}`);
    if (entry === '') throw new SettingError(setting, `has an empty entry (a doubled or trailing comma); ${EXAMPLE}`);
    const equals = entry.indexOf('=');
    if (equals === -1) {
      const action = actionNamed(entry);
      if (action === undefined) {
        throw refusal(
          PERSONAL_COLUMNS.includes(entry)
            ? `names a column without an action; write ${entry}=<action>, ${ACTIONS_LIST}`
            : `is not an action; ${ACTIONS_LIST} (or column=action for one column)`,
        );
      }
      if (defaultAction !== undefined) {
        throw refusal(`is a second bare action; one bare action sets the default, column=action overrides a column`);
      }
      defaultAction = action;
    } else {
      const column = entry.slice(0, equals).trim();
      const action = actionNamed(entry.slice(equals + 1).trim());
      if (!PERSONAL_COLUMNS.includes(column)) throw refusal(`does not name a personal column; ${COLUMNS_LIST}`);
      if (action === undefined) throw refusal(`does not end in an action; ${ACTIONS_LIST}`);
      if (overrides.has(column)) throw refusal(`overrides ${column} a second time`);
      overrides.set(column, action);
    }
  }
  return new PersonalDataPolicy(defaultAction ?? 'keep', overrides);
}

function actionNamed(text: string): PersonalDataAction | undefined {
  return PERSONAL_DATA_ACTIONS.find((action) => action === text);
}

/** An entry as a message quotes it: JSON-escaped and cut short, so that a pasted secret is not echoed whole. */
function quoted(entry: string): string {
  return JSON.stringify(entry.length > 40 ? `${entry.slice(0, 40)}…` : entry);
}

/** The fewest UTF-8 bytes a pseudonym key has: 256 bits, the HMAC-SHA256 block's worth of strength. */
export const PSEUDONYM_KEY_MIN_BYTES = 32;

/**
 * The secret of pseudonymization. Its material is in a private field as a `KeyObject`, which node:crypto takes as
 * an HMAC key and which prints and serializes without its bytes; the key itself shows only as `PseudonymKey(<id>)`
 * in strings, JSON and `util.inspect`, so that logging it by mistake leaks nothing.
 */
class PseudonymKey {
  /** The first 12 hex digits of SHA-256 of the key's bytes: names the key in manifests without revealing it. */
  readonly id: string;
  readonly #secret: KeyObject;

  constructor(bytes: Buffer) {
    this.id = createHash('sha256').update(bytes).digest('hex').slice(0, 12);
    this.#secret = createSecretKey(bytes);
    Object.freeze(this);
  }

  /** The key for node:crypto's `createHmac`. */
  get secret(): KeyObject {
    return this.#secret;
  }

  toString(): string {
    return `PseudonymKey(${this.id})`;
  }

  toJSON(): string {
    return this.toString();
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

export type { PseudonymKey };

/**
 * A pseudonym key: the UTF-8 bytes of the text, trimmed (a trailing newline from a file or `echo` must not change
 * every pseudonym), at least {@link PSEUDONYM_KEY_MIN_BYTES} of them. A missing or short key gets one fixed
 * message, so that it can carry nothing of the key, not even its length.
 */
export function pseudonymKeySetting(text: string, setting: string): PseudonymKey {
  const bytes = Buffer.from(text.trim(), 'utf8');
  if (bytes.length < PSEUDONYM_KEY_MIN_BYTES) {
    throw new SettingError(
      setting,
      `must be a secret of at least ${PSEUDONYM_KEY_MIN_BYTES} bytes (UTF-8), e.g. the 64 hex digits of ` +
        '`openssl rand -hex 32`',
    );
  }
  return new PseudonymKey(bytes);
}
