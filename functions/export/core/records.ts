import type { KeyedRecord, RejectedItem } from './paging/interval-cursor.js';
import { parseEpochMillis, parseId, parseInteger } from './fields.js';
import { checkRow, type CheckedRow } from './column-values.js';
import type { AnyRow, AthenaType, CellValue, ColumnDefinition } from '../../contract/schema.js';
import type { ReportDefinition } from '../../contract/reports.js';

export type RecordOutcome = { readonly row: CheckedRow } | RejectedItem;

/** Turns one keyed record of a report into a row, or into a rejected item with the reason. */
export type RecordMapping = (record: KeyedRecord) => RecordOutcome;

class FieldError extends Error {}

/**
 * The record mapping of a report, derived from its definition: each column takes its `source` field of the item,
 * read as its Athena type; the id and paging-time columns take the values the cursor already parsed. Values are
 * kept as received where the type allows (an unknown state string is kept, `''` stays `''`, an absent field is
 * NULL); numbers sent as numeric strings are coerced, and so are ids or links sent as numbers where a string is
 * documented. A value that cannot be coerced, or that its column cannot hold (see {@link checkRow}), rejects the
 * whole record, so that no row in the table silently differs from what the API sent and one odd record cannot
 * fail the day.
 *
 * @param conceal applied to each row that passed the check (the personal-data policy); its result is checked
 *   again, so that the table only ever gets rows its columns can hold
 */
export function recordMapping(report: ReportDefinition, conceal?: (row: AnyRow) => AnyRow): RecordMapping {
  const readers = report.columns.map((column) => [column.name, readerOf(column, report)] as const);
  return (record) => {
    const row: Record<string, CellValue> = {};
    try {
      for (const [name, read] of readers) row[name] = read(record);
    } catch (error) {
      if (error instanceof FieldError) return { reason: error.message, item: record.item };
      throw error;
    }
    const checked = checkRow(report.columns, row);
    if (!('row' in checked)) return { reason: `${checked.column} ${checked.problem}`, item: record.item };
    const concealedRow = conceal?.(checked.row) ?? checked.row;
    if (concealedRow === checked.row) return checked;
    const concealed = checkRow(report.columns, concealedRow);
    if (!('row' in concealed)) throw new Error(`the personal-data policy made ${concealed.column} invalid`);
    return concealed;
  };
}

type Reader = (record: KeyedRecord) => CellValue;

function readerOf(column: ColumnDefinition, report: ReportDefinition): Reader {
  if (column.name === report.idColumn) return (record) => record.id;
  if (column.name === report.cursorColumn) return (record) => record.at;
  const read = READ_BY_TYPE[column.athenaType];
  return (record) => {
    const value = record.item[column.source];
    return value === undefined || value === null ? null : read(value, column.source);
  };
}

const READ_BY_TYPE: Readonly<Record<AthenaType, (value: unknown, field: string) => CellValue>> = {
  string: (value, field) => {
    if (typeof value === 'string') return value;
    if (typeof value === 'bigint' || (typeof value === 'number' && Number.isFinite(value))) return String(value);
    throw new FieldError(`${field} is ${describe(value)}, expected a string`);
  },
  timestamp: (value, field) => {
    const ms = parseEpochMillis(value);
    if (ms === undefined) throw new FieldError(`${field} is ${describe(value)}, expected epoch milliseconds`);
    return ms;
  },
  int: (value, field) => {
    const n = parseInteger(value);
    if (n === undefined) throw new FieldError(`${field} is ${describe(value)}, expected a whole number`);
    return n;
  },
  bigint: (value, field) => {
    const n = parseId(value, 'signed');
    if (n === undefined) throw new FieldError(`${field} is ${describe(value)}, expected a 64-bit integer`);
    return n;
  },
};

/** Names the kind of a value; a string's content is never quoted, as it may be personal data. */
function describe(value: unknown): string {
  if (typeof value === 'string') return `a string of length ${value.length} that is not a number`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${value}`;
  return Array.isArray(value) ? 'an array' : `of type ${typeof value}`;
}
