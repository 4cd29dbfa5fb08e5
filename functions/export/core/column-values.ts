import type { AnyRow, AthenaType, ColumnDefinition } from '../../contract/schema.js';

/**
 * What each column can hold, beyond its TypeScript type: the ranges of the Athena types and well-formed text.
 * A row is checked once, where the record mapping makes it ({@link checkRow}); the day's store and the Parquet
 * encoder take only {@link CheckedRow}s, so the type system proves they never see an unchecked one.
 */

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
/** 9999-12-31T23:59:59.999Z, the last instant an Athena/Hive timestamp holds. */
const TIMESTAMP_MAX_MS = 253_402_300_799_999;
/** An unpaired UTF-16 surrogate: with the `u` flag, a valid pair is one code point and does not match. */
const LONE_SURROGATE = /\p{Cs}/u;

/** Returns what is wrong with a non-null value of the given type, or undefined when it can be written. */
const PROBLEM_BY_ATHENA_TYPE: Readonly<Record<AthenaType, (value: unknown) => string | undefined>> = {
  bigint: (value) =>
    typeof value === 'bigint' && value >= INT64_MIN && value <= INT64_MAX
      ? undefined
      : `must be a bigint in the signed 64-bit range, got ${describe(value)}`,
  int: (value) =>
    Number.isInteger(value) && Number(value) >= INT32_MIN && Number(value) <= INT32_MAX
      ? undefined
      : `must be an integer in [${INT32_MIN}, ${INT32_MAX}], got ${describe(value)}`,
  timestamp: (value) =>
    Number.isInteger(value) && Number(value) >= 0 && Number(value) <= TIMESTAMP_MAX_MS
      ? undefined
      : `must be integer epoch milliseconds in [0, ${TIMESTAMP_MAX_MS}] (1970 to 9999), got ${describe(value)}`,
  string: (value) => {
    if (typeof value !== 'string') return `must be a string, got ${describe(value)}`;
    if (LONE_SURROGATE.test(value)) return 'contains an unpaired UTF-16 surrogate, which UTF-8 cannot encode';
    return undefined;
  },
};

declare const checkedBrand: unique symbol;

/** A row whose every value its column can hold; only {@link checkRow} makes one. */
export type CheckedRow = AnyRow & { readonly [checkedBrand]: true };

/** A checked row, or its first column whose value cannot be stored and why. */
export type RowCheck = { readonly row: CheckedRow } | { readonly column: string; readonly problem: string };

/** Checks a row of the table with these columns: every column has a value of its type, or null where allowed. */
export function checkRow(columns: readonly ColumnDefinition[], row: AnyRow): RowCheck {
  // The brand only records that the check below passed.
  return rowProblem(columns, row) ?? { row: row as CheckedRow };
}

/** The first column of a row whose value cannot be stored, and why; undefined when the whole row can. */
function rowProblem(
  columns: readonly ColumnDefinition[],
  row: AnyRow,
): { readonly column: string; readonly problem: string } | undefined {
  const values: Readonly<Record<string, unknown>> = row;
  for (const column of columns) {
    const value = values[column.name];
    let problem: string | undefined;
    if (value === undefined) problem = 'is undefined; an absent value must be null';
    else if (value === null) problem = column.required ? 'is required but null' : undefined;
    else problem = PROBLEM_BY_ATHENA_TYPE[column.athenaType](value);
    if (problem !== undefined) return { column: column.name, problem };
  }
  return undefined;
}

/** Names the kind of a rejected value; string contents are never echoed (they may be personal data). */
function describe(value: unknown): string {
  switch (typeof value) {
    case 'number':
      return String(value);
    case 'bigint':
      return `${value}n`;
    case 'string':
      return `a string of length ${value.length}`;
    default:
      return typeof value;
  }
}
