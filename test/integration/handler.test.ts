import { createHash, createHmac } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dayWindow } from '../../functions/export/core/days.js';
import { parseDay, parseTimeZone } from '../../functions/contract/calendar.js';
import { ConfigError, ExportError } from '../../functions/export/core/errors.js';
import { createHandler } from '../../functions/export/handler.js';
import {
  demoCalls,
  generateSessions,
  startSimulator,
  type RunningSimulator,
  type SimCall,
  type SimSession,
} from '../../functions/demo/index.js';
import { startLocalS3, type LocalS3 } from '../support/s3.js';
import { capturedTelemetry } from '../support/telemetry.js';
import { readCalls, readSessions } from '../support/parquet-reader.js';
import { expectedCallRows, expectedRows } from '../support/expected-rows.js';

const KEYS = { accessKeyId: 'AK-lambda', accessKeySecret: 'lambda-secret-canary-1618' };
const SECRET_ID = 'diyalog/export/api-keys';
const ZONE = parseTimeZone('Europe/Istanbul');
// The schedule fires at 01:30 Istanbul time on 2025-11-24: "yesterday" is 2025-11-23.
const SCHEDULED = '2025-11-23T22:30:00Z';
const PREFIX = 'lake/diyalog';

let sim: RunningSimulator;
/** The instant both the handler and the simulator take as now. */
let clock = Date.now();
let s3: LocalS3;
const secrets = mockClient(SecretsManagerClient);

const DAYS = ['2025-11-19', '2025-11-20', '2025-11-21', '2025-11-22', '2025-11-23'];

/** Each day: 60 sessions, and the demo calls that go with them (agents calling customers, and others). */
function dataOf(days: string[]): { sessions: SimSession[]; calls: SimCall[] } {
  const perDay = days.map((day, i) => {
    const { start, end } = dayWindow(parseDay(day), ZONE);
    const sessions = generateSessions({
      seed: 100 + i,
      from: start,
      to: end,
      count: 60,
      idStart: 7_000_000_000n + BigInt(i) * 1_000_000n,
    });
    return { sessions, calls: demoCalls(sessions, start, end) };
  });
  return { sessions: perDay.flatMap((d) => d.sessions), calls: perDay.flatMap((d) => d.calls) };
}
const ALL = dataOf(DAYS);

/** The calls of a day in the simulator's data. */
function callCount(day: string): number {
  const { start, end } = dayWindow(parseDay(day), ZONE);
  return expectedCallRows(ALL.calls, start, end).length;
}

beforeAll(async () => {
  sim = await startSimulator({ credentials: KEYS, sessions: ALL.sessions, calls: ALL.calls, now: () => clock });
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
      EXPORT_PREFIX: PREFIX,
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

const partition = (day: string, prefix = PREFIX) => `${prefix}/online_help/dt=${day}/sessions.parquet`;
const callsPartition = (day: string, prefix = PREFIX) => `${prefix}/calls/dt=${day}/calls.parquet`;

async function localCopy(key: string): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'handler-')), 'day.parquet');
  await writeFile(file, await s3.get(key));
  return file;
}

async function rowsOf(day: string, prefix = PREFIX): Promise<Record<string, unknown>[]> {
  return readSessions(await localCopy(partition(day, prefix)));
}

async function callRowsOf(day: string, prefix = PREFIX): Promise<Record<string, unknown>[]> {
  return readCalls(await localCopy(callsPartition(day, prefix)));
}

/** Checks that both tables' partitions of the day hold exactly the day's sessions and calls. */
async function expectDayLanded(day: string, prefix = PREFIX): Promise<void> {
  const { start, end } = dayWindow(parseDay(day), ZONE);
  expect(await rowsOf(day, prefix)).toEqual(expectedRows(ALL.sessions, start, end));
  expect(await callRowsOf(day, prefix)).toEqual(expectedCallRows(ALL.calls, start, end));
}

interface Entry {
  report: string;
  day: string;
  rows?: number;
  status?: string;
}

const reportDays = (days: readonly unknown[]) => days.map((d) => [(d as Entry).report, (d as Entry).day]);

/** The EMF documents among the captured lines. */
function emfOf(logs: string[]): Record<string, unknown>[] {
  return logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => '_aws' in r);
}

/** The run id the handler logged when it started. */
function runIdOf(logs: string[]): string {
  const started = logs
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .find((r) => r['message'] === 'export started');
  return String(started?.['runId']);
}

/** What the handler threw. */
async function failureOf(run: Promise<unknown>): Promise<Error> {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof Error)) throw new Error('the handler did not throw');
  return error;
}

describe('Lambda handler with s3rver and a fake Secrets Manager', () => {
  it('exports yesterday and the lookback days for a scheduled event, each day for both reports', async () => {
    const { handler } = lambda({ EXPORT_LOOKBACK_DAYS: '2' });
    const result = await handler({ scheduledTime: SCHEDULED });
    expect(result.ok).toBe(true);
    expect(reportDays(result.days)).toEqual([
      ['online_help', '2025-11-23'],
      ['calls', '2025-11-23'],
      ['online_help', '2025-11-22'],
      ['calls', '2025-11-22'],
      ['online_help', '2025-11-21'],
      ['calls', '2025-11-21'],
    ]);
    for (const day of ['2025-11-23', '2025-11-22', '2025-11-21']) await expectDayLanded(day);
    expect(await s3.keys(`${PREFIX}/online_help/dt=2025-11-20/`)).toEqual([]);
    expect(await s3.keys(`${PREFIX}/calls/dt=2025-11-20/`)).toEqual([]);
  });

  it('uses the invocation time for {} (yesterday relative to now)', async () => {
    const { handler } = lambda({ EXPORT_LOOKBACK_DAYS: '0' }, Date.parse('2025-11-21T05:00:00Z'));
    const result = await handler({});
    expect(reportDays(result.days)).toEqual([
      ['online_help', '2025-11-20'],
      ['calls', '2025-11-20'],
    ]);
  });

  it('exports one day for {"date"} and each day for {"from","to"}, each for both reports', async () => {
    const { handler } = lambda();
    expect(reportDays((await handler({ date: '2025-11-19' })).days)).toEqual([
      ['online_help', '2025-11-19'],
      ['calls', '2025-11-19'],
    ]);
    const range = await handler({ from: '2025-11-19', to: '2025-11-21' });
    expect(range.days.map((d) => [(d as Entry).report, (d as Entry).day, (d as Entry).rows])).toEqual(
      ['2025-11-19', '2025-11-20', '2025-11-21'].flatMap((day) => [
        ['online_help', day, 60],
        ['calls', day, callCount(day)],
      ]),
    );
    expect(['2025-11-19', '2025-11-20', '2025-11-21'].every((day) => callCount(day) > 100)).toBe(true);
    // `sessions` was renamed `rows`, the same for every report.
    expect(range.days.filter((d) => 'sessions' in (d as object))).toEqual([]);
    expect(await s3.keys(`${PREFIX}/online_help/`)).toEqual(
      expect.arrayContaining(['2025-11-19', '2025-11-20', '2025-11-21'].map((day) => partition(day))),
    );
    expect(await s3.keys(`${PREFIX}/calls/`)).toEqual(
      expect.arrayContaining(['2025-11-19', '2025-11-20', '2025-11-21'].map((day) => callsPartition(day))),
    );
  });

  it('writes only below EXPORT_PREFIX, with the checksum S3 verified', async () => {
    const { handler } = lambda();
    const result = await handler({ date: '2025-11-22' });
    const keys = await s3.keys();
    expect(keys.every((k) => k.startsWith(`${PREFIX}/`))).toBe(true);
    const [sessions, calls] = result.days as { report: string; parquetSha256: string }[];
    expect(sessions?.report).toBe('online_help');
    expect(calls?.report).toBe('calls');
    const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
    expect(sha256(await s3.get(partition('2025-11-22')))).toBe(sessions?.parquetSha256);
    expect(sha256(await s3.get(callsPartition('2025-11-22')))).toBe(calls?.parquetSha256);
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

  it('finishes the other report-days, then throws, when one fails', async () => {
    const { handler, logs } = lambda();
    // After the preflight's request to the sessions report (answered, only late), the first of online_help
    // 2025-11-21 gets a 400, which is not retried: that report-day fails, the other five land.
    sim.injectFaultsFor(
      'online_help',
      { kind: 'slow', delayMs: 1 },
      { kind: 'status', status: 400, body: 'Bad request' },
    );
    const failure = await failureOf(handler({ from: '2025-11-21', to: '2025-11-23' }));
    expect(failure).toBeInstanceOf(ExportError);
    expect(failure.message).toMatch(
      new RegExp(`^1 of 6 report-days failed \\(run ${runIdOf(logs)}\\): online_help 2025-11-21: .*status 400`),
    );
    expect(failure.message).toMatch(
      /\. Re-run them with the event \{"from":"2025-11-21","to":"2025-11-21","reports":\["online_help"\]\}\.$/,
    );
    expect(sim.pendingFaults).toBe(0);
    const failed = logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((r) => r['message'] === 'report-day failed');
    expect(failed).toEqual([expect.objectContaining({ report: 'online_help', day: '2025-11-21' })]);
    const emf = emfOf(logs);
    expect(emf.filter((r) => r['DaySucceeded'] === 1)).toHaveLength(5);
    expect(emf.filter((r) => r['DayFailed'] === 1)).toEqual([
      expect.objectContaining({ Report: 'online_help', day: '2025-11-21' }),
    ]);
  });

  it('emits one EMF document per report-day, with the Report dimension and the heartbeat, and never logs the secret', async () => {
    const { handler, logs } = lambda();
    await handler({ date: '2025-11-23' });
    const emf = emfOf(logs);
    expect(emf).toHaveLength(2);
    expect(emf[0]).toMatchObject({
      Report: 'online_help',
      Rows: 60,
      DaySucceeded: 1,
      TieOverflows: 0,
      RejectedRecords: 0,
      day: '2025-11-23',
    });
    expect(emf[1]).toMatchObject({
      Report: 'calls',
      Rows: callCount('2025-11-23'),
      DaySucceeded: 1,
      TieOverflows: 0,
      RejectedRecords: 0,
      day: '2025-11-23',
    });
    for (const document of emf) {
      expect(document).not.toHaveProperty('Sessions');
      const [directive] = (document['_aws'] as { CloudWatchMetrics: Record<string, unknown>[] }).CloudWatchMetrics;
      expect(directive?.['Dimensions']).toEqual([['service', 'Report']]);
      const names = (directive?.['Metrics'] as { Name: string }[]).map((m) => m.Name);
      expect(names).toEqual(expect.arrayContaining(['Rows', 'DaySucceeded', 'RejectedRecords', 'DayDurationMs']));
      expect(names).not.toContain('Sessions');
    }
    expect(logs.join('\n')).not.toContain(KEYS.accessKeySecret);
  });
});

describe('the Lambda contract for the calls report', () => {
  it('{"date"} exports both reports over HTTP into S3, with one manifest per report', async () => {
    const prefix = 'lake/contract-both';
    const { handler, logs } = lambda({ EXPORT_PREFIX: prefix });
    sim.resetCounters();
    const result = await handler({ date: '2025-11-22' });
    const runId = runIdOf(logs);
    expect(result).toMatchObject({ runId, ok: true });
    expect(await s3.keys(prefix)).toEqual([
      `${prefix}/_runs/calls/dt=2025-11-22/${runId}.json`,
      `${prefix}/_runs/online_help/dt=2025-11-22/${runId}.json`,
      callsPartition('2025-11-22', prefix),
      partition('2025-11-22', prefix),
    ]);
    await expectDayLanded('2025-11-22', prefix);

    // Both routes were paged over HTTP: the preflight's request each, then the day's pages.
    const { byReport } = sim.counters;
    const { start, end } = dayWindow(parseDay('2025-11-22'), ZONE);
    for (const report of ['online_help', 'calls'] as const) {
      expect(byReport[report].requests).toBeGreaterThanOrEqual(2);
      const dayPages = byReport[report].windows.filter((w) => w.startDate >= start && w.endDate < end);
      expect(dayPages.length).toBeGreaterThan(0);
    }
    expect(byReport.calls.windows.filter((w) => w.startDate >= start).length).toBeGreaterThanOrEqual(
      Math.ceil(callCount('2025-11-22') / 20),
    );

    const keep = (...columns: string[]) => Object.fromEntries(columns.map((column) => [column, 'keep']));
    const manifest = async (report: string) =>
      JSON.parse(
        new TextDecoder().decode(await s3.get(`${prefix}/_runs/${report}/dt=2025-11-22/${runId}.json`)),
      ) as Record<string, unknown>;
    const [sessionsEntry, callsEntry] = result.days;
    expect(await manifest('online_help')).toEqual(sessionsEntry);
    expect(await manifest('calls')).toEqual(callsEntry);
    expect(sessionsEntry).toMatchObject({
      report: 'online_help',
      day: '2025-11-22',
      runId,
      rows: 60,
      rejected: 0,
      object: `s3://${s3.bucket}/${partition('2025-11-22', prefix)}`,
      personalData: {
        policy: 'keep',
        columns: keep('customer_no', 'customer_name', 'agent_id', 'agent_name', 'conversation_detail_link'),
      },
    });
    expect(callsEntry).toMatchObject({
      report: 'calls',
      day: '2025-11-22',
      runId,
      rows: callCount('2025-11-22'),
      rejected: 0,
      object: `s3://${s3.bucket}/${callsPartition('2025-11-22', prefix)}`,
      personalData: {
        policy: 'keep',
        columns: keep('initiator_id', 'initiator_name', 'receiver_id', 'receiver_name', 'call_view_url'),
      },
    });
    for (const entry of [sessionsEntry, callsEntry]) {
      expect(entry).not.toHaveProperty('sessions');
      expect((entry as { personalData: object }).personalData).not.toHaveProperty('pseudonymKeyId');
    }
  });

  it('a failure of calls only leaves online_help landed, and the error names the report-day and its re-run event', async () => {
    const prefix = 'lake/contract-calls-fail';
    const { handler, logs } = lambda({ EXPORT_PREFIX: prefix });
    // The calls preflight request is answered (late); the first request of the calls day gets a 400.
    sim.injectFaultsFor('calls', { kind: 'slow', delayMs: 1 }, { kind: 'status', status: 400, body: 'Bad request' });
    const failure = await failureOf(handler({ date: '2025-11-23' }));
    const runId = runIdOf(logs);
    expect(sim.pendingFaults).toBe(0);

    expect(failure).toBeInstanceOf(ExportError);
    expect(failure.message).toMatch(
      new RegExp(`^1 of 2 report-days failed \\(run ${runId}\\): calls 2025-11-23: Diyalog refused the request`),
    );
    expect(failure.message).not.toContain('online_help 2025-11-23');
    expect(failure.message).toMatch(
      /\. Re-run them with the event \{"from":"2025-11-23","to":"2025-11-23","reports":\["calls"\]\}\.$/,
    );

    // online_help landed with its manifest; calls left nothing behind.
    expect(await s3.keys(prefix)).toEqual([
      `${prefix}/_runs/online_help/dt=2025-11-23/${runId}.json`,
      partition('2025-11-23', prefix),
    ]);
    const { start, end } = dayWindow(parseDay('2025-11-23'), ZONE);
    expect(await rowsOf('2025-11-23', prefix)).toEqual(expectedRows(ALL.sessions, start, end));
    const records = logs.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.filter((r) => r['message'] === 'report-day failed')).toEqual([
      expect.objectContaining({ report: 'calls', day: '2025-11-23' }),
    ]);
    expect(records.filter((r) => r['message'] === 'report-day exported')).toEqual([
      expect.objectContaining({ report: 'online_help', day: '2025-11-23', rows: 60 }),
    ]);

    // The event the error names re-runs exactly the report-day that failed.
    const event = JSON.parse(/Re-run them with the event (\{.*\})\.$/.exec(failure.message)?.[1] ?? '') as unknown;
    sim.resetCounters();
    const rerun = await lambda({ EXPORT_PREFIX: prefix }).handler(event);
    expect(rerun.ok).toBe(true);
    expect(reportDays(rerun.days)).toEqual([['calls', '2025-11-23']]);
    expect(sim.counters.byReport.online_help.requests).toBe(0);
    expect(await callRowsOf('2025-11-23', prefix)).toEqual(expectedCallRows(ALL.calls, start, end));
  });

  it('the EMF documents carry the Report dimension of each report, for landed and failed report-days', async () => {
    const { handler, logs } = lambda({ EXPORT_PREFIX: 'lake/contract-emf' });
    sim.injectFaultsFor('calls', { kind: 'slow', delayMs: 1 }, { kind: 'status', status: 400, body: 'Bad request' });
    await failureOf(handler({ from: '2025-11-22', to: '2025-11-23' }));
    const emf = emfOf(logs);
    expect(emf.map((r) => [r['Report'], r['day'], r['DaySucceeded'] ?? 0, r['DayFailed'] ?? 0])).toEqual([
      ['online_help', '2025-11-22', 1, 0],
      ['calls', '2025-11-22', 0, 1],
      ['online_help', '2025-11-23', 1, 0],
      ['calls', '2025-11-23', 1, 0],
    ]);
    expect(emf.filter((r) => r['Report'] === 'calls' && r['DaySucceeded'] === 1)).toEqual([
      expect.objectContaining({ Rows: callCount('2025-11-23') }),
    ]);
    for (const document of emf) {
      expect(document['service']).toBe('test');
      const [directive] = (document['_aws'] as { CloudWatchMetrics: Record<string, unknown>[] }).CloudWatchMetrics;
      expect(directive?.['Dimensions']).toEqual([['service', 'Report']]);
    }
  });

  it('EXPORT_REPORTS=online_help exports only that report, and an event may not ask for another', async () => {
    const prefix = 'lake/contract-reports';
    const { handler } = lambda({ EXPORT_PREFIX: prefix, EXPORT_REPORTS: 'online_help' });
    sim.resetCounters();
    const configured = await handler({ date: '2025-11-21' });
    expect(reportDays(configured.days)).toEqual([['online_help', '2025-11-21']]);
    // Not even a preflight request to the calls report.
    expect(sim.counters.byReport.calls.requests).toBe(0);
    expect(await s3.keys(`${prefix}/calls/`)).toEqual([]);
    expect(await s3.keys(`${prefix}/_runs/calls/`)).toEqual([]);
    expect(await s3.keys(`${prefix}/online_help/`)).toEqual([partition('2025-11-21', prefix)]);

    // The stack grants this function the online_help table only: calls could only fail at its first write.
    sim.resetCounters();
    await expect(handler({ date: '2025-11-21', reports: ['calls'] })).rejects.toThrow(
      'event.reports: calls is not exported by this function, which exports online_help (EXPORT_REPORTS)',
    );
    expect(sim.counters.requests).toBe(0);
    expect(await s3.keys(`${prefix}/calls/`)).toEqual([]);
  });

  it('an event with "reports" exports only those of the configured reports', async () => {
    const prefix = 'lake/contract-event-reports';
    const { handler } = lambda({ EXPORT_PREFIX: prefix });
    sim.resetCounters();
    const asked = await handler({ date: '2025-11-21', reports: ['calls'] });
    expect(reportDays(asked.days)).toEqual([['calls', '2025-11-21']]);
    expect(sim.counters.byReport.online_help.requests).toBe(0);
    const { start, end } = dayWindow(parseDay('2025-11-21'), ZONE);
    expect(await callRowsOf('2025-11-21', prefix)).toEqual(expectedCallRows(ALL.calls, start, end));
  });

  it('pseudonymizes with the key of EXPORT_PSEUDONYM_KEY_SECRET_ID, read once per container, in both tables', async () => {
    const keySecretId = 'diyalog/export/pseudonym-key';
    const key = 'handler-test-pseudonym-key-0123456789abcdef';
    // As an operator would store it with `echo`: the trailing newline is not part of the key.
    secrets.on(GetSecretValueCommand, { SecretId: keySecretId }).resolves({ SecretString: `${key}\n` });
    const prefix = 'lake/contract-pseudonyms';
    const { handler } = lambda({
      EXPORT_PREFIX: prefix,
      EXPORT_PERSONAL_DATA: 'pseudonymize,agent_id=keep',
      EXPORT_PSEUDONYM_KEY_SECRET_ID: keySecretId,
    });
    const first = await handler({ date: '2025-11-22' });
    await handler({ date: '2025-11-21', reports: ['calls'] });
    expect(secrets.commandCalls(GetSecretValueCommand, { SecretId: keySecretId })).toHaveLength(1);

    const keyId = createHash('sha256').update(key).digest('hex').slice(0, 12);
    expect(first.days.map((d) => (d as { personalData: unknown }).personalData)).toEqual([
      {
        policy: 'pseudonymize,agent_id=keep',
        columns: {
          customer_no: 'pseudonymize',
          customer_name: 'pseudonymize',
          agent_id: 'keep',
          agent_name: 'pseudonymize',
          conversation_detail_link: 'pseudonymize',
        },
        pseudonymKeyId: keyId,
      },
      {
        policy: 'pseudonymize,agent_id=keep',
        columns: {
          initiator_id: 'pseudonymize',
          initiator_name: 'pseudonymize',
          receiver_id: 'pseudonymize',
          receiver_name: 'pseudonymize',
          call_view_url: 'pseudonymize',
        },
        pseudonymKeyId: keyId,
      },
    ]);
    const pseudonym = (value: unknown) =>
      typeof value === 'string' ? createHmac('sha256', key).update(value, 'utf8').digest('hex') : value;
    const concealed = (rows: Record<string, unknown>[], columns: string[]) =>
      rows.map((row) => ({ ...row, ...Object.fromEntries(columns.map((c) => [c, pseudonym(row[c])])) }));
    const { start, end } = dayWindow(parseDay('2025-11-22'), ZONE);
    expect(await rowsOf('2025-11-22', prefix)).toEqual(
      concealed(expectedRows(ALL.sessions, start, end), [
        'customer_no',
        'customer_name',
        'agent_name',
        'conversation_detail_link',
      ]),
    );
    expect(await callRowsOf('2025-11-22', prefix)).toEqual(
      concealed(expectedCallRows(ALL.calls, start, end), [
        'initiator_id',
        'initiator_name',
        'receiver_id',
        'receiver_name',
        'call_view_url',
      ]),
    );
  });

  it('refuses an event naming an unknown report, with the known reports, before any request, writing nothing', async () => {
    const { handler } = lambda({ EXPORT_PREFIX: 'lake/contract-unknown' });
    sim.resetCounters();
    const failure = await failureOf(handler({ date: '2025-11-21', reports: ['nope'] }));
    expect(failure).toBeInstanceOf(ConfigError);
    expect(failure.message).toBe('event.reports: "nope" is not a report; known reports: online_help, calls');
    await expect(handler({ date: '2025-11-21', reports: ['calls', 'nope'] })).rejects.toThrow(
      'event.reports: "nope" is not a report; known reports: online_help, calls',
    );
    await expect(handler({ date: '2025-11-21', reports: [] })).rejects.toThrow(
      'event.reports: names no report; known reports: online_help, calls',
    );
    await expect(handler({ date: '2025-11-21', reports: 'calls' })).rejects.toThrow(
      'event.reports: is not a list of report names',
    );
    expect(sim.counters.requests).toBe(0);
    expect(await s3.keys('lake/contract-unknown/')).toEqual([]);
  });
});
