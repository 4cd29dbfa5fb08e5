/**
 * The calls report end to end, as a property: a signed client pages a server that holds random calls (ties at
 * page edges and at the day's bounds, ids on both sides of ±2^53 and at the ends of the signed 64-bit range, `''`
 * beside absent fields) under each bound semantics; the day's Parquet object, read back by DuckDB and by
 * hyparquet, holds exactly the calls the server sent for the day.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { parseDay, parseTimeZone } from '../../functions/contract/calendar.js';
import { CALLS, columnOf } from '../../functions/contract/reports.js';
import { dayWindow } from '../../functions/export/core/days.js';
import { exportDay, type DayExportContext } from '../../functions/export/core/export-day.js';
import { DiyalogClient } from '../../functions/export/diyalog/client.js';
import { staticCredentials } from '../../functions/export/diyalog/credentials.js';
import { encodeParquet } from '../../functions/export/parquet/encode.js';
import { LocalDirStore } from '../../functions/export/store/local-dir.js';
import { BOUND_SEMANTICS, seededRandom, selectPage, type BoundSemantics } from '../support/fake-diyalog.js';
import { json, pageJson, requestWindow } from '../support/fake-fetch.js';
import { duckdb } from '../support/parquet-reader.js';
import { useTempDirs } from '../support/temp-dir.js';

const DAY = parseDay('2025-11-23');
const ZONE = parseTimeZone('Europe/Istanbul');
const WINDOW = dayWindow(DAY, ZONE);
const tempDir = useTempDirs();

/** A call as the server sends it: absent fields are left out, `''` is sent as `''`. */
interface ServerCall {
  callId: bigint;
  callStartedAt: number;
  [field: string]: bigint | string | number | undefined;
}

const TEXT_FIELDS = [
  'callType',
  'callState',
  'callUseType',
  'initiatorId',
  'nameOfInitiator',
  'initiatorAppName',
  'receiverId',
  'nameOfReceiver',
  'receiverAppName',
  'callViewUrl',
] as const;

/** Absent, `''`, or a value: Turkish letters, an emoji, the documented values. */
const text = fc.option(
  fc.constantFrom('', 'video', 'voice', 'MISSED', 'UNKOWN', 'Şükrü Çağlayan İğdır', '👩🏽‍💻 🇹🇷', '2337368'),
  { nil: undefined, freq: 3 },
);

const INT64 = 2n ** 63n;
const idArbitrary = fc.oneof(
  fc.bigInt({ min: -(2n ** 53n) - 40n, max: -(2n ** 53n) + 40n }),
  fc.bigInt({ min: 2n ** 53n - 40n, max: 2n ** 53n + 40n }),
  fc.bigInt({ min: -INT64, max: -INT64 + 40n }),
  fc.bigInt({ min: INT64 - 40n, max: INT64 - 1n }),
  fc.bigInt({ min: -INT64, max: INT64 - 1n }),
);

/** Instants where ties hurt most: the day's bounds and the millisecond on each side, or anywhere in the day. */
const instant = fc.oneof(
  fc.constantFrom(WINDOW.start - 1, WINDOW.start, WINDOW.end - 1, WINDOW.end),
  fc.integer({ min: WINDOW.start, max: WINDOW.start + 3_600_000 }),
);

interface Dataset {
  readonly calls: ServerCall[];
  readonly semantics: BoundSemantics;
  readonly seed: number;
  readonly concurrency: number;
}

const dataset: fc.Arbitrary<Dataset> = fc
  .record({
    ids: fc.uniqueArray(idArbitrary, { minLength: 1, maxLength: 120 }),
    // Groups of one instant of up to 20 calls: a page's worth at one millisecond is the most the cursor can page.
    groups: fc.array(fc.record({ at: instant, size: fc.integer({ min: 1, max: 20 }) }), { maxLength: 12 }),
    fields: fc.array(
      fc.record({
        texts: fc.tuple(...TEXT_FIELDS.map(() => text)),
        callTime: fc.option(fc.integer({ min: 0, max: 7_200 }), { nil: undefined }),
        initiatorUserType: fc.option(fc.integer({ min: 1, max: 7 }), { nil: undefined }),
        receiverUserType: fc.option(fc.integer({ min: 1, max: 7 }), { nil: undefined }),
      }),
      { minLength: 120, maxLength: 120 },
    ),
    semantics: fc.constantFrom(...BOUND_SEMANTICS),
    seed: fc.integer(),
    concurrency: fc.integer({ min: 1, max: 4 }),
  })
  .map(({ ids, groups, fields, semantics, seed, concurrency }) => {
    const instants = groups.flatMap(({ at, size }) => Array.from({ length: size }, () => at));
    const calls = ids.map((callId, i): ServerCall => {
      const callStartedAt = instants[i] ?? WINDOW.start + 1_000 * i;
      const drawn = fields[i];
      if (drawn === undefined) throw new Error(`no fields drawn for call ${i}`);
      const { texts, callTime, initiatorUserType, receiverUserType } = drawn;
      const call: ServerCall = { callId, callStartedAt };
      TEXT_FIELDS.forEach((field, f) => {
        if (texts[f] !== undefined) call[field] = texts[f];
      });
      if (callTime !== undefined) Object.assign(call, { callTime, callEndedAt: callStartedAt + callTime * 1_000 });
      if (initiatorUserType !== undefined) call['initiatorUserType'] = initiatorUserType;
      if (receiverUserType !== undefined) call['receiverUserType'] = receiverUserType;
      return call;
    });
    // The same millisecond holds at most 20 calls, so that every call can be paged.
    const perInstant = new Map<number, number>();
    const pageable = calls.filter((c) => {
      const n = (perInstant.get(c.callStartedAt) ?? 0) + 1;
      perInstant.set(c.callStartedAt, n);
      return n <= 20;
    });
    return { calls: pageable, semantics, seed, concurrency };
  });

/** What the table must hold for a call, as DuckDB prints it: ids and timestamps as decimal strings. */
function expectedRow(call: ServerCall): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const column of CALLS.columns) {
    const value = call[column.source];
    if (value === undefined) row[column.name] = null;
    else if (column.athenaType === 'bigint' || column.athenaType === 'timestamp') row[column.name] = String(value);
    else row[column.name] = value;
  }
  return row;
}

function expectedRows(calls: readonly ServerCall[]): Record<string, unknown>[] {
  return calls
    .filter((c) => c.callStartedAt >= WINDOW.start && c.callStartedAt < WINDOW.end)
    .sort((a, b) => a.callStartedAt - b.callStartedAt || (a.callId < b.callId ? -1 : 1))
    .map(expectedRow);
}

/** A signed client of the calls report whose server serves the dataset, checking every request's body. */
function callsClient(data: Dataset): DiyalogClient {
  const random = seededRandom(data.seed);
  return new DiyalogClient({
    report: CALLS,
    endpoint: 'https://diyalog.example.com',
    credentials: staticCredentials({ accessKeyId: 'AK', accessKeySecret: 'secret', requesterUserId: 'etl' }),
    fetch: (url, init) => {
      expect(url instanceof URL ? url.href : url).toBe('https://diyalog.example.com/v1/reporting/getcalllist');
      expect(typeof init?.body === 'string' ? JSON.parse(init.body) : undefined).toMatchObject({ callType: 'all' });
      const page = selectPage(data.calls, requestWindow(init), data.semantics, random, 20, (c) => c.callStartedAt);
      return Promise.resolve(json(pageJson(page)));
    },
  });
}

describe('the calls report, paged and written', () => {
  it('lands exactly the calls the server sent for the day, read back by DuckDB and hyparquet', async () => {
    await fc.assert(
      fc.asyncProperty(dataset, async (data) => {
        const root = await tempDir();
        const source = callsClient(data);
        const context: DayExportContext = {
          sourceFor: () => source,
          store: new LocalDirStore(root),
          timeZone: ZONE,
          concurrency: data.concurrency,
          encode: encodeParquet,
          runId: 'run-1',
          now: () => WINDOW.end + 3_600_000,
          provenance: { source: 'https://diyalog.example.com', exporterVersion: '0.0.0-test' },
        };
        const summary = await exportDay(CALLS, DAY, context);
        const expected = expectedRows(data.calls);
        expect(summary).toMatchObject({ report: 'calls', rows: expected.length, rejected: 0, tieOverflows: [] });

        const path = join(root, 'calls/dt=2025-11-23/calls.parquet');
        const selected = CALLS.columns.map(({ name, athenaType }) =>
          athenaType === 'timestamp' ? `epoch_ms(${name})::VARCHAR AS ${name}` : name,
        );
        const byDuckdb = await duckdb(
          `SELECT ${selected.join(', ')} FROM read_parquet('${path}', hive_partitioning = false)`,
        );
        expect(byDuckdb).toEqual(expected);

        const bytes = await readFile(path);
        const byHyparquet = await parquetReadObjects({
          file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
          parsers: { timestampFromMilliseconds: (millis: bigint) => String(millis) },
        });
        expect(byHyparquet.map((row) => ({ ...row, call_id: String(row['call_id']) }))).toEqual(expected);
      }),
      { numRuns: 40 },
    );
  });

  it('keeps the paging key and id fields as the definition names them', () => {
    expect(columnOf(CALLS, CALLS.cursorColumn).source).toBe('callStartedAt');
    expect(columnOf(CALLS, CALLS.idColumn).source).toBe('callId');
  });
});
