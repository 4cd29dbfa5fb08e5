import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../functions/export/cli.js';
import {
  BOUND_SEMANTICS,
  startSimulator,
  TRANSIENT_FAULTS,
  type BoundSemantics,
  type Fault,
  type RunningSimulator,
} from '../../functions/demo/index.js';
import { startLocalS3, type LocalS3 } from '../support/s3.js';
import { useTempDirs } from '../support/temp-dir.js';
import { record, writeReportIfAsked } from './figures.js';
import { DAY, dayOfSessions, exactness, idsOfDay, KEYS, lambda, partitionKey } from './harness.js';

const HOSTILE_200S: readonly Fault[] = [
  { kind: 'html200' },
  { kind: 'object200' },
  { kind: 'brokenJson200' },
  { kind: 'oversizedPage' },
  { kind: 'outOfWindowItem' },
  { kind: 'duplicateIdDifferentContent' },
];
const WITH_RETRY_AFTER: readonly Fault[] = [...TRANSIENT_FAULTS, { kind: 'status429', retryAfterSeconds: 1 }];
const SLOW_PAST_TIMEOUT: readonly Fault[] = [{ kind: 'slow', delayMs: 800 }];

const FAULT_MIXES: readonly { name: string; pool: readonly Fault[]; rate: number }[] = [
  { name: 'none', pool: [], rate: 0 },
  { name: 'transport & 5xx (30%)', pool: TRANSIENT_FAULTS, rate: 0.3 },
  { name: 'hostile 200s (30%)', pool: HOSTILE_200S, rate: 0.3 },
  { name: 'everything (40%)', pool: [...WITH_RETRY_AFTER, ...HOSTILE_200S, ...SLOW_PAST_TIMEOUT], rate: 0.4 },
];

let sim: RunningSimulator;
let s3: LocalS3;
const tempDir = useTempDirs();

beforeAll(async () => {
  sim = await startSimulator({ credentials: KEYS });
  s3 = await startLocalS3();
});
afterAll(async () => {
  await sim.stop();
  await s3.stop();
  await writeReportIfAsked();
});

function faultSummary(): string {
  const { faultsByKind } = sim.counters;
  const parts = Object.entries(faultsByKind).map(([kind, n]) => `${kind}×${n}`);
  return parts.length > 0 ? parts.sort().join(', ') : 'none';
}

describe.each(BOUND_SEMANTICS)('exactness on a %s server', (semantics: BoundSemantics) => {
  it.each(FAULT_MIXES)('loses and duplicates nothing with faults: $name', async ({ name, pool, rate }) => {
    const sessions = dayOfSessions(
      BOUND_SEMANTICS.indexOf(semantics) * 10 + FAULT_MIXES.findIndex((m) => m.name === name),
    );
    sim.setSessions(sessions);
    sim.configure({ boundSemantics: semantics, faultRate: rate, faultPool: pool.length > 0 ? pool : TRANSIENT_FAULTS });
    sim.resetCounters();
    const run = lambda(sim, s3, { env: { DIYALOG_CONCURRENCY: '3' } });
    const result = await run.handler({ date: DAY });
    expect(result.ok).toBe(true);
    const expected = idsOfDay(sessions);
    const figures = await exactness(await s3.get(partitionKey()), expected);
    record({
      area: 'exactness',
      scenario: `${semantics} bounds, ties up to 20, ${name}`,
      faults: faultSummary(),
      expected: expected.size,
      ...figures,
      outcome: 'day landed',
    });
    expect(figures).toEqual({ exported: expected.size, lost: 0, duplicated: 0 });
    if (rate > 0) expect(sim.counters.faults).toBeGreaterThanOrEqual(3);
  });
});

describe('exactness through the CLI with production retry settings', () => {
  it('lands a day exactly through 429s with Retry-After, 5xx, resets and truncated bodies', async () => {
    const sessions = dayOfSessions(99, 200);
    sim.setSessions(sessions);
    sim.configure({ boundSemantics: 'exclusive-end', faultRate: 0 });
    sim.resetCounters();
    sim.injectFaults(
      { kind: 'status429', retryAfterSeconds: 1 },
      { kind: 'status503' },
      { kind: 'reset' },
      { kind: 'truncated' },
      { kind: 'status500' },
    );
    const root = await tempDir();
    const out: string[] = [];
    const status = await runCli(
      ['--date', DAY, '--endpoint', sim.url, '--out', root, '--concurrency', '1'],
      {
        DIYALOG_ACCESS_KEY_ID: KEYS.accessKeyId,
        DIYALOG_ACCESS_KEY_SECRET: KEYS.accessKeySecret,
        DIYALOG_REQUESTER_USER_ID: 'reliability',
      },
      { out: (l) => out.push(l), err: (l) => out.push(l) },
    );
    expect(status).toBe(0);
    const expected = idsOfDay(sessions);
    const figures = await exactness(`${root}/online_help/dt=${DAY}/sessions.parquet`, expected);
    record({
      area: 'exactness',
      scenario: 'CLI, default retry policy',
      faults: faultSummary(),
      expected: expected.size,
      ...figures,
      outcome: 'day landed',
    });
    expect(figures).toEqual({ exported: expected.size, lost: 0, duplicated: 0 });
    expect(sim.counters.faults).toBe(5);
  });
});
