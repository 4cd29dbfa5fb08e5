import parquetjs from 'parquetjs-lite';

import { SESSION_COLUMNS } from '../core/schema.js';
import type { SessionRow } from '../core/schema.js';
import { createWriterSchema, WRITER_OPTIONS } from './settings.js';
import { validateRow } from './validate.js';

/**
 * Encodes one day's sessions as the bytes of one Parquet file (settings: ./settings.ts), in memory.
 *
 * The encoder sorts: rows are written ordered by `help_requested_at`, then `online_help_id`, whatever the input
 * order (the API pages newest first). The file layout is thus decided in one place, and equal inputs give equal
 * bytes. The input array is not modified.
 *
 * An empty `rows` gives a valid file with the full schema, no row groups and 0 rows.
 *
 * @throws InvalidRowError (./validate.ts) before anything is encoded, when a row does not fit its columns.
 */
export async function encodeParquet(rows: readonly SessionRow[]): Promise<Uint8Array> {
  rows.forEach(validateRow);
  const sorted = rows.toSorted(byRequestTimeThenId);

  const schema = createWriterSchema(SESSION_COLUMNS);
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
  for (const row of sorted) await writer.appendRow(row);
  await writer.close();
  return Buffer.concat(chunks);
}

function byRequestTimeThenId(a: SessionRow, b: SessionRow): number {
  if (a.help_requested_at !== b.help_requested_at) return a.help_requested_at - b.help_requested_at;
  if (a.online_help_id === b.online_help_id) return 0;
  return a.online_help_id < b.online_help_id ? -1 : 1;
}
