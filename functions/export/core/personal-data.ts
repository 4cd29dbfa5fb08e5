/**
 * Applying a personal-data policy (contract/personal-data.ts) to what a run writes: the rows of a table, and the
 * raw API items of its rejects file, so that neither holds a personal value the policy pseudonymizes or drops.
 */
import { createHmac } from 'node:crypto';
import type { PersonalDataPolicy, PseudonymKey } from '../../contract/personal-data.js';
import type { ReportDefinition } from '../../contract/reports.js';
import type { AnyRow, CellValue, ColumnDefinition } from '../../contract/schema.js';

/**
 * The pseudonym of a value: lower-case hex of HMAC-SHA256 over its UTF-8 bytes, 64 characters. It depends on the
 * key and the value only, so a person's number has the same pseudonym in every column, day and table.
 */
export function pseudonym(key: PseudonymKey, value: string): string {
  return createHmac('sha256', key.secret).update(value, 'utf8').digest('hex');
}

/** What a non-null value of a pseudonymized or dropped column becomes. */
type Conceal = (value: string) => string | null;

interface ConcealedColumn {
  readonly column: ColumnDefinition;
  readonly conceal: Conceal;
}

/**
 * The report's columns that the policy does not keep, each with what its values become.
 *
 * @throws Error when a column is pseudonymized and no key is given: the caller must have required the key
 *   whenever `policy.usesPseudonyms`
 */
function concealedColumns(
  report: ReportDefinition,
  policy: PersonalDataPolicy,
  key: PseudonymKey | undefined,
): readonly ConcealedColumn[] {
  return report.columns.flatMap((column): ConcealedColumn[] => {
    // The report's own mark decides; the policy knows columns by name only.
    if (!column.personal) return [];
    switch (policy.actionFor(column.name)) {
      case 'keep':
        return [];
      case 'drop':
        return [{ column, conceal: () => null }];
      case 'pseudonymize':
        if (key === undefined) {
          throw new Error(
            `the personal-data policy ${policy.text} pseudonymizes ${report.name}.${column.name}, ` +
              'but no pseudonym key was given',
          );
        }
        return [{ column, conceal: (value) => pseudonym(key, value) }];
    }
  });
}

/**
 * Applies the policy to rows of the report: a kept column is unchanged, a dropped one NULL, a pseudonymized one
 * the {@link pseudonym} of its value (NULL stays NULL, `''` gets the pseudonym of `''`). The work is planned once
 * per report; a row is copied only when some column is not kept, and is never modified.
 *
 * @throws Error when the policy pseudonymizes a column of the report and no key is given
 */
export function personalDataRowTransform(
  report: ReportDefinition,
  policy: PersonalDataPolicy,
  key: PseudonymKey | undefined,
): (row: AnyRow) => AnyRow {
  const concealed = concealedColumns(report, policy, key);
  if (concealed.length === 0) return (row) => row;
  return (row) => {
    const result: Record<string, CellValue> = { ...row };
    for (const { column, conceal } of concealed) {
      const value = row[column.name];
      result[column.name] = value === null || value === undefined ? null : conceal(String(value));
    }
    return result;
  };
}

/**
 * Applies the policy to a raw API item as received, for the rejects file: each field that is the `source` of a
 * personal column gets that column's action. A dropped field is set to null rather than removed, so that a reader
 * sees the item had it. A pseudonymized string gets its pseudonym, and so does a number or bigint, written as the
 * record mapping writes it (`String(value)`); null stays null; any other value (object, array, boolean) becomes
 * null, as it has no meaningful pseudonym. An absent field stays absent. An item that is not a JSON object (a
 * string, a number, an array of who knows what) becomes null, as no field of it can be told personal or not; an
 * object is copied, never modified.
 *
 * @throws Error when the policy pseudonymizes a column of the report and no key is given
 */
export function personalDataItemTransform(
  report: ReportDefinition,
  policy: PersonalDataPolicy,
  key: PseudonymKey | undefined,
): (item: unknown) => unknown {
  const concealBySource = new Map(concealedColumns(report, policy, key).map((c) => [c.column.source, c.conceal]));
  if (concealBySource.size === 0) return (item) => item;
  return (item) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return null;
    return Object.fromEntries(
      Object.entries(item).map(([field, value]) => {
        const conceal = concealBySource.get(field);
        return [field, conceal === undefined ? value : concealedField(value, conceal)];
      }),
    );
  };
}

function concealedField(value: unknown, conceal: Conceal): string | null {
  if (typeof value === 'string') return conceal(value);
  if (typeof value === 'number' || typeof value === 'bigint') return conceal(String(value));
  return null;
}
