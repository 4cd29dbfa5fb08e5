import type { PersonalDataAction, PersonalDataPolicy } from '../functions/contract/personal-data.js';
import type { ColumnDefinition } from '../functions/contract/schema.js';

/** What a personal column's values are under each action, as its Glue comment tells an analyst. */
export const PERSONAL_DATA_NOTES: Readonly<Record<PersonalDataAction, string>> = Object.freeze({
  keep: 'Personal data: kept as received.',
  pseudonymize: 'Personal data: pseudonymized (HMAC-SHA256, hex).',
  drop: 'Personal data: dropped (always NULL).',
});

/**
 * A column's Glue comment: its comment in the report definition, and for a personal column what `policy` does
 * with it, so that an analyst sees in the catalog whether a value is a name or a pseudonym.
 */
export function columnComment(column: ColumnDefinition, policy: PersonalDataPolicy): string {
  return column.personal ? `${column.comment} ${PERSONAL_DATA_NOTES[policy.actionFor(column.name)]}` : column.comment;
}
