import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../functions/export/cli.js';
import { startSimulator, type RunningSimulator } from '../../functions/demo/index.js';
import { startLocalS3, type LocalS3 } from '../support/s3.js';
import { useTempDirs } from '../support/temp-dir.js';
import { record, writeReportIfAsked } from './figures.js';
import { DAY, dayOfSessions, idsOfDay, KEYS, lambda, partitionKey } from './harness.js';
import { readdir } from 'node:fs/promises';

let sim: RunningSimulator;
let s3: LocalS3;
const tempDir = useTempDirs();
const sessions = dayOfSessions(5, 100);
const expected = idsOfDay(sessions).size;
const CLI_ENV = {
  DIYALOG_ACCESS_KEY_ID: KEYS.accessKeyId,
  DIYALOG_ACCESS_KEY_SECRET: KEYS.accessKeySecret,
  DIYALOG_REQUESTER_USER_ID: 'reliability',
};

beforeAll(async () => {
  sim = await startSimulator({ credentials: KEYS, sessions });
  s3 = await startLocalS3();
});
afterAll(async () => {
  await sim.stop();
  await s3.stop();
  await writeReportIfAsked();
});
beforeEach(() => {
  sim.configure({ clockOffsetMs: 0, signatureVariant: 'newline', faultRate: 0 });
});

/** Asserts a one-line, specific failure with no stack trace, and that the day's partition was not written. */
async function expectFailureWithoutData(error: unknown, mustContain: string, scenario: string): Promise<void> {
  expect(error).toBeInstanceOf(Error);
  const message = error instanceof Error ? error.message : '';
  expect(message).toContain(mustContain);
  expect(message).not.toContain('\n');
  expect(message).not.toMatch(/\bat .+:\d+:\d+/);
  expect(await s3.keys(partitionKey())).toEqual([]);
  record({
    area: 'fail fast (handler)',
    scenario,
    faults: '—',
    expected,
    exported: 0,
    lost: 0,
    duplicated: 0,
    outcome: `threw: "${message.slice(0, 90)}…"`,
  });
}

async function thrown(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the run to fail');
}

describe('the handler fails fast with a reason', () => {
  it('blames the clock when the server is 20 minutes off', async () => {
    sim.configure({ clockOffsetMs: 20 * 60_000 });
    const error = await thrown(lambda(sim, s3).handler({ date: DAY }));
    await expectFailureWithoutData(error, 'clock', 'server clock 20 min ahead');
  });

  it('blames the signature for a wrong secret', async () => {
    const secretString = JSON.stringify({ ...KEYS, accessKeySecret: 'not-the-secret', requesterUserId: 'x' });
    const error = await thrown(lambda(sim, s3, { secretString }).handler({ date: DAY }));
    await expectFailureWithoutData(error, 'signature', 'wrong access key secret');
  });

  it('blames the signature, naming the variant, when the server checks the other variant', async () => {
    sim.configure({ signatureVariant: 'concat' });
    const error = await thrown(lambda(sim, s3).handler({ date: DAY }));
    await expectFailureWithoutData(error, 'DIYALOG_SIGNATURE_VARIANT=concat', 'server checks the concat variant');
  });

  it.each([
    ['{"accessKeyId":"AK"', 'the secret value is not JSON'],
    ['{"accessKeyId":"AK","accessKeySecret":""}', 'lacks a non-empty string accessKeySecret, requesterUserId'],
  ])('names the problem of a malformed secret value %s', async (secretString, problem) => {
    const error = await thrown(lambda(sim, s3, { secretString }).handler({ date: DAY }));
    await expectFailureWithoutData(error, problem, `secret value ${secretString}`);
  });

  it.each([
    [{ DIYALOG_SECRET_ID: '' }, 'DIYALOG_SECRET_ID: is not set'],
    [{ DIYALOG_API_ENDPOINT: 'http://diyalog.example.com' }, 'DIYALOG_API_ENDPOINT: plain http:// is refused'],
    [{ EXPORT_LOOKBACK_DAYS: 'two' }, 'EXPORT_LOOKBACK_DAYS: "two" is not a whole number'],
  ])('names the variable of a bad environment %j', async (env, problem) => {
    const error = await thrown(lambda(sim, s3, { env }).handler({ date: DAY }));
    await expectFailureWithoutData(error, problem, `environment ${JSON.stringify(env)}`);
  });

  it.each([
    [{ date: '2025-13-01' }, 'event.date'],
    [{ from: '2025-11-23' }, 'event: has the fields {from}'],
    ['2025-11-23', 'event: is not a JSON object'],
  ])('refuses the invalid event %j', async (event, problem) => {
    const error = await thrown(lambda(sim, s3).handler(event));
    await expectFailureWithoutData(error, problem, `event ${JSON.stringify(event)}`);
  });

  it('refuses a response body over 5 MB unparsed', async () => {
    sim.injectFaults({ kind: 'status', status: 200, body: `[${'{"x":1},'.repeat(700_000)}{}]` });
    const error = await thrown(lambda(sim, s3).handler({ date: DAY }));
    await expectFailureWithoutData(error, 'larger than 5242880 bytes; refused unparsed', 'response body of 5.6 MB');
  });
});

describe('the CLI fails fast with a reason', () => {
  it.each([
    [['--date', '2025-11-31'], 2, '--date'],
    [['--endpoint', 'http://diyalog.example.com'], 2, 'plain http:// is refused'],
    [['--concurrency', '0'], 2, '--concurrency'],
    [['--unknown'], 2, "Unknown option '--unknown'"],
  ])('%j exits %i', async (args, status, problem) => {
    const root = await tempDir();
    const err: string[] = [];
    const code = await runCli([...args, '--out', root], CLI_ENV, { out: () => undefined, err: (l) => err.push(l) });
    expect(code).toBe(status);
    expect(err[0]).toContain(problem);
    expect(err.join('\n')).not.toMatch(/\bat .+:\d+:\d+/);
    expect(await readdir(root)).toEqual([]);
    record({
      area: 'fail fast (CLI)',
      scenario: args.join(' '),
      faults: '—',
      expected: 0,
      exported: 0,
      lost: 0,
      duplicated: 0,
      outcome: `exit ${code}: "${(err[0] ?? '').slice(0, 80)}"`,
    });
  });

  it('exits 1 blaming the clock', async () => {
    sim.configure({ clockOffsetMs: -30 * 60_000 });
    const root = await tempDir();
    const err: string[] = [];
    const code = await runCli(['--date', DAY, '--endpoint', sim.url, '--out', root], CLI_ENV, {
      out: () => undefined,
      err: (l) => err.push(l),
    });
    expect(code).toBe(1);
    expect(err.join(' ')).toContain('clock');
    expect(await readdir(root)).toEqual([]);
    record({
      area: 'fail fast (CLI)',
      scenario: 'server clock 30 min behind',
      faults: '—',
      expected,
      exported: 0,
      lost: 0,
      duplicated: 0,
      outcome: `exit 1: "${(err[0] ?? '').slice(0, 80)}…"`,
    });
  });
});
