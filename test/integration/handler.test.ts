import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dayWindow } from '../../functions/export/core/days.js';
import { parseDay, parseTimeZone } from '../../functions/contract/calendar.js';
import { createHandler } from '../../functions/export/handler.js';
import { generateSessions, startSimulator, type RunningSimulator } from '../../functions/demo/index.js';
import { startLocalS3, type LocalS3 } from '../support/s3.js';
import { capturedTelemetry } from '../support/telemetry.js';
import { readSessions } from '../support/parquet-reader.js';
import { expectedRows } from '../support/expected-rows.js';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const KEYS = { accessKeyId: 'AK-lambda', accessKeySecret: 'lambda-secret-canary-1618' };
const SECRET_ID = 'diyalog/export/api-keys';
const ZONE = parseTimeZone('Europe/Istanbul');
// The schedule fires at 01:30 Istanbul time on 2025-11-24: "yesterday" is 2025-11-23.
const SCHEDULED = '2025-11-23T22:30:00Z';

let sim: RunningSimulator;
/** The instant both the handler and the simulator take as now. */
let clock = Date.now();
let s3: LocalS3;
const secrets = mockClient(SecretsManagerClient);

function sessionsOf(days: string[]) {
  return days.flatMap((day, i) => {
    const { start, end } = dayWindow(parseDay(day), ZONE);
    return generateSessions({
      seed: 100 + i,
      from: start,
      to: end,
      count: 60,
      idStart: 7_000_000_000n + BigInt(i) * 1_000_000n,
    });
  });
}
const DAYS = ['2025-11-19', '2025-11-20', '2025-11-21', '2025-11-22', '2025-11-23'];
const ALL = sessionsOf(DAYS);

beforeAll(async () => {
  sim = await startSimulator({ credentials: KEYS, sessions: ALL, now: () => clock });
  s3 = await startLocalS3();
});
afterAll(async () => {
  await sim.stop();
  await s3.stop();
});
beforeEach(() => {
  secrets.reset();
  secrets.on(GetSecretValueCommand, { SecretId: SECRET_ID }).resolves({
    SecretString: JSON.stringify({ ...KEYS, requesterUserId: 'lambda-test' }),
  });
});

interface Captured {
  handler: ReturnType<typeof createHandler>;
  logs: string[];
}

function lambda(env: Record<string, string> = {}, now = Date.parse(SCHEDULED) + 60_000): Captured {
  clock = now;
  const { logger, metrics, output: logs } = capturedTelemetry('test');
  const handler = createHandler({
    env: {
      DIYALOG_API_ENDPOINT: sim.url,
      DIYALOG_SECRET_ID: SECRET_ID,
      EXPORT_BUCKET: s3.bucket,
      EXPORT_PREFIX: 'lake/diyalog',
      ...s3.env,
      ...env,
    },
    now: () => clock,
    secretsClient: new SecretsManagerClient({ region: 'eu-central-1' }),
    logger,
    metrics,
  });
  return { handler, logs };
}

const partition = (day: string) => `lake/diyalog/online_help/dt=${day}/sessions.parquet`;

async function rowsOf(day: string): Promise<Record<string, unknown>[]> {
  const dir = await mkdtemp(join(tmpdir(), 'handler-'));
  const file = join(dir, 'day.parquet');
  await writeFile(file, await s3.get(partition(day)));
  return readSessions(file);
}

describe('Lambda handler with s3rver and a fake Secrets Manager', () => {
  it('exports yesterday and the lookback days for a scheduled event', async () => {
    const { handler } = lambda({ EXPORT_LOOKBACK_DAYS: '2' });
    const result = await handler({ scheduledTime: SCHEDULED });
    expect(result.ok).toBe(true);
    expect(result.days.map((d) => (d as { day: string }).day)).toEqual(['2025-11-23', '2025-11-22', '2025-11-21']);
    for (const day of ['2025-11-23', '2025-11-22', '2025-11-21']) {
      const { start, end } = dayWindow(parseDay(day), ZONE);
      expect(await rowsOf(day)).toEqual(expectedRows(ALL, start, end));
    }
    expect(await s3.keys('lake/diyalog/online_help/dt=2025-11-20/')).toEqual([]);
  });

  it('uses the invocation time for {} (yesterday relative to now)', async () => {
    const { handler } = lambda({ EXPORT_LOOKBACK_DAYS: '0' }, Date.parse('2025-11-21T05:00:00Z'));
    const result = await handler({});
    expect(result.days.map((d) => (d as { day: string }).day)).toEqual(['2025-11-20']);
  });

  it('exports one day for {"date"} and each day for {"from","to"}', async () => {
    const { handler } = lambda();
    expect((await handler({ date: '2025-11-19' })).days).toHaveLength(1);
    const range = await handler({ from: '2025-11-19', to: '2025-11-21' });
    expect(range.days.map((d) => (d as { sessions: number }).sessions)).toEqual([60, 60, 60]);
    expect(await s3.keys('lake/diyalog/online_help/')).toEqual(
      expect.arrayContaining(['2025-11-19', '2025-11-20', '2025-11-21'].map(partition)),
    );
  });

  it('writes only below EXPORT_PREFIX, with the checksum S3 verified', async () => {
    const { handler } = lambda();
    const result = await handler({ date: '2025-11-22' });
    const keys = await s3.keys();
    expect(keys.every((k) => k.startsWith('lake/diyalog/'))).toBe(true);
    const bytes = await s3.get(partition('2025-11-22'));
    const { createHash } = await import('node:crypto');
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(
      (result.days[0] as { parquetSha256: string }).parquetSha256,
    );
  });

  it('refuses a range of more than 31 days and an unknown event shape, naming the problem', async () => {
    const { handler } = lambda();
    await expect(handler({ from: '2025-01-01', to: '2025-03-01' })).rejects.toThrow('more than the limit of 31');
    await expect(handler({ day: '2025-11-22' })).rejects.toThrow('event: has the fields {day}');
  });

  it('refuses days before EXPORT_FIRST_DAY through the event, before any request, writing nothing', async () => {
    const { handler } = lambda({ EXPORT_FIRST_DAY: '2025-11-21' });
    const before = await s3.keys();
    sim.resetCounters();
    await expect(handler({ date: '2025-11-20' })).rejects.toThrow(
      "event.date: 2025-11-20 is before 2025-11-21, where Athena's partition projection starts",
    );
    await expect(handler({ from: '2025-11-19', to: '2025-11-22' })).rejects.toThrow(
      'event: range 2025-11-19..2025-11-22 is refused as a whole: 2025-11-19 is before 2025-11-21',
    );
    expect(sim.counters.requests).toBe(0);
    expect(await s3.keys()).toEqual(before);
  });

  it('refuses a day that is not over, saying when it can be exported, writing nothing', async () => {
    // 01:31 on 2025-11-24 in Istanbul.
    const { handler } = lambda();
    const before = await s3.keys();
    sim.resetCounters();
    await expect(handler({ from: '2025-11-22', to: '2025-11-24' })).rejects.toThrow(
      'event: range 2025-11-22..2025-11-24 is refused as a whole: ' +
        '2025-11-24 is not over in Europe/Istanbul until 2025-11-25 00:00 (+03:00)',
    );
    expect(sim.counters.requests).toBe(0);
    expect(await s3.keys()).toEqual(before);
  });

  it('names the missing variable at cold start', async () => {
    const { handler } = lambda({ EXPORT_BUCKET: '' });
    await expect(handler({})).rejects.toThrow('EXPORT_BUCKET: is not set');
  });

  it('finishes the other days, then throws, when one day fails', async () => {
    const { handler, logs } = lambda();
    // After the preflight's request (answered, only late), the first of 2025-11-21 gets a 400, which is not
    // retried: that day fails, the others land.
    sim.injectFaults({ kind: 'slow', delayMs: 1 }, { kind: 'status', status: 400, body: 'Bad request' });
    await expect(handler({ from: '2025-11-21', to: '2025-11-23' })).rejects.toThrow(/1 of 3 days failed .*2025-11-21/);
    expect(logs.some((l) => l.includes('day failed'))).toBe(true);
    expect(logs.filter((l) => l.includes('"DaySucceeded"')).length).toBe(2);
  });

  it('emits per-day EMF metrics including the heartbeat, and never logs the secret', async () => {
    const { handler, logs } = lambda();
    await handler({ date: '2025-11-23' });
    const emf = logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => '_aws' in r);
    expect(emf).toHaveLength(1);
    expect(emf[0]).toMatchObject({
      Sessions: 60,
      DaySucceeded: 1,
      TieOverflows: 0,
      RejectedRecords: 0,
      day: '2025-11-23',
    });
    expect(logs.join('\n')).not.toContain(KEYS.accessKeySecret);
  });
});
