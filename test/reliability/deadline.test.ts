import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, dayWindow } from '../../functions/export/core/days.js';
import { generateSessions, startSimulator, type RunningSimulator } from '../../functions/demo/index.js';
import { startLocalS3, type LocalS3 } from '../support/s3.js';
import { record, writeReportIfAsked } from './figures.js';
import { callsOfDay, callsPartitionKey, DAY, KEYS, lambda, partitionKey, ZONE } from './harness.js';

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

const SESSIONS = [...sessionsOf(SMALL_DAY, 10, 1), ...sessionsOf(BIG_DAY, 6_000, 2), ...sessionsOf(LAST_DAY, 10, 3)];
const CALLS = [SMALL_DAY, BIG_DAY, LAST_DAY].flatMap((day) => callsOfDay(SESSIONS, day));

beforeAll(async () => {
  sim = await startSimulator({ credentials: KEYS, sessions: SESSIONS, calls: CALLS, latencyMs: 40 });
  s3 = await startLocalS3();
});
afterAll(async () => {
  await sim.stop();
  await s3.stop();
  await writeReportIfAsked();
});

describe('the handler stops before the Lambda timeout', () => {
  it('lands the report-days it can, writes nothing for the interrupted ones, and says how to resume', async () => {
    // The invocation has 1.5 s of usable time: enough for both reports of the small day, not for the 6 000
    // sessions of the big one; the report-days after it are not started either.
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
    expect(message).toMatch(/^4 of 6 report-days failed \(run [^)]+\): /);
    const stopped =
      'stopped 60 s before the Lambda timeout so that no write is cut off; nothing was written for this day';
    for (const reportDay of [
      `online_help ${BIG_DAY}`,
      `calls ${BIG_DAY}`,
      `online_help ${LAST_DAY}`,
      `calls ${LAST_DAY}`,
    ]) {
      expect(message).toContain(`${reportDay}: ${stopped}`);
    }
    expect(message).not.toContain(`online_help ${SMALL_DAY}`);
    expect(message).not.toContain(`calls ${SMALL_DAY}`);
    expect(message.slice(message.indexOf('. Re-run'))).toBe(
      `. Re-run them with the event {"from":"${BIG_DAY}","to":"${LAST_DAY}","reports":["online_help","calls"]}.`,
    );
    expect(elapsed).toBeLessThan(1_500 + 1_000);
    expect(await s3.keys(partitionKey(SMALL_DAY))).toEqual([partitionKey(SMALL_DAY)]);
    expect(await s3.keys(callsPartitionKey(SMALL_DAY))).toEqual([callsPartitionKey(SMALL_DAY)]);
    for (const day of [BIG_DAY, LAST_DAY]) {
      expect(await s3.keys(`lake/online_help/dt=${day}/`)).toEqual([]);
      expect(await s3.keys(`lake/calls/dt=${day}/`)).toEqual([]);
      expect(await s3.keys(`lake/_runs/online_help/dt=${day}/`)).toEqual([]);
      expect(await s3.keys(`lake/_runs/calls/dt=${day}/`)).toEqual([]);
    }
    expect(await s3.keys(`lake/_runs/online_help/dt=${SMALL_DAY}/`)).toHaveLength(1);
    expect(await s3.keys(`lake/_runs/calls/dt=${SMALL_DAY}/`)).toHaveLength(1);
    const records = output.map((line) => JSON.parse(line) as Record<string, unknown>);
    const failed = records.filter((r) => r['message'] === 'report-day failed');
    expect(failed.map((r) => [r['report'], r['day'], (r['error'] as { name?: string } | undefined)?.name])).toEqual([
      ['online_help', BIG_DAY, 'DeadlineError'],
      ['calls', BIG_DAY, 'DeadlineError'],
      ['online_help', LAST_DAY, 'DeadlineError'],
      ['calls', LAST_DAY, 'DeadlineError'],
    ]);
    const smallCalls = callsOfDay(SESSIONS, SMALL_DAY).length;
    expect(records.filter((r) => r['message'] === 'report-day exported').map((r) => [r['report'], r['rows']])).toEqual([
      ['online_help', 10],
      ['calls', smallCalls],
    ]);
    record({
      area: 'deadline',
      scenario: '3 days × 2 reports, 1.5 s of usable Lambda time, 40 ms latency',
      faults: 'deadline 60 s before timeout',
      expected: 6_020,
      exported: 10,
      lost: 0,
      duplicated: 0,
      outcome:
        `stopped after ${elapsed} ms; day 1 landed (sessions and calls), days 2–3 left untouched with a ` +
        'resume event for both reports',
    });
  });
});
