import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../functions/demo/index.js';
import { startLocalS3, type LocalS3 } from '../support/s3.js';
import { record, writeReportIfAsked } from './figures.js';
import { expectedCallRows } from '../support/expected-rows.js';
import { readCalls } from '../support/parquet-reader.js';
import {
  callsOfDay,
  callsPartitionKey,
  DAY,
  dayOfSessions,
  exactness,
  idsOfDay,
  KEYS,
  lambda,
  partitionKey,
  WINDOW,
} from './harness.js';

/**
 * An HTTP proxy in front of s3rver that answers PUTs of Parquet objects with 500 while `failPuts` is set, and
 * refuses every connection while `down` is set; everything else passes through.
 */
interface FlakyStore {
  readonly endpoint: string;
  failPuts: boolean;
  down: boolean;
  parquetPutsRefused: number;
  stop(): Promise<void>;
}

async function flakyProxy(target: string): Promise<FlakyStore> {
  const upstream = new URL(target);
  const state = { failPuts: false, down: false, parquetPutsRefused: 0 };
  const server: Server = createServer((incoming, outgoing) => {
    if (state.down) {
      incoming.socket.destroy();
      return;
    }
    if (state.failPuts && incoming.method === 'PUT' && incoming.url?.includes('.parquet')) {
      state.parquetPutsRefused++;
      incoming.resume();
      outgoing.writeHead(500, { 'content-type': 'application/xml' });
      outgoing.end('<Error><Code>InternalError</Code><Message>injected</Message></Error>');
      return;
    }
    const forward = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    incoming.pipe(forward);
  });
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  });
}

let sim: RunningSimulator;
let s3: LocalS3;
let proxy: FlakyStore;
const first = dayOfSessions(31, 120);
const second = dayOfSessions(32, 150);
const firstCalls = callsOfDay(first);
const secondCalls = callsOfDay(second);

/** The calls a Parquet object holds, as DuckDB reads them. */
async function callRows(parquet: Uint8Array): Promise<Record<string, unknown>[]> {
  const path = join(await mkdtemp(join(tmpdir(), 'reliability-')), 'calls.parquet');
  await writeFile(path, parquet);
  return readCalls(path);
}

beforeAll(async () => {
  sim = await startSimulator({ credentials: KEYS, sessions: first, calls: firstCalls });
  s3 = await startLocalS3();
  proxy = await flakyProxy(s3.endpoint);
});
afterAll(async () => {
  await proxy.stop();
  await sim.stop();
  await s3.stop();
  await writeReportIfAsked();
});

function throughProxy() {
  return lambda(sim, s3, { env: { AWS_ENDPOINT_URL_S3: proxy.endpoint } });
}

describe('a failing object store leaves no partial data and keeps the previous partition', () => {
  it.each([
    [
      'PutObject answers 500',
      'failPuts',
      new RegExp(
        `^2 of 2 report-days failed \\(run [^)]+\\): ` +
          `online_help ${DAY}: S3 PutObject to s3://lake/lake/online_help/dt=${DAY}/sessions\\.parquet .*InternalError: injected; ` +
          `calls ${DAY}: S3 PutObject to s3://lake/lake/calls/dt=${DAY}/calls\\.parquet .*InternalError: injected\\. ` +
          `Re-run them with the event \\{"from":"${DAY}","to":"${DAY}","reports":\\["online_help","calls"\\]\\}\\.$`,
      ),
    ],
    // Down from the start, the store fails the run's preflight before any page is fetched.
    ['the store refuses connections', 'down', /preflight failed, writing a probe object to s3:\/\//],
  ] as const)('%s: the SDK retries, then the run fails', async (scenario, breakage, failure) => {
    // The re-export would change both tables' partitions.
    expect(expectedCallRows(secondCalls, WINDOW.start, WINDOW.end)).not.toEqual(
      expectedCallRows(firstCalls, WINDOW.start, WINDOW.end),
    );
    proxy.failPuts = false;
    proxy.down = false;
    sim.setSessions(first);
    sim.setCalls(firstCalls);
    await throughProxy().handler({ date: DAY });
    const good = await s3.get(partitionKey());
    const goodCalls = await s3.get(callsPartitionKey());
    const manifests = await s3.keys('lake/_runs/');

    sim.setSessions(second);
    sim.setCalls(secondCalls);
    proxy[breakage] = true;
    await expect(throughProxy().handler({ date: DAY })).rejects.toThrow(failure);
    // Each report's PutObject is tried three times (the SDK's default) before its report-day fails.
    if (breakage === 'failPuts') expect(proxy.parquetPutsRefused).toBeGreaterThanOrEqual(2 * 3);
    proxy.failPuts = false;
    proxy.down = false;

    // Neither table's partition changed, and the failed run wrote no manifest (and left no preflight probe).
    expect(await s3.keys(`lake/online_help/dt=${DAY}/`)).toEqual([partitionKey()]);
    expect(await s3.keys(`lake/calls/dt=${DAY}/`)).toEqual([callsPartitionKey()]);
    expect(await s3.keys('lake/_runs/')).toEqual(manifests);
    const kept = await s3.get(partitionKey());
    expect(kept).toEqual(good);
    expect(await s3.get(callsPartitionKey())).toEqual(goodCalls);
    expect(await callRows(goodCalls)).toEqual(expectedCallRows(firstCalls, WINDOW.start, WINDOW.end));
    const figures = await exactness(kept, idsOfDay(first));
    record({
      area: 'no partial data',
      scenario: `${scenario} while re-exporting a day`,
      faults: proxy.parquetPutsRefused > 0 ? `PutObject 500 ×${proxy.parquetPutsRefused}` : 'connections refused',
      expected: idsOfDay(first).size,
      ...figures,
      outcome: 'both report-days failed; previous partitions (sessions and calls) intact, no partial object',
    });
    expect(figures.lost + figures.duplicated).toBe(0);
    proxy.parquetPutsRefused = 0;
  });
});
