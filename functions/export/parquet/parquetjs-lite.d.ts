/**
 * The part of parquetjs-lite 0.8.7 (CommonJS, ships no types) that the encoder uses. Only the default export is
 * declared: Node's CommonJS named-export detection stops at the first `require(...).X` value in the package's
 * `module.exports = { … }`, so named ESM imports of the writer classes fail at run time.
 */
declare module 'parquetjs-lite' {
  /** Compression codecs the lite build can write (LZO and BROTLI throw). */
  export type ParquetCompression = 'UNCOMPRESSED' | 'GZIP' | 'SNAPPY';

  /** One leaf column of a schema definition, as `new ParquetSchema()` reads it. */
  export interface ParquetFieldDefinition {
    /** A key of `PARQUET_LOGICAL_TYPES` (lib/types.js), e.g. `UTF8`, `INT32`, `TIMESTAMP_MILLIS`. */
    readonly type: string;
    /** OPTIONAL repetition (definition level 1) instead of REQUIRED. @defaultValue false */
    readonly optional?: boolean;
    /** Value encoding; PLAIN is the only one the writer implements. @defaultValue 'PLAIN' */
    readonly encoding?: 'PLAIN';
    /** @defaultValue 'UNCOMPRESSED' */
    readonly compression?: ParquetCompression;
    /** `false` writes no min/max/null-count statistics for the column (pages and chunk). */
    readonly statistics?: false;
  }

  export type ParquetSchemaDefinition = Readonly<Record<string, ParquetFieldDefinition>>;

  /** Writer options read by `ParquetEnvelopeWriter` and `ParquetWriter`. */
  export interface ParquetWriterOptions {
    /** Rows per data page. @defaultValue 8192 */
    readonly pageSize?: number;
    /** Rows per row group. @defaultValue 4096 */
    readonly rowGroupSize?: number;
    /** DATA_PAGE_V2 pages instead of DATA_PAGE (v1). @defaultValue true */
    readonly useDataPageV2?: boolean;
    /** `false` writes no ColumnIndex/OffsetIndex. @defaultValue written */
    readonly pageIndex?: boolean;
  }

  // Type-only brands: the encoder never looks inside these objects, it only hands them back to the library.
  const schemaBrand: unique symbol;
  const envelopeWriterBrand: unique symbol;

  /** A compiled schema. */
  export interface ParquetSchema {
    readonly [schemaBrand]: never;
  }

  /** Writes the file envelope (magic, row groups, index, footer) through the given callbacks. */
  export interface ParquetEnvelopeWriter {
    readonly [envelopeWriterBrand]: never;
  }

  export interface ParquetWriter {
    /** Shreds one record into the row-group buffer; flushes a row group when it is full. */
    appendRow(row: Readonly<Record<string, unknown>>): Promise<void>;
    /** Flushes the last row group and writes the footer. */
    close(): Promise<void>;
  }

  interface ParquetjsLite {
    ParquetSchema: new (definition: ParquetSchemaDefinition) => ParquetSchema;
    ParquetEnvelopeWriter: new (
      schema: ParquetSchema,
      write: (chunk: Buffer) => void,
      close: () => void,
      fileOffset: number,
      options: ParquetWriterOptions,
    ) => ParquetEnvelopeWriter;
    ParquetWriter: new (
      schema: ParquetSchema,
      envelopeWriter: ParquetEnvelopeWriter,
      options: ParquetWriterOptions,
    ) => ParquetWriter;
  }

  const parquetjsLite: ParquetjsLite;
  export default parquetjsLite;
}

/** The logical-type table that both the shredder and the statistics encoder look types up in. */
declare module 'parquetjs-lite/lib/types.js' {
  export interface ParquetLogicalType {
    readonly primitiveType: 'BOOLEAN' | 'INT32' | 'INT64' | 'INT96' | 'FLOAT' | 'DOUBLE' | 'BYTE_ARRAY';
    /** Written as the column's converted_type when it names a Parquet ConvertedType; omitted otherwise. */
    readonly originalType?: string;
    /** Converts one input value to what the PLAIN encoder for `primitiveType` writes. */
    readonly toPrimitive: (value: unknown) => unknown;
  }

  interface ParquetjsLiteTypes {
    PARQUET_LOGICAL_TYPES: Record<string, ParquetLogicalType | undefined>;
  }

  const parquetjsLiteTypes: ParquetjsLiteTypes;
  export default parquetjsLiteTypes;
}
