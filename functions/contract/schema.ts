/**
 * How a report's table is described: its columns, each with the API field it comes from. The Parquet writer
 * schema (parquet/), the record mapping (core/records.ts) and the Glue table columns (infra/) are all derived from
 * a report's column list (./reports.ts); change a column there and nowhere else.
 *
 * Every table is partitioned by {@link PARTITION_KEY} (`dt`), which lives in the S3 key, not in the Parquet file.
 */

/** Hive/Athena DDL types the tables use. */
export type AthenaType = 'bigint' | 'string' | 'timestamp' | 'int';

/** One stored column of a report's table. */
export interface ColumnDefinition {
  /** snake_case column name, identical in Parquet, Glue and SQL. */
  readonly name: string;
  readonly athenaType: AthenaType;
  /** REQUIRED in Parquet: the value is never NULL. */
  readonly required: boolean;
  /** The field of an API item the value comes from; an absent field is NULL. */
  readonly source: string;
  /** Names, customer and staff numbers, links to transcripts or recordings: data about a person. */
  readonly personal: boolean;
  /** Meaning and source API field; becomes the Glue column comment (at most 255 characters). */
  readonly comment: string;
}

/**
 * The TypeScript value of each Athena type in a row: `bigint` is a JS bigint (ids exceed 2^53), `timestamp` is
 * epoch milliseconds (UTC), `int` is a 32-bit signed integer.
 */
export interface ValueOfAthenaType {
  bigint: bigint;
  string: string;
  timestamp: number;
  int: number;
}

/** A value of some column: what a row of any report holds. */
export type CellValue = ValueOfAthenaType[AthenaType] | null;

/** Freezes a column list, keeping its literal names and types for {@link RowOf}. */
export function defineColumns<const T extends readonly ColumnDefinition[]>(columns: T): T {
  for (const column of columns) Object.freeze(column);
  return Object.freeze(columns);
}

type ValueOf<C extends ColumnDefinition> = C['required'] extends true
  ? ValueOfAthenaType[C['athenaType']]
  : ValueOfAthenaType[C['athenaType']] | null;

/**
 * One row as written to Parquet, derived from a column list: ids `bigint`, strings `string | null`, timestamps
 * epoch milliseconds, ints in the 32-bit signed range; a column that is not required may be `null`, never
 * `undefined`.
 */
export type RowOf<Columns extends readonly ColumnDefinition[]> = {
  readonly [C in Columns[number] as C['name']]: ValueOf<C>;
};

/** A row of any report, as the engine handles it: column name → value. */
export type AnyRow = Readonly<Record<string, CellValue>>;

/** A column as `AWS::Glue::Table` `StorageDescriptor.Columns` / `PartitionKeys` take it. */
export interface GlueColumn {
  readonly name: string;
  readonly type: string;
  readonly comment: string;
}

/** A table's data columns as Glue takes them (not the partition key), in file order; a fresh array on every call. */
export function glueColumns(columns: readonly ColumnDefinition[]): GlueColumn[] {
  return columns.map(({ name, athenaType, comment }) => ({ name, type: athenaType, comment }));
}

/**
 * The partition column. It is part of the S3 key (`…/dt=2025-11-24/…`), never stored in the Parquet file.
 * A string rather than a date, as the Athena docs advise for partition keys (DATE keys can be slower).
 */
export const PARTITION_KEY = Object.freeze({ name: 'dt', type: 'string' } as const);

/**
 * Format of a `dt` value, as a Java `DateTimeFormatter` pattern (what Athena partition projection's
 * `projection.dt.format` takes); e.g. `2025-11-24`.
 */
export const DT_FORMAT = 'yyyy-MM-dd';
