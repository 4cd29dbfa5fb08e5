import {
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBTypeId,
  JsonDuckDBValueConverter,
  type DuckDBResultReader,
  type DuckDBValue,
  type DuckDBValueConverter,
  type Json,
} from '@duckdb/node-api';

/** The output formats of the query command. */
export const OUTPUT_FORMATS = ['table', 'csv', 'json'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** One result column. */
export interface ResultColumn {
  /** The name DuckDB gives the column; shown in the table and CSV header. */
  readonly name: string;
  /** The name made unique (`x`, `x_1`), used as the JSON key so that no value is lost. */
  readonly key: string;
  /** Numeric columns are right-aligned in the table. */
  readonly numeric: boolean;
}

/**
 * A query result, every value already converted to what all formats print: 64-bit and wider integers and decimals
 * as exact strings, timestamps as `YYYY-MM-DD HH:MM:SS.mmm` (UTC), other scalars as JSON scalars, lists and structs
 * as JSON arrays and objects, NULL as `null`.
 */
export interface ResultTable {
  readonly columns: readonly ResultColumn[];
  readonly rows: readonly (readonly Json[])[];
}

const NUMERIC_TYPES: ReadonlySet<DuckDBTypeId> = new Set([
  DuckDBTypeId.TINYINT,
  DuckDBTypeId.SMALLINT,
  DuckDBTypeId.INTEGER,
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UTINYINT,
  DuckDBTypeId.USMALLINT,
  DuckDBTypeId.UINTEGER,
  DuckDBTypeId.UBIGINT,
  DuckDBTypeId.UHUGEINT,
  DuckDBTypeId.FLOAT,
  DuckDBTypeId.DOUBLE,
  DuckDBTypeId.DECIMAL,
  DuckDBTypeId.BIGNUM,
]);

/** Reads a fully read DuckDB result into a {@link ResultTable}. */
export function resultTable(reader: DuckDBResultReader): ResultTable {
  const keys = reader.deduplicatedColumnNames();
  const columns = reader.columnNames().map((name, index) => ({
    name,
    key: keys[index] ?? name,
    numeric: NUMERIC_TYPES.has(reader.columnTypeId(index)),
  }));
  return { columns, rows: reader.convertRows(cellConverter) };
}

/**
 * DuckDB's own JSON conversion (which already keeps BIGINT, HUGEINT and DECIMAL exact as strings), except for
 * timestamps, printed the way Athena prints them, and intervals, printed as DuckDB's text instead of an object.
 */
const cellConverter: DuckDBValueConverter<Json> = (value, type, converter) => {
  if (value === null) return null;
  const millis = epochMillis(value);
  if (millis !== undefined) return formatTimestamp(millis) ?? String(value);
  if (type.typeId === DuckDBTypeId.INTERVAL) return String(value);
  return JsonDuckDBValueConverter(value, type, converter);
};

/** Milliseconds since the epoch of any timestamp value, rounded down (Athena timestamps have ms precision). */
function epochMillis(value: DuckDBValue): bigint | undefined {
  if (value instanceof DuckDBTimestampValue || value instanceof DuckDBTimestampTZValue) {
    return floorDiv(value.micros, 1_000n);
  }
  if (value instanceof DuckDBTimestampMillisecondsValue) return value.millis;
  if (value instanceof DuckDBTimestampSecondsValue) return value.seconds * 1_000n;
  if (value instanceof DuckDBTimestampNanosecondsValue) return floorDiv(value.nanos, 1_000_000n);
  return undefined;
}

function floorDiv(a: bigint, b: bigint): bigint {
  const quotient = a / b;
  return a % b < 0n ? quotient - 1n : quotient;
}

/** `YYYY-MM-DD HH:MM:SS.mmm` in UTC; undefined outside years 0000-9999 (incl. DuckDB's ±infinity). */
function formatTimestamp(millis: bigint): string | undefined {
  const date = new Date(Number(millis));
  if (Number.isNaN(date.getTime())) return undefined;
  const match = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d\.\d{3})Z$/.exec(date.toISOString());
  return match ? `${match[1] ?? ''} ${match[2] ?? ''}` : undefined;
}

/** The lines that print a result in the given format. */
export function formatResult(table: ResultTable, format: OutputFormat): string[] {
  switch (format) {
    case 'table':
      return formatTable(table);
    case 'csv':
      return formatCsv(table);
    case 'json':
      return formatJson(table);
  }
}

/** Text of a non-NULL cell for the table and CSV. */
function text(cell: Json): string {
  return typeof cell === 'object' ? JSON.stringify(cell) : String(cell);
}

/**
 * An aligned text table like the Athena console's and psql's, with a `(N rows)` line. Control characters are
 * escaped so that every row stays on one line.
 */
function formatTable({ columns, rows }: ResultTable): string[] {
  const cells = rows.map((row) => row.map((cell) => (cell === null ? 'NULL' : escapeControls(text(cell)))));
  // reduce, not Math.max(...widths): spreading a long result would overflow the call stack.
  const widths = columns.map((column, c) =>
    cells.reduce((width, row) => Math.max(width, displayWidth(row[c] ?? '')), displayWidth(column.name)),
  );
  const line = (values: readonly string[]): string =>
    values
      .map((value, c) => {
        const padding = ' '.repeat((widths[c] ?? 0) - displayWidth(value));
        return columns[c]?.numeric ? padding + value : value + padding;
      })
      .map((value) => ` ${value} `)
      .join('|')
      .trimEnd();
  return [
    line(columns.map((column) => column.name)),
    widths.map((width) => '-'.repeat(width + 2)).join('+'),
    ...cells.map(line),
    `(${rows.length} ${rows.length === 1 ? 'row' : 'rows'})`,
  ];
}

const ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeControls(value: string): string {
  return value.replace(/\p{Cc}/gu, (char) => ESCAPES[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const graphemes = new Intl.Segmenter();

/** Characters as the eye counts them, so that `ş` or `İ` (even when decomposed) takes one column. */
function displayWidth(value: string): number {
  return /^[\x20-\x7e]*$/.test(value) ? value.length : Array.from(graphemes.segment(value)).length;
}

/**
 * RFC 4180 with a header line. NULL is an empty field and an empty string is `""`, so that the two stay apart
 * (as in Athena's CSV results).
 */
function formatCsv({ columns, rows }: ResultTable): string[] {
  const field = (value: string): string =>
    value === '' || /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
  return [
    columns.map((column) => field(column.name)).join(','),
    ...rows.map((row) => row.map((cell) => (cell === null ? '' : field(text(cell)))).join(',')),
  ];
}

/** A JSON array of row objects, one row per line. */
function formatJson({ columns, rows }: ResultTable): string[] {
  if (rows.length === 0) return ['[]'];
  const objects = rows.map((row) =>
    JSON.stringify(Object.fromEntries(columns.map((column, c) => [column.key, row[c] ?? null]))),
  );
  return ['[', ...objects.map((object, index) => `  ${object}${index < objects.length - 1 ? ',' : ''}`), ']'];
}
