/**
 * The encoder's output read back by two readers independent of parquetjs-lite: DuckDB (C++) and hyparquet (JS).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';

import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection, JS } from '@duckdb/node-api';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import type { FileMetaData, PageHeader } from 'hyparquet';
import { parquetHeader } from 'hyparquet/src/column.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { CheckedRow } from '../../../functions/export/core/column-values.js';
import { DayRows } from '../../../functions/export/core/day-rows.js';
import { ONLINE_HELP, type SessionRow } from '../../../functions/contract/reports.js';
import { encodeParquet } from '../../../functions/export/parquet/encode.js';
import { PAGE_ROWS, ROW_GROUP_ROWS } from '../../../functions/export/parquet/settings.js';
import { checked } from '../../support/checked-row.js';

const SESSION_COLUMNS = ONLINE_HELP.columns;

const MAX_INT64 = 2n ** 63n - 1n;
const MIN_INT64 = -(2n ** 63n);
const T = Date.UTC(2025, 10, 24, 6, 30); // 2025-11-24T06:30:00.000Z

const started: SessionRow = {
  online_help_id: 9_007_199_254_740_993n, // 2^53 + 1: not a JS number
  customer_no: '10000042',
  customer_name: 'Çağrı Işıközü İğdeli ğüşıöçİ ĞÜŞIÖÇ',
  agent_id: 'S0815',
  agent_name: 'Ayşe Öztürk',
  help_state: 'onlinehelp_ended_by_agent',
  help_requested_at: T + 1, // .001
  help_started_at: T + 61_999,
  help_ended_at: T + 1_000_999,
  wait_time_seconds: 61,
  help_time_seconds: 939,
  conversation_detail_link: 'https://diyalog.example.com/conversation/abc?x=1&y=%C3%A7',
};

const allNull: SessionRow = {
  online_help_id: MAX_INT64,
  customer_no: null,
  customer_name: null,
  agent_id: null,
  agent_name: null,
  help_state: null,
  help_requested_at: T + 86_399_999, // .999, last ms of the day
  help_started_at: null,
  help_ended_at: null,
  wait_time_seconds: null,
  help_time_seconds: null,
  conversation_detail_link: null,
};

/** Input newest first, as the API pages; ids 2^53 and 2^53 + 1 share a millisecond (a Number comparison ties). */
const INPUT: readonly SessionRow[] = [
  allNull,
  {
    ...started,
    online_help_id: 4_294_967_297n, // 2^32 + 1
    customer_name: '👩🏽‍💻 Zeynep 🇹🇷 😀',
    customer_no: '', // empty, not NULL
    help_state: 'Ended by customer', // undocumented state, stored as received
    help_requested_at: T + 3_600_000,
    wait_time_seconds: 2_147_483_647,
    help_time_seconds: -2_147_483_648,
  },
  started,
  { ...started, online_help_id: 9_007_199_254_740_992n, agent_name: 'İbrahim Ünlü' },
  {
    ...allNull,
    online_help_id: 1n,
    customer_no: '7',
    help_state: 'onlinehelp_cancelled_by_customer',
    help_requested_at: T + 1,
    wait_time_seconds: 0,
  },
  { ...allNull, online_help_id: MIN_INT64, help_requested_at: 0 },
  { ...started, online_help_id: 42n, help_requested_at: 253_402_300_799_999 }, // 9999-12-31T23:59:59.999Z
];

/** INPUT's ids in the order the file must hold them: help_requested_at, then online_help_id. */
const EXPECTED_ID_ORDER = [
  MIN_INT64,
  1n,
  9_007_199_254_740_992n,
  9_007_199_254_740_993n,
  4_294_967_297n,
  MAX_INT64,
  42n,
];

/** The rows as the exporter hands them to the encoder: through the day's column store, in file order. */
function inFileOrder(rows: readonly SessionRow[]): Iterable<CheckedRow> {
  const day = new DayRows(ONLINE_HELP);
  for (const row of rows) day.add(checked(row));
  return day.distinct().rows;
}

function expectedRows(input: readonly SessionRow[], idOrder: readonly bigint[]): SessionRow[] {
  return idOrder.map((id) => {
    const row = input.find((r) => r.online_help_id === id);
    if (row === undefined) throw new Error(`no input row ${id}`);
    return row;
  });
}

let tempDir: string;
let instance: DuckDBInstance;
let duck: DuckDBConnection;
let fileCount = 0;

beforeAll(async () => {
  tempDir = await mkdtemp(join(tmpdir(), 'encode-test-'));
  instance = await DuckDBInstance.create(':memory:');
  duck = await instance.connect();
});

afterAll(async () => {
  duck.closeSync();
  instance.closeSync();
  await rm(tempDir, { recursive: true, force: true });
});

/** Writes the bytes to a temporary file and returns a SQL string literal naming it. */
async function fileLiteral(bytes: Uint8Array): Promise<string> {
  fileCount += 1;
  const path = join(tempDir, `f${fileCount}.parquet`);
  await writeFile(path, bytes);
  return `'${path.replaceAll("'", "''")}'`;
}

async function query(sql: string): Promise<Record<string, JS>[]> {
  return (await duck.runAndReadAll(sql)).getRowObjectsJS();
}

/** All rows in file order, timestamps as epoch ms (exact below 2^53), i.e. shaped like SessionRow. */
async function duckRows(file: string): Promise<Record<string, JS>[]> {
  const select = SESSION_COLUMNS.map((c) =>
    c.athenaType === 'timestamp' ? `epoch_ms(${c.name})::DOUBLE AS ${c.name}` : c.name,
  ).join(', ');
  return query(`SELECT ${select} FROM read_parquet(${file}, file_row_number = true) ORDER BY file_row_number`);
}

function arrayBufferOf(bytes: Uint8Array): ArrayBuffer {
  return new Uint8Array(bytes).buffer;
}

/**
 * All rows in file order with hyparquet, timestamps as epoch ms. Strings are decoded, or kept as their raw bytes
 * with `rawStrings` (slow to compare in bulk, hence not the default).
 */
async function hyparquetRows(bytes: Uint8Array, { rawStrings = false } = {}): Promise<Record<string, unknown>[]> {
  return parquetReadObjects({
    file: arrayBufferOf(bytes),
    parsers: {
      timestampFromMilliseconds: (millis: bigint) => Number(millis),
      ...(rawStrings ? { stringFromBytes: (raw: Uint8Array) => Uint8Array.from(raw) } : {}),
    },
  });
}

/** SessionRow with every string replaced by its UTF-8 bytes, to compare with hyparquetRows. */
function withUtf8Bytes(row: SessionRow): Record<string, unknown> {
  const encoder = new TextEncoder();
  return Object.fromEntries(
    Object.entries(row).map(([key, value]) => [key, typeof value === 'string' ? encoder.encode(value) : value]),
  );
}

/** Every page header of every column chunk, read by walking data_page_offset .. + total_compressed_size. */
function pageHeaders(bytes: Uint8Array, metadata: FileMetaData): PageHeader[][][] {
  const view = new DataView(arrayBufferOf(bytes));
  return metadata.row_groups.map((group) =>
    group.columns.map((chunk) => {
      const meta = chunk.meta_data;
      if (meta === undefined) throw new Error('column chunk without inline metadata');
      const headers: PageHeader[] = [];
      let offset = Number(meta.data_page_offset);
      const end = offset + Number(meta.total_compressed_size);
      while (offset < end) {
        const reader = { view, offset };
        const header = parquetHeader(reader);
        headers.push(header);
        offset = reader.offset + header.compressed_page_size;
      }
      expect(offset).toBe(end);
      return headers;
    }),
  );
}

describe('encodeParquet values', () => {
  it('DuckDB reads every value exactly, sorted by help_requested_at then online_help_id', async () => {
    const file = await fileLiteral(await encodeParquet(SESSION_COLUMNS, inFileOrder(INPUT)));
    expect(await duckRows(file)).toEqual(expectedRows(INPUT, EXPECTED_ID_ORDER));
  });

  it('hyparquet reads every value exactly, strings byte for byte', async () => {
    const rows = await hyparquetRows(await encodeParquet(SESSION_COLUMNS, inFileOrder(INPUT)), { rawStrings: true });
    expect(rows).toEqual(expectedRows(INPUT, EXPECTED_ID_ORDER).map(withUtf8Bytes));
  });

  it('keeps the empty string distinct from NULL', async () => {
    const file = await fileLiteral(await encodeParquet(SESSION_COLUMNS, INPUT.map(checked)));
    expect(
      await query(
        `SELECT online_help_id FROM read_parquet(${file}) WHERE customer_no = '' AND customer_no IS NOT NULL`,
      ),
    ).toEqual([{ online_help_id: 4_294_967_297n }]);
  });

  it('writes the rows in the order given, leaving them untouched', async () => {
    const copy = [...INPUT];
    const rows = await hyparquetRows(await encodeParquet(SESSION_COLUMNS, INPUT.map(checked)));
    expect(INPUT).toEqual(copy);
    expect(rows.map((row) => row['online_help_id'])).toEqual(INPUT.map((row) => row.online_help_id));
  });

  it('gives the same bytes whatever order the rows arrived in', async () => {
    const bytes = await encodeParquet(SESSION_COLUMNS, inFileOrder(INPUT));
    expect(await encodeParquet(SESSION_COLUMNS, inFileOrder(INPUT.toReversed()))).toEqual(bytes);
  });
});

describe('encodeParquet file layout', () => {
  it('declares the contract columns in order with Athena-readable physical and logical types, no dt', async () => {
    const file = await fileLiteral(await encodeParquet(SESSION_COLUMNS, INPUT.map(checked)));
    const schema = await query(
      `SELECT name, type, repetition_type, converted_type, logical_type, duckdb_type
       FROM parquet_schema(${file}) WHERE name <> 'root'`,
    );
    const bigint = { type: 'INT64', converted_type: null, duckdb_type: 'BIGINT' };
    const string = { type: 'BYTE_ARRAY', converted_type: 'UTF8', duckdb_type: 'VARCHAR' };
    const timestamp = { type: 'INT64', converted_type: 'TIMESTAMP_MILLIS', duckdb_type: 'TIMESTAMP' };
    const int = { type: 'INT32', converted_type: null, duckdb_type: 'INTEGER' };
    const required = { repetition_type: 'REQUIRED', logical_type: null };
    const optional = { repetition_type: 'OPTIONAL', logical_type: null };
    expect(schema).toEqual([
      { name: 'online_help_id', ...bigint, ...required },
      { name: 'customer_no', ...string, ...optional },
      { name: 'customer_name', ...string, ...optional },
      { name: 'agent_id', ...string, ...optional },
      { name: 'agent_name', ...string, ...optional },
      { name: 'help_state', ...string, ...optional },
      { name: 'help_requested_at', ...timestamp, ...required },
      { name: 'help_started_at', ...timestamp, ...optional },
      { name: 'help_ended_at', ...timestamp, ...optional },
      { name: 'wait_time_seconds', ...int, ...optional },
      { name: 'help_time_seconds', ...int, ...optional },
      { name: 'conversation_detail_link', ...string, ...optional },
    ]);
  });

  it('compresses every chunk with SNAPPY, PLAIN values with RLE levels, in v1 data pages only', async () => {
    const bytes = await encodeParquet(SESSION_COLUMNS, INPUT.map(checked));
    const file = await fileLiteral(bytes);
    expect(await query(`SELECT DISTINCT compression, encodings FROM parquet_metadata(${file})`)).toEqual([
      { compression: 'SNAPPY', encodings: 'RLE, PLAIN' },
    ]);

    const metadata = parquetMetadata(arrayBufferOf(bytes));
    const chunks = metadata.row_groups.flatMap((group) => group.columns);
    expect(chunks).toHaveLength(SESSION_COLUMNS.length);
    for (const chunk of chunks) expect(chunk.meta_data?.codec).toBe('SNAPPY');
    const pages = pageHeaders(bytes, metadata).flat(2);
    expect(pages).toHaveLength(SESSION_COLUMNS.length);
    for (const page of pages) {
      expect(page.type).toBe('DATA_PAGE');
      expect(page.data_page_header).toMatchObject({
        num_values: INPUT.length,
        encoding: 'PLAIN',
        definition_level_encoding: 'RLE',
      });
    }
  });

  it('writes no column index and no offset index', async () => {
    const metadata = parquetMetadata(arrayBufferOf(await encodeParquet(SESSION_COLUMNS, INPUT.map(checked))));
    for (const chunk of metadata.row_groups.flatMap((group) => group.columns)) {
      expect(chunk.column_index_offset).toBeUndefined();
      expect(chunk.offset_index_offset).toBeUndefined();
    }
  });

  it('writes exact numeric statistics and none for strings', async () => {
    const file = await fileLiteral(await encodeParquet(SESSION_COLUMNS, INPUT.map(checked)));
    const stats = await query(
      `SELECT path_in_schema AS name, stats_min_value AS min, stats_max_value AS max, stats_null_count AS nulls
       FROM parquet_metadata(${file}) ORDER BY column_id`,
    );
    const none = { min: null, max: null, nulls: null };
    expect(stats).toEqual([
      { name: 'online_help_id', min: String(MIN_INT64), max: String(MAX_INT64), nulls: 0n },
      { name: 'customer_no', ...none },
      { name: 'customer_name', ...none },
      { name: 'agent_id', ...none },
      { name: 'agent_name', ...none },
      { name: 'help_state', ...none },
      {
        name: 'help_requested_at',
        min: '1970-01-01 00:00:00',
        max: '9999-12-31 23:59:59.999',
        nulls: 0n,
      },
      { name: 'help_started_at', min: '2025-11-24 06:31:01.999', max: '2025-11-24 06:31:01.999', nulls: 3n },
      { name: 'help_ended_at', min: '2025-11-24 06:46:40.999', max: '2025-11-24 06:46:40.999', nulls: 3n },
      { name: 'wait_time_seconds', min: '0', max: '2147483647', nulls: 2n },
      { name: 'help_time_seconds', min: '-2147483648', max: '939', nulls: 3n },
      { name: 'conversation_detail_link', ...none },
    ]);
  });

  it('writes a valid 0-row file with the full schema for an empty row list', async () => {
    const bytes = await encodeParquet(SESSION_COLUMNS, []);
    const file = await fileLiteral(bytes);
    expect(await query(`SELECT count(*) AS n FROM read_parquet(${file})`)).toEqual([{ n: 0n }]);
    const described = await query(`DESCRIBE SELECT * FROM read_parquet(${file})`);
    expect(described.map((c) => [c.column_name, c.column_type])).toEqual([
      ['online_help_id', 'BIGINT'],
      ['customer_no', 'VARCHAR'],
      ['customer_name', 'VARCHAR'],
      ['agent_id', 'VARCHAR'],
      ['agent_name', 'VARCHAR'],
      ['help_state', 'VARCHAR'],
      ['help_requested_at', 'TIMESTAMP'],
      ['help_started_at', 'TIMESTAMP'],
      ['help_ended_at', 'TIMESTAMP'],
      ['wait_time_seconds', 'INTEGER'],
      ['help_time_seconds', 'INTEGER'],
      ['conversation_detail_link', 'VARCHAR'],
    ]);

    const metadata = parquetMetadata(arrayBufferOf(bytes));
    expect(metadata.num_rows).toBe(0n);
    expect(metadata.row_groups).toEqual([]);
    expect(metadata.schema.slice(1).map((element) => element.name)).toEqual(SESSION_COLUMNS.map((c) => c.name));
    expect(await hyparquetRows(bytes)).toEqual([]);
  });
});

/** mulberry32: a small seeded PRNG, so the large data set is the same on every run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function largeDataSet(count: number): SessionRow[] {
  const next = random(20251124);
  const maybe = <V>(value: V): V | null => (next() < 0.3 ? null : value);
  const names = ['Şükrü Güneş', 'İpek Çelik', 'Ömer Ağaoğlu', '😀 Deniz', 'Ilgın Işık'];
  return Array.from({ length: count }, (_, i) => ({
    online_help_id: 9_007_199_254_740_993n + BigInt(i) * 3n,
    customer_no: maybe(`C${i}`),
    customer_name: maybe(names[i % names.length] ?? ''),
    agent_id: maybe(`S${i % 97}`),
    agent_name: maybe(names[(i * 7) % names.length] ?? ''),
    help_state: maybe('onlinehelp_ended_by_customer'),
    // Several sessions per millisecond, so the id tie-break matters across the whole set.
    help_requested_at: T + Math.floor(next() * 86_400_000),
    help_started_at: maybe(T + i),
    help_ended_at: maybe(T + 2 * i),
    wait_time_seconds: maybe(Math.floor(next() * 600)),
    help_time_seconds: maybe(i),
    conversation_detail_link: maybe(`https://diyalog.example.com/c/${i}`),
  }));
}

/** The first row that differs (a full diff of 50 000 rows would take minutes to print), or undefined. */
function firstMismatch(actual: readonly unknown[], expected: readonly unknown[]): object | undefined {
  const index = expected.findIndex((row, i) => !isDeepStrictEqual(actual[i], row));
  if (index < 0 && actual.length === expected.length) return undefined;
  return { index, actual: actual[index], expected: expected[index], lengths: [actual.length, expected.length] };
}

describe('encodeParquet with 50 000 rows', () => {
  const input = largeDataSet(50_000);
  const sorted = input.toSorted((a, b) =>
    a.help_requested_at !== b.help_requested_at
      ? a.help_requested_at - b.help_requested_at
      : Number(a.online_help_id - b.online_help_id),
  );
  let bytes: Uint8Array;

  beforeAll(async () => {
    bytes = await encodeParquet(SESSION_COLUMNS, inFileOrder(input));
  });

  it('splits into row groups and v1 pages of the configured sizes', () => {
    expect(ROW_GROUP_ROWS % PAGE_ROWS).toBe(0);
    const metadata = parquetMetadata(arrayBufferOf(bytes));
    const groupRows = Array.from({ length: Math.ceil(50_000 / ROW_GROUP_ROWS) }, (_, group) =>
      Math.min(ROW_GROUP_ROWS, 50_000 - group * ROW_GROUP_ROWS),
    );
    expect(metadata.row_groups.map((group) => Number(group.num_rows))).toEqual(groupRows);
    const headers = pageHeaders(bytes, metadata);
    headers.forEach((columns, group) => {
      for (const pages of columns) {
        expect(pages.map((page) => page.type)).toEqual(
          Array.from({ length: Math.ceil((groupRows[group] ?? 0) / PAGE_ROWS) }, () => 'DATA_PAGE'),
        );
        expect(pages.reduce((sum, page) => sum + (page.data_page_header?.num_values ?? 0), 0)).toBe(groupRows[group]);
      }
    });
  });

  it("writes numeric statistics equal to each row group's min, max and null count", async () => {
    const file = await fileLiteral(bytes);
    const numeric = SESSION_COLUMNS.filter((c) => c.athenaType !== 'string').map((c) => c.name);
    const actual = await query(
      `SELECT row_group_id AS rg, path_in_schema AS name, stats_min_value AS min, stats_max_value AS max,
              stats_null_count AS nulls
       FROM parquet_metadata(${file}) WHERE path_in_schema IN (${numeric.map((n) => `'${n}'`).join(', ')})
       ORDER BY rg, name`,
    );
    const perColumn = numeric.map(
      (n) => `SELECT rg, '${n}' AS name, min(${n})::VARCHAR AS min, max(${n})::VARCHAR AS max,
                     count(*) - count(${n}) AS nulls FROM data GROUP BY rg`,
    );
    const expected = await query(
      `WITH data AS (SELECT *, file_row_number // ${ROW_GROUP_ROWS} AS rg
                     FROM read_parquet(${file}, file_row_number = true))
       ${perColumn.join(' UNION ALL ')} ORDER BY rg, name`,
    );
    expect(actual).toHaveLength(Math.ceil(50_000 / ROW_GROUP_ROWS) * numeric.length);
    expect(actual).toEqual(expected);
  });

  it('DuckDB reads every row back, in order', async () => {
    expect(firstMismatch(await duckRows(await fileLiteral(bytes)), sorted)).toBeUndefined();
  });

  it('hyparquet reads every row back, in order', async () => {
    expect(firstMismatch(await hyparquetRows(bytes), sorted)).toBeUndefined();
  });
});
