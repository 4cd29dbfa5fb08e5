import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator, type SimCall, type SimSession } from '../../functions/demo/index.js';
import { ConfigError } from '../../functions/export/core/errors.js';
import { startLocalS3, type LocalS3 } from '../support/s3.js';
import { startLocalSecretsManager, type LocalSecretsManager } from '../support/secrets-manager.js';
import { useTempDirs } from '../support/temp-dir.js';
import { record, writeReportIfAsked } from './figures.js';
import { CANARY, callsOfDay, DAY, dayOfSessions, KEYS, lambda } from './harness.js';

const run = promisify(execFile);
const tempDir = useTempDirs();
let sim: RunningSimulator;
let s3: LocalS3;
let secretsManager: LocalSecretsManager;

/** A pseudonym key of 42 bytes, recognisable: no output of any run may contain it, nor its hex or base64. */
const KEY_CANARY = 'PSEUDONYM-KEY-CANARY-5e1f9c3b7a2d4e6f8091';
/** A pseudonym key too short to be accepted (21 bytes): refused, and never echoed either. */
const SHORT_KEY_CANARY = 'SHORT-KEY-CANARY-c4n4';
const KEY_SECRET_ID = 'diyalog/reliability/pseudonym-key';
const SHORT_KEY_SECRET_ID = 'diyalog/reliability/short-pseudonym-key';
/** The id manifests name a key by: the first 12 hex digits of its SHA-256. */
const keyId = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 12);

/** Each secret as it could leak: as is, and as the hex and base64 of its UTF-8 bytes. */
const LEAKS = [CANARY, KEY_CANARY, SHORT_KEY_CANARY].flatMap((secret) => {
  const bytes = Buffer.from(secret, 'utf8');
  return [secret, bytes.toString('hex'), bytes.toString('base64'), bytes.toString('base64url')];
});

/** The day's sessions and calls, each with one record that is rejected, so that both rejects files are written. */
const SESSIONS: SimSession[] = dayOfSessions(41, 150).map((s, i) => (i === 7 ? { ...s, waitTime: 12.5 } : s));
const CALLS: SimCall[] = callsOfDay(SESSIONS).map((c, i) =>
  i === 3 ? { ...c, callTime: 'long' as unknown as number } : c,
);

beforeAll(async () => {
  sim = await startSimulator({ credentials: KEYS, sessions: SESSIONS, calls: CALLS });
  s3 = await startLocalS3();
  secretsManager = await startLocalSecretsManager({
    [KEY_SECRET_ID]: KEY_CANARY,
    [SHORT_KEY_SECRET_ID]: SHORT_KEY_CANARY,
  });
});
afterAll(async () => {
  await sim.stop();
  await s3.stop();
  await secretsManager.stop();
  await writeReportIfAsked();
});
beforeEach(() => {
  sim.configure({ signatureVariant: 'newline', clockOffsetMs: 0 });
  sim.resetCounters();
});

/** The canary secrets, and any authorization header or signature, must appear nowhere. */
function expectClean(text: string, where: string): void {
  for (const leak of LEAKS) expect(text, where).not.toContain(leak);
  expect(text, where).not.toContain('DLGA ');
}

/** Every file below `dir`, as Latin-1 text: any byte sequence shows. */
async function allFiles(dir: string): Promise<string> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const texts = await Promise.all(
    entries.filter((e) => e.isFile()).map((e) => readFile(join(e.parentPath, e.name), 'latin1')),
  );
  return texts.join('\n');
}

/** The manifests below an export root, parsed. */
async function manifestsIn(dir: string): Promise<{ report: string; personalData: Record<string, unknown> }[]> {
  const entries = await readdir(join(dir, '_runs'), { recursive: true, withFileTypes: true });
  return Promise.all(
    entries
      .filter((e) => e.isFile() && e.name.endsWith('.json'))
      .map(
        async (e) =>
          JSON.parse(await readFile(join(e.parentPath, e.name), 'utf8')) as {
            report: string;
            personalData: Record<string, unknown>;
          },
      ),
  );
}

async function cliProcess(args: string[], env: Record<string, string>): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'functions/export/cli.ts', ...args], {
      env: { PATH: process.env['PATH'] ?? '', ...env },
    });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

const CLI_ENV = {
  DIYALOG_ACCESS_KEY_ID: KEYS.accessKeyId,
  DIYALOG_ACCESS_KEY_SECRET: CANARY,
  DIYALOG_REQUESTER_USER_ID: 'canary',
};

/** What the CLI's AWS SDK needs to read a secret from the stand-in, and nothing of this machine's AWS setup. */
function secretsManagerEnv(): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.endpoint,
    AWS_REGION: 'eu-central-1',
    AWS_ACCESS_KEY_ID: 'AK-canary-cli',
    AWS_SECRET_ACCESS_KEY: 'canary-cli-aws-secret',
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
  };
}

const SHORT_KEY_PROBLEM =
  'must be a secret of at least 32 bytes (UTF-8), e.g. the 64 hex digits of `openssl rand -hex 32`';

describe('the secret never leaves the process', () => {
  it.each([
    ['succeeds', {}, 0],
    ['fails: wrong signature variant', { signatureVariant: 'concat' as const }, 1],
    ['fails: server clock off', { clockOffsetMs: 3_600_000 }, 1],
  ])('CLI run that %s: stdout, stderr and written files are clean', async (scenario, settings, expectedCode) => {
    sim.configure(settings);
    const root = await tempDir();
    const { code, output } = await cliProcess(['--date', DAY, '--endpoint', sim.url, '--out', root], CLI_ENV);
    expect(code).toBe(expectedCode);
    expectClean(output, 'CLI output');
    expectClean(await allFiles(root), 'export root');
    record({
      area: 'secret canary',
      scenario: `CLI (child process) ${scenario}`,
      faults: scenario.startsWith('fails') ? scenario.slice(7) : 'none',
      expected: 0,
      exported: 0,
      lost: 0,
      duplicated: 0,
      outcome: 'canary absent from stdout, stderr, manifests, rejects, Parquet',
    });
  });

  it.each([
    ['handler run that succeeds', {}],
    ['handler run that fails: wrong signature variant', { signatureVariant: 'concat' as const }],
    ['handler run that fails: 400 echoing the authorization header', {}],
  ])('%s: logs at every level, metrics, manifests and errors are clean', async (scenario, settings) => {
    sim.configure(settings);
    if (scenario.includes('echoing')) {
      sim.injectFaults({ kind: 'status', status: 400, body: `bad request; you sent secret ${CANARY}` });
    }
    const { handler, output } = lambda(sim, s3, { env: { POWERTOOLS_LOG_LEVEL: 'DEBUG' } });
    const outcome = await handler({ date: DAY }).then(
      (result) => JSON.stringify(result),
      (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message} ${JSON.stringify(error)}` : ''),
    );
    expectClean(outcome, 'result or error');
    expectClean(output.join('\n'), 'logs and metrics');
    expectClean(await storedObjects(), 'every object in the store');
    record({
      area: 'secret canary',
      scenario: scenario.replace('handler run that ', 'handler '),
      faults: scenario.includes('fails') ? scenario.slice(scenario.indexOf('fails: ') + 7) : 'none',
      expected: 0,
      exported: 0,
      lost: 0,
      duplicated: 0,
      outcome: 'canary absent from logs (DEBUG), EMF, manifests, errors',
    });
  });
});

/** Every object below the handler's export root, as Latin-1 text: manifests, rejects and Parquet alike. */
async function storedObjects(): Promise<string> {
  const keys = await s3.keys('lake/');
  const texts = await Promise.all(keys.map(async (key) => Buffer.from(await s3.get(key)).toString('latin1')));
  return texts.join('\n');
}

describe('the pseudonym key never leaves the process either', () => {
  it.each([
    ['EXPORT_PSEUDONYM_KEY', 'succeeds', { EXPORT_PSEUDONYM_KEY: KEY_CANARY }, [], {}, 0],
    [
      'EXPORT_PSEUDONYM_KEY',
      'fails: wrong signature variant',
      { EXPORT_PSEUDONYM_KEY: KEY_CANARY },
      [],
      { signatureVariant: 'concat' as const },
      1,
    ],
    [
      'a Secrets Manager secret (--pseudonym-key-secret-id)',
      'succeeds',
      secretsManagerEnv,
      ['--pseudonym-key-secret-id', KEY_SECRET_ID],
      {},
      0,
    ],
    [
      'the secret the flag names, over a (short) EXPORT_PSEUDONYM_KEY',
      'succeeds',
      () => ({ ...secretsManagerEnv(), EXPORT_PSEUDONYM_KEY: SHORT_KEY_CANARY }),
      ['--pseudonym-key-secret-id', KEY_SECRET_ID],
      {},
      0,
    ],
  ])(
    'CLI run pseudonymizing with the key from %s that %s: stdout, stderr and written files are clean',
    async (source, scenario, env, args, settings, expectedCode) => {
      sim.configure(settings);
      const root = await tempDir();
      const { code, output } = await cliProcess(
        ['--date', DAY, '--endpoint', sim.url, '--out', root, '--personal-data', 'pseudonymize', ...args],
        { ...CLI_ENV, ...(typeof env === 'function' ? env() : env) },
      );
      expect(code, output).toBe(expectedCode);
      expectClean(output, 'CLI output');
      expectClean(await allFiles(root), 'export root');
      if (expectedCode === 0) {
        // The key was read and used: both reports' manifests name it, and both rejects files were written.
        const manifests = await manifestsIn(root);
        expect(manifests.map((m) => [m.report, m.personalData['policy'], m.personalData['pseudonymKeyId']])).toEqual(
          expect.arrayContaining([
            ['online_help', 'pseudonymize', keyId(KEY_CANARY)],
            ['calls', 'pseudonymize', keyId(KEY_CANARY)],
          ]),
        );
        for (const report of ['online_help', 'calls']) {
          expect((await readdir(join(root, '_rejects', report, `dt=${DAY}`))).sort()).toEqual(['rejects.jsonl']);
        }
      }
      record({
        area: 'secret canary',
        scenario: `CLI (child process) pseudonymizing, key from ${source}, ${scenario}`,
        faults: scenario.startsWith('fails') ? scenario.slice(7) : 'none',
        expected: 0,
        exported: 0,
        lost: 0,
        duplicated: 0,
        outcome: 'pseudonym key (as is, hex, base64) absent from stdout, stderr, manifests, rejects, Parquet',
      });
    },
  );

  it.each([
    ['EXPORT_PSEUDONYM_KEY', () => ({ EXPORT_PSEUDONYM_KEY: SHORT_KEY_CANARY }), [], 'EXPORT_PSEUDONYM_KEY'],
    [
      'a Secrets Manager secret (--pseudonym-key-secret-id)',
      secretsManagerEnv,
      ['--pseudonym-key-secret-id', SHORT_KEY_SECRET_ID],
      SHORT_KEY_SECRET_ID,
    ],
  ])(
    'CLI refuses a short pseudonym key from %s, without echoing it, before any request',
    async (source, env, args, setting) => {
      const root = await tempDir();
      const { code, output } = await cliProcess(
        ['--date', DAY, '--endpoint', sim.url, '--out', root, '--personal-data', 'pseudonymize', ...args],
        { ...CLI_ENV, ...env() },
      );
      expect(code, output).toBe(2);
      expect(output).toContain(`diyalog-export: ${setting}: ${SHORT_KEY_PROBLEM}`);
      expectClean(output, 'CLI output');
      expect(await readdir(root)).toEqual([]);
      expect(sim.counters.requests).toBe(0);
      record({
        area: 'secret canary',
        scenario: `CLI (child process) refuses a short pseudonym key from ${source}`,
        faults: 'pseudonym key of 21 bytes',
        expected: 0,
        exported: 0,
        lost: 0,
        duplicated: 0,
        outcome: 'exit 2 before any request, nothing written; the key appears nowhere',
      });
    },
  );

  it.each([
    ['succeeds', {}],
    ['fails: wrong signature variant', { signatureVariant: 'concat' as const }],
  ])(
    'handler run pseudonymizing with the key from its secret that %s: logs, metrics, errors and objects are clean',
    async (scenario, settings) => {
      sim.configure(settings);
      const { handler, output } = lambda(sim, s3, {
        env: {
          POWERTOOLS_LOG_LEVEL: 'DEBUG',
          EXPORT_PREFIX: 'lake/pseudonymized',
          EXPORT_PERSONAL_DATA: 'pseudonymize',
          EXPORT_PSEUDONYM_KEY_SECRET_ID: KEY_SECRET_ID,
        },
        secrets: { [KEY_SECRET_ID]: KEY_CANARY },
      });
      const outcome = await handler({ date: DAY }).then(
        (result) => JSON.stringify(result),
        (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message} ${JSON.stringify(error)}` : ''),
      );
      expectClean(outcome, 'result or error');
      expectClean(output.join('\n'), 'logs and metrics');
      expectClean(await storedObjects(), 'every object in the store');
      if (scenario === 'succeeds') {
        // The key came from its secret: both reports' manifests name it, and both rejects files were written.
        const result = JSON.parse(outcome) as { days: { report: string; personalData: Record<string, unknown> }[] };
        expect(result.days.map((d) => [d.report, d.personalData['policy'], d.personalData['pseudonymKeyId']])).toEqual([
          ['online_help', 'pseudonymize', keyId(KEY_CANARY)],
          ['calls', 'pseudonymize', keyId(KEY_CANARY)],
        ]);
        expect(await s3.keys('lake/pseudonymized/_rejects/')).toEqual([
          `lake/pseudonymized/_rejects/calls/dt=${DAY}/rejects.jsonl`,
          `lake/pseudonymized/_rejects/online_help/dt=${DAY}/rejects.jsonl`,
        ]);
      }
      record({
        area: 'secret canary',
        scenario: `handler pseudonymizing, key from its secret, ${scenario}`,
        faults: scenario.startsWith('fails') ? scenario.slice(7) : 'none',
        expected: 0,
        exported: 0,
        lost: 0,
        duplicated: 0,
        outcome: 'pseudonym key (as is, hex, base64) absent from logs (DEBUG), EMF, errors, every object',
      });
    },
  );

  it('the handler refuses a short pseudonym key from its secret, without echoing it, before any request', async () => {
    const before = await s3.keys();
    const { handler, output } = lambda(sim, s3, {
      env: {
        POWERTOOLS_LOG_LEVEL: 'DEBUG',
        EXPORT_PREFIX: 'lake/short-key',
        EXPORT_PERSONAL_DATA: 'pseudonymize',
        EXPORT_PSEUDONYM_KEY_SECRET_ID: KEY_SECRET_ID,
      },
      secrets: { [KEY_SECRET_ID]: SHORT_KEY_CANARY },
    });
    const failure = await handler({ date: DAY }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ConfigError);
    const error = failure as ConfigError;
    expect(error.message).toBe(`${KEY_SECRET_ID}: ${SHORT_KEY_PROBLEM}`);
    expectClean(`${error.name}: ${error.message} ${JSON.stringify(error)} ${String(error.stack)}`, 'error');
    expectClean(output.join('\n'), 'logs and metrics');
    expect(sim.counters.requests).toBe(0);
    expect(await s3.keys()).toEqual(before);
    record({
      area: 'secret canary',
      scenario: 'handler refuses a short pseudonym key from its secret',
      faults: 'pseudonym key of 21 bytes',
      expected: 0,
      exported: 0,
      lost: 0,
      duplicated: 0,
      outcome: 'ConfigError before any request, nothing written; the key appears nowhere',
    });
  });
});
