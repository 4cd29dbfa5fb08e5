import { DuckDBTimestampMillisecondsValue, type DuckDBAppender } from '@duckdb/node-api';
import type { AthenaType } from '../functions/contract/schema.js';
import { ONLINE_HELP, type SessionRow } from '../functions/contract/reports.js';

const SESSION_COLUMNS = ONLINE_HELP.columns;

/** DuckDB's type for each Athena type; timestamps stay milliseconds, as in our Parquet files. */
const DUCKDB_TYPE: Readonly<Record<AthenaType, string>> = {
  bigint: 'BIGINT',
  string: 'VARCHAR',
  timestamp: 'TIMESTAMP_MS',
  int: 'INTEGER',
};

/** `CREATE TABLE` for the session columns, derived from THE schema. */
export function createTableSql(table: string): string {
  const columns = SESSION_COLUMNS.map((c) => `${c.name} ${DUCKDB_TYPE[c.athenaType]}${c.required ? ' NOT NULL' : ''}`);
  return `CREATE OR REPLACE TABLE ${table} (${columns.join(', ')})`;
}

/**
 * `INSERT … SELECT` from newline-delimited JSON of rows whose timestamps are epoch milliseconds (what
 * {@link rowsAsJsonLines} writes).
 */
export function insertFromJsonSql(table: string, path: string): string {
  const jsonType = (type: AthenaType): string => (type === 'timestamp' ? 'BIGINT' : DUCKDB_TYPE[type]);
  const columns = SESSION_COLUMNS.map((c) => `${c.name}: '${jsonType(c.athenaType)}'`).join(', ');
  const select = SESSION_COLUMNS.map((c) =>
    c.athenaType === 'timestamp' ? `epoch_ms(${c.name})::TIMESTAMP_MS` : c.name,
  ).join(', ');
  return `INSERT INTO ${table} SELECT ${select} FROM read_json('${path}', format = 'newline_delimited', columns = {${columns}})`;
}

/** Rows as newline-delimited JSON; bigints become JSON integers. */
export function rowsAsJsonLines(rows: readonly SessionRow[]): string {
  const lines = rows.map((row) =>
    JSON.stringify(row, (_key, value: unknown) => (typeof value === 'bigint' ? rawInteger(value) : value)),
  );
  return `${lines.join('\n')}\n`;
}

function rawInteger(value: bigint): unknown {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`id ${value} would lose precision in JSON`);
  return Number(value);
}

/** Appends one row, column by column in schema order. */
export function appendRow(appender: DuckDBAppender, row: SessionRow): void {
  for (const column of SESSION_COLUMNS) {
    const value = row[column.name];
    if (value === null) appender.appendNull();
    else if (typeof value === 'bigint') appender.appendBigInt(value);
    else if (typeof value === 'string') appender.appendVarchar(value);
    else if (column.athenaType === 'timestamp') {
      appender.appendTimestampMilliseconds(new DuckDBTimestampMillisecondsValue(BigInt(value)));
    } else appender.appendInteger(value);
  }
  appender.endRow();
}
