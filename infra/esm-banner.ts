/**
 * Names that parquetjs-lite's Thrift-generated code assigns without declaring them
 * (`Statistics = module.exports.Statistics = …`). That is legal in the sloppy-mode CommonJS it was written for,
 * but a ReferenceError in an ES module, which is always strict; declared in the banner, the assignments land on
 * module-scope variables instead. A test checks this list against the package's sources.
 */
export const PARQUETJS_IMPLICIT_GLOBALS = Object.freeze([
  'BsonType',
  'ColumnChunk',
  'ColumnIndex',
  'ColumnMetaData',
  'ColumnOrder',
  'DataPageHeader',
  'DataPageHeaderV2',
  'DateType',
  'DecimalType',
  'DictionaryPageHeader',
  'EnumType',
  'FileMetaData',
  'IndexPageHeader',
  'IntType',
  'JsonType',
  'KeyValue',
  'ListType',
  'LogicalType',
  'MapType',
  'MicroSeconds',
  'MilliSeconds',
  'NullType',
  'OffsetIndex',
  'PageEncodingStats',
  'PageHeader',
  'PageLocation',
  'RowGroup',
  'SchemaElement',
  'SortingColumn',
  'Statistics',
  'StringType',
  'TimeType',
  'TimeUnit',
  'TimestampType',
  'TypeDefinedOrder',
  'UUIDType',
  'copyList',
  'copyMap',
]);

/**
 * Prepended to an ESM bundle of the exporter: a real `require` for the CommonJS dependencies that esbuild leaves
 * as `require()` calls of Node.js built-ins, and {@link PARQUETJS_IMPLICIT_GLOBALS} for a bundle that inlines
 * parquetjs-lite (bench/bundle-size.ts, the strict-mode test). The Lambda asset ships parquetjs-lite as a node
 * module instead (`ASSET_NODE_MODULES` in constructs/export-function.ts), where Node loads it as sloppy-mode
 * CommonJS; there the declarations are unused, and the `require` serves any CommonJS code that is inlined.
 */
export const ESM_BANNER = [
  "import { createRequire as __createRequire } from 'node:module';",
  'const require = __createRequire(import.meta.url);',
  `var ${PARQUETJS_IMPLICIT_GLOBALS.join(', ')};`,
].join(' ');
