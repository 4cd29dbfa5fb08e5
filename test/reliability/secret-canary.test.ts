import { execFile } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../functions/demo/index.js';
import { startLocalS3, type LocalS3 } from '../support/s3.js';
import { useTempDirs } from '../support/temp-dir.js';
import { record, writeReportIfAsked } from './figures.js';
import { CANARY, DAY, dayOfSessions, KEYS, lambda } from './harness.js';

const run = promisify(execFile);
const tempDir = useTempDirs();
let sim: RunningSimulator;
let s3: LocalS3;

beforeAll(async () => {
  sim = await startSimulator({ credentials: KEYS, sessions: dayOfSessions(41, 150) });
  s3 = await startLocalS3();
});
afterAll(async () => {
  await sim.stop();
  await s3.stop();
  await writeReportIfAsked();
});

/** The canary secret, and any authorization header or signature, must appear nowhere. */
function expectClean(text: string, where: string): void {
  expect(text, where).not.toContain(CANARY);
  expect(text, where).not.toContain('DLGA ');
}

async function allFiles(dir: string): Promise<string> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const texts = await Promise.all(
    entries.filter((e) => e.isFile()).map((e) => readFile(join(e.parentPath, e.name), 'latin1')),
  );
  return texts.join('\n');
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

describe('the secret never leaves the process', () => {
  it.each([
    ['succeeds', {}, 0],
    ['fails: wrong signature variant', { signatureVariant: 'concat' as const }, 1],
    ['fails: server clock off', { clockOffsetMs: 3_600_000 }, 1],
  ])('CLI run that %s: stdout, stderr and written files are clean', async (scenario, settings, expectedCode) => {
    sim.configure({ signatureVariant: 'newline', clockOffsetMs: 0, ...settings });
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
    ['succeeds', {}],
    ['fails: wrong signature variant', { signatureVariant: 'concat' as const }],
    ['fails: 400 echoing the authorization header', {}],
  ])(
    'handler run that %s: logs at every level, metrics, manifests and errors are clean',
    async (scenario, settings) => {
      sim.configure({ signatureVariant: 'newline', clockOffsetMs: 0, ...settings });
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
      const stored = await Promise.all(
        (await s3.keys('lake/_')).map(async (key) => new TextDecoder().decode(await s3.get(key))),
      );
      expectClean(stored.join('\n'), 'manifests and rejects');
      record({
        area: 'secret canary',
        scenario: `handler ${scenario}`,
        faults: scenario.startsWith('fails') ? scenario.slice(7) : 'none',
        expected: 0,
        exported: 0,
        lost: 0,
        duplicated: 0,
        outcome: 'canary absent from logs (DEBUG), EMF, manifests, errors',
      });
    },
  );
});
