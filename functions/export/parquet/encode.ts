import parquetjs from 'parquetjs-lite';

import type { ColumnDefinition } from '../../contract/schema.js';
import type { CheckedRow } from '../core/column-values.js';
import { createWriterSchema, WRITER_OPTIONS } from './settings.js';

/**
 * Encodes one day's rows of a table with these columns as the bytes of one Parquet file (settings:
 * ./settings.ts), in memory, in the order given: the exporter passes them ordered by the report's cursor column,
 * then its id (core/day-rows.ts). The rows are taken one at a time, so an iterable that makes them on demand is
 * never held whole.
 *
 * No rows give a valid file with the full schema, no row groups and 0 rows. The rows are checked rows: every
 * value fits its column (core/column-values.ts), so none is altered on the way, e.g. by UTF-8 encoding.
 */
export async function encodeParquet(
  columns: readonly ColumnDefinition[],
  rows: Iterable<CheckedRow>,
): Promise<Uint8Array> {
  const schema = createWriterSchema(columns);
  const chunks: Buffer[] = [];
  const envelope = new parquetjs.ParquetEnvelopeWriter(
    schema,
    (chunk) => {
      chunks.push(chunk);
    },
    () => undefined, // close: the bytes live in `chunks`, there is no stream to end
    0,
    WRITER_OPTIONS,
  );
  const writer = new parquetjs.ParquetWriter(schema, envelope, WRITER_OPTIONS);
  for (const row of rows) await writer.appendRow(row);
  await writer.close();
  return Buffer.concat(chunks);
}
