/*
 * Every Parquet writer setting of the exporter, and why. Findings from reading parquetjs-lite 0.8.7 (lib/writer.js,
 * types.js, schema.js, shred.js, codec/) and from reading its output back with DuckDB and hyparquet (see
 * test/unit/parquet/encode.test.ts). "Engine v2" is Athena's Presto 0.217 Parquet reader, "v3" Trino's.
 *
 * - Data pages v1 (`useDataPageV2: false`). The library defaults to DATA_PAGE_V2, the least supported part of the
 *   format: parquet-cpp and BigQuery could not read parquetjs V2 files (ironSource/parquetjs#78 and #92,
 *   DefinitelyTyped#40890), and parquet-site#124 still lists V2 pages as not widely adopted. parquet-mr, Spark and
 *   Hive write v1 by default, so v1 is what every Athena reader is exercised on.
 *
 * - No page index (`pageIndex: false`). By default the library appends a ColumnIndex and an OffsetIndex to every
 *   column chunk, and both are broken: the ColumnIndex lacks the Thrift-required `null_pages` and
 *   `boundary_order`, and each OffsetIndex entry after the first page has `first_row_index` 0 (it adds an
 *   undefined page `count`: NaN). Trino loads the ColumnIndex of every column a query filters on
 *   (TrinoColumnIndexStore → Util.readColumnIndex), so `WHERE help_requested_at > …` would fail on Thrift
 *   validation or skip the wrong pages.
 *
 * - SNAPPY on every column: the contract, and a codec every Athena engine reads.
 *
 * - PLAIN encoding, the only value encoding the writer implements (it writes no dictionary pages). Definition
 *   levels of OPTIONAL columns are RLE/bit-packed with the v1 length prefix; REQUIRED columns have none.
 *
 * - bigint → INT64 without annotation, through EXACT_INT64 below. The library's INT64 and INT_64 types pass every
 *   value through `parseInt()`, i.e. a JS number: 9007199254740993n was written as 9007199254740992 while the
 *   statistics, computed from the raw bigint, said 9007199254740993. EXACT_INT64 is a logical type registered
 *   beside the library's own whose conversion keeps the bigint, which the PLAIN encoder writes with
 *   `writeBigInt64LE`. Its name is no Parquet ConvertedType, so the footer has the bare INT64 that Spark and Hive
 *   write for BIGINT and that every Athena engine reads as bigint.
 *
 * - timestamp → INT64 TIMESTAMP_MILLIS (UTC epoch ms), not INT96. The library's "INT96" is a plain 96-bit integer,
 *   not the Impala Julian-day/nanosecond layout, so Athena would read nonsense; INT96 is also deprecated
 *   (PARQUET-323). TIMESTAMP_MILLIS is read exactly by both engines: v2's LongColumnReader stores the raw value
 *   into Presto's millisecond TIMESTAMP, v3's Int64TimestampMillisColumnReader multiplies by 1000 without a zone
 *   shift. Not TIMESTAMP_MICROS: the raw micros would land in v2's millisecond type (apache/hudi#2123, where AWS
 *   support confirmed Athena showed such timestamps wrongly), and our data is milliseconds anyway. The library
 *   rejects negative values, so validation refuses instants before 1970.
 *
 * - int → INT32 without annotation (what Spark writes for INT); the library range-checks it.
 *
 * - string → BYTE_ARRAY with the UTF8 converted type, bytes from `Buffer.from(s, 'utf8')`. Validation refuses
 *   strings with unpaired surrogates: UTF-8 cannot represent them and they would silently become U+FFFD.
 *
 * - No statistics on string columns (`statistics: false`). The library orders strings with JavaScript's `<`, by
 *   UTF-16 code unit, and writes the result as min_value/max_value, which Trino and parquet-mr take as unsigned
 *   byte order of the UTF-8. The two orders differ between supplementary characters (emoji) and U+E000–U+FFFF,
 *   so a predicate could skip a row group that matches. Numeric and timestamp statistics stay: JS `<` on numbers
 *   and bigints is the signed order Parquet defines (tested exact); a chunk whose first page is all NULL gets no
 *   min/max at all, which readers treat as unknown.
 *
 * - Row groups of ROW_GROUP_ROWS rows, each one page (the library counts rows, not bytes): about 200 KB per group.
 *   Until it writes a row group, the library holds all of the group's values, a set of their distinct values per
 *   column and page, and the encoded pages; that is most of the encoder's memory. Encoding 100 000 rows, groups of
 *   5 000 rather than 20 000 rows cut the rise in RSS from about 105 to 66 MiB for 0.6 % more bytes (measured;
 *   pages of 1 000 rows instead would have cost 11 % more bytes). As rows are sorted by `help_requested_at`, small
 *   groups also let readers skip more of a day by its min/max statistics.
 *
 * Left as they are (not configurable, harmless to readers, which locate a chunk by data_page_offset and
 * total_compressed_size, both correct): `created_by` is "parquet.js"; ColumnMetaData.total_uncompressed_size
 * equals the compressed size; ColumnChunk.file_offset points at the inline ColumnMetaData after the pages.
 */
import parquetjs from 'parquetjs-lite';
import type { ParquetFieldDefinition, ParquetSchema, ParquetWriterOptions } from 'parquetjs-lite';
import parquetTypes from 'parquetjs-lite/lib/types.js';

import type { AthenaType, ColumnDefinition } from '../../contract/schema.js';

/** Rows per data page. */
export const PAGE_ROWS = 5_000;

/** Rows per row group. */
export const ROW_GROUP_ROWS = 5_000;

/** Options for `ParquetEnvelopeWriter` and `ParquetWriter`. */
export const WRITER_OPTIONS: ParquetWriterOptions = Object.freeze({
  useDataPageV2: false,
  pageIndex: false,
  pageSize: PAGE_ROWS,
  rowGroupSize: ROW_GROUP_ROWS,
});

/** The bigint-preserving INT64 logical type added to the library's table; deliberately no ConvertedType name. */
const EXACT_INT64 = 'ExactInt64';

const FIELD_BY_ATHENA_TYPE: Readonly<Record<AthenaType, Omit<ParquetFieldDefinition, 'optional'>>> = {
  bigint: { type: EXACT_INT64, encoding: 'PLAIN', compression: 'SNAPPY' },
  string: { type: 'UTF8', encoding: 'PLAIN', compression: 'SNAPPY', statistics: false },
  timestamp: { type: 'TIMESTAMP_MILLIS', encoding: 'PLAIN', compression: 'SNAPPY' },
  int: { type: 'INT32', encoding: 'PLAIN', compression: 'SNAPPY' },
};

/** The library's schema for `columns`, in their order: REQUIRED or OPTIONAL per column, types as above. */
export function createWriterSchema(columns: readonly ColumnDefinition[]): ParquetSchema {
  registerExactInt64();
  return new parquetjs.ParquetSchema(
    Object.fromEntries(
      columns.map((column) => [
        column.name,
        { ...FIELD_BY_ATHENA_TYPE[column.athenaType], optional: !column.required },
      ]),
    ),
  );
}

/** Adds {@link EXACT_INT64} beside the library's own types (idempotent; theirs are left as they are). */
function registerExactInt64(): void {
  const table = parquetTypes.PARQUET_LOGICAL_TYPES;
  if (table[EXACT_INT64] !== undefined) return;
  table[EXACT_INT64] = Object.freeze({
    primitiveType: 'INT64',
    originalType: EXACT_INT64,
    toPrimitive: (value: unknown): bigint => {
      if (typeof value !== 'bigint') throw new TypeError(`${EXACT_INT64} takes a bigint, got ${typeof value}`);
      return value;
    },
  });
}
