import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, dayWindow } from '../../functions/export/core/days.js';
import { generateSessions, startSimulator, type RunningSimulator } from '../../functions/demo/index.js';
import { startLocalS3, type LocalS3 } from '../support/s3.js';
import { record, writeReportIfAsked } from './figures.js';
import { DAY, KEYS, lambda, partitionKey, ZONE } from './harness.js';

const SMALL_DAY = addDays(DAY, -1);
const BIG_DAY = DAY;
const LAST_DAY = addDays(DAY, 1);
const RESERVE_MS = 60_000;

function sessionsOf(day: typeof DAY, count: number, seed: number) {
  const { start, end } = dayWindow(day, ZONE);
  return generateSessions({ seed, from: start, to: end, count, idStart: 6_000_000_000n + BigInt(seed) * 100_000n });
}

let sim: RunningSimulator;
let s3: LocalS3;

beforeAll(async () => {
  sim = await startSimulator({
    credentials: KEYS,
    sessions: [...sessionsOf(SMALL_DAY, 10, 1), ...sessionsOf(BIG_DAY, 6_000, 2), ...sessionsOf(LAST_DAY, 10, 3)],
    latencyMs: 40,
  });
  s3 = await startLocalS3();
});
afterAll(async () => {
  await sim.stop();
  await s3.stop();
  await writeReportIfAsked();
});

describe('the handler stops before the Lambda timeout', () => {
  it('lands the days it can, writes nothing for the interrupted one, and says how to resume', async () => {
    // The invocation has 1.5 s of usable time: enough for the small day, not for the 6 000-session one.
    const remaining = RESERVE_MS + 1_500;
    const { handler, output } = lambda(sim, s3, { dependencies: { deadlineReserveMs: RESERVE_MS } });
    const started = Date.now();
    const failure = await handler(
      { from: SMALL_DAY, to: LAST_DAY },
      { getRemainingTimeInMillis: () => remaining - (Date.now() - started) },
    ).then(
      () => undefined,
      (error: unknown) => error,
    );
    const elapsed = Date.now() - started;

    expect(failure).toBeInstanceOf(Error);
    const message = failure instanceof Error ? failure.message : '';
    expect(message).toContain('2 of 3 days failed');
    expect(message).toContain('before the Lambda timeout');
    expect(message).toContain(`Re-run them with the event {"from":"${BIG_DAY}","to":"${LAST_DAY}"}`);
    expect(elapsed).toBeLessThan(1_500 + 1_000);
    expect(await s3.keys(partitionKey(SMALL_DAY))).toEqual([partitionKey(SMALL_DAY)]);
    expect(await s3.keys(partitionKey(BIG_DAY))).toEqual([]);
    expect(await s3.keys(partitionKey(LAST_DAY))).toEqual([]);
    expect(output.some((line) => line.includes('"DeadlineError"'))).toBe(true);
    record({
      area: 'deadline',
      scenario: '3 days, 1.5 s of usable Lambda time, 40 ms latency',
      faults: 'deadline 60 s before timeout',
      expected: 6_020,
      exported: 10,
      lost: 0,
      duplicated: 0,
      outcome: `stopped after ${elapsed} ms; day 1 landed, days 2–3 left untouched with a resume event`,
    });
  });
});
