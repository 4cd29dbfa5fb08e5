import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseDay, parseTimeZone } from '../../functions/contract/calendar.js';
import { dayWindow } from '../../functions/export/core/days.js';
import { demoCalls, generateSessions, startSimulator, type RunningSimulator } from '../../functions/demo/index.js';
import { expectedCallRows, expectedRows } from '../support/expected-rows.js';
import { LAMBDA_NODE_MAJOR, lambdaNode } from '../support/lambda-node.js';
import {
  RUNTIME_SCOPES,
  invokeInNewProcess,
  layOutLikeLambda,
  type Invocations,
  type LambdaSandbox,
} from '../support/lambda-runtime.js';
import { readCalls, readSessions } from '../support/parquet-reader.js';
import { startLocalS3, type LocalS3 } from '../support/s3.js';
import { startLocalSecretsManager, type LocalSecretsManager } from '../support/secrets-manager.js';
import { resolveTokens } from '../support/state-machine.js';
import { onlyResource, synth } from '../unit/infra/support.js';

const KEYS = { accessKeyId: 'AK-bundle', accessKeySecret: 'bundle-secret-canary-2718' };
const SECRET_ID = 'diyalog/export/api-keys';
const REGION = 'eu-central-1';
const ZONE = parseTimeZone('Europe/Istanbul');
// Cold: the schedule fires at 01:30 Istanbul time on 2025-11-24, so yesterday is 2025-11-23, plus the lookback
// day of cdk.json (1). Warm: an operator's re-run of one day.
const COLD_EVENT = { scheduledTime: '2025-11-23T22:30:00Z' };
const COLD_DAYS = ['2025-11-23', '2025-11-22'];
const WARM_EVENT = { date: '2025-11-20' };
const DAYS = ['2025-11-20', '2025-11-21', '2025-11-22', '2025-11-23'];
/** Each day: 45 sessions, and the demo calls that go with them. */
const DATA = DAYS.map((day, i) => {
  const { start, end } = dayWindow(parseDay(day), ZONE);
  const sessions = generateSessions({
    seed: 300 + i,
    from: start,
    to: end,
    count: 45,
    idStart: 9_000_000_000n + BigInt(i) * 1000n,
  });
  return { sessions, calls: demoCalls(sessions, start, end) };
});
const ALL = DATA.flatMap((day) => day.sessions);
const CALLS = DATA.flatMap((day) => day.calls);
const callCount = (day: string): number => DATA[DAYS.indexOf(day)]?.calls.length ?? 0;

let root: string;
let sandbox: LambdaSandbox;
let sim: RunningSimulator;
let s3: LocalS3;
let secrets: LocalSecretsManager;
let prefix: string;
let run: Invocations;

/** The function's resource as synthesized, with the asset built as `cdk synth` builds it. */
interface FunctionResource {
  readonly Code: { S3Key: string };
  readonly Timeout: number;
  readonly MemorySize: number;
  readonly Environment: { Variables: Record<string, unknown> };
}

beforeAll(async () => {
  // Below the system's temporary folder, far from this project's node_modules.
  root = await mkdtemp(join(tmpdir(), 'lambda-bundle-'));
  const outdir = join(root, 'cdk.out');
  const { template } = synth({}, { bundling: true, outdir });
  const fn = onlyResource(template, 'AWS::Lambda::Function', 'ExportFunction')[1] as unknown as FunctionResource;
  sandbox = layOutLikeLambda(join(outdir, `asset.${fn.Code.S3Key.replace(/\.zip$/, '')}`), root);

  sim = await startSimulator({ credentials: KEYS, sessions: ALL, calls: CALLS });
  s3 = await startLocalS3();
  secrets = await startLocalSecretsManager({ [SECRET_ID]: JSON.stringify({ ...KEYS, requesterUserId: 'bundle' }) });

  // The function's own environment; the variables that name stack resources point at the local peers instead.
  const local: Record<string, string> = {
    DIYALOG_API_ENDPOINT: sim.url,
    DIYALOG_SECRET_ID: SECRET_ID,
    EXPORT_BUCKET: s3.bucket,
    // Built from the stack's account and region: resolved with stand-ins, it must pass the runtime's validator.
    EXPORT_BACKFILL_STATE_MACHINE_ARN: resolveTokens(fn.Environment.Variables['EXPORT_BACKFILL_STATE_MACHINE_ARN']),
  };
  const variables = Object.fromEntries(
    Object.entries(fn.Environment.Variables).map(([name, value]) => [name, local[name] ?? value]),
  );
  for (const [name, value] of Object.entries(variables)) {
    if (typeof value !== 'string') throw new Error(`${name}: a token this test does not replace`);
  }
  prefix = String(variables['EXPORT_PREFIX']);
  const node = lambdaNode();
  run = await invokeInNewProcess(sandbox, {
    node,
    env: {
      ...(variables as Record<string, string>),
      // What Lambda's Node.js runtime sets.
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: REGION,
      AWS_EXECUTION_ENV: `AWS_Lambda_nodejs${LAMBDA_NODE_MAJOR}.x`,
      AWS_LAMBDA_FUNCTION_NAME: 'DiyalogExport-ExportFunction',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.MemorySize),
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/DiyalogExport-ExportFunction',
      AWS_LAMBDA_LOG_STREAM_NAME: '2025/11/24/[$LATEST]0123456789abcdef',
      LAMBDA_TASK_ROOT: sandbox.task,
      LAMBDA_RUNTIME_DIR: dirname(sandbox.invoker),
      LANG: 'en_US.UTF-8',
      TZ: ':UTC',
      PATH: `${dirname(node)}:/usr/local/bin:/usr/bin:/bin`,
      // No AWS configuration of this machine's user: credentials as the execution role's would come.
      HOME: root,
      AWS_CONFIG_FILE: join(root, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(root, 'no-aws-credentials'),
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      // The local peers instead of AWS.
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
    },
    events: [COLD_EVENT, WARM_EVENT],
    timeoutSeconds: fn.Timeout,
    killAfterMs: 120_000,
  });
}, 300_000);

afterAll(async () => {
  await Promise.all([sim.stop(), s3.stop(), secrets.stop()]);
  await rm(root, { recursive: true, force: true });
});

async function rowsOf(day: string): Promise<Record<string, unknown>[]> {
  const file = join(root, `${day}.parquet`);
  await writeFile(file, await s3.get(`${prefix}/online_help/dt=${day}/sessions.parquet`));
  return readSessions(file);
}

async function callRowsOf(day: string): Promise<Record<string, unknown>[]> {
  const file = join(root, `${day}.calls.parquet`);
  await writeFile(file, await s3.get(`${prefix}/calls/dt=${day}/calls.parquet`));
  return readCalls(file);
}

describe('the synthesized bundle, loaded as Lambda loads it, invoked cold and warm', () => {
  test(`runs on Node.js ${LAMBDA_NODE_MAJOR}, the function's runtime`, () => {
    expect(run.nodeVersion).toMatch(new RegExp(`^v${LAMBDA_NODE_MAJOR}\\.`));
  });

  test('loads, and both invocations succeed', () => {
    expect(run.loadError).toBeUndefined();
    expect(run.results.map((result) => result.ok)).toEqual([true, true]);
    expect(run.exitCode).toBe(0);
  });

  test('prints no warning: nothing at all on stderr', () => {
    expect(run.stderr).toBe('');
  });

  test('imports nothing from outside the asset but built-ins and the AWS SDK the runtime provides', () => {
    const task = `${pathToFileURL(sandbox.task).href}/`;
    const fromAsset = run.resolutions.filter((r) => r.parent?.startsWith(task) === true);
    const allowed = (r: (typeof fromAsset)[number]): boolean =>
      r.url !== undefined &&
      (r.url.startsWith('node:') ||
        r.url.startsWith(task) ||
        RUNTIME_SCOPES.some((scope) => r.specifier.startsWith(`${scope}/`)));
    expect(fromAsset.filter((r) => !allowed(r))).toEqual([]);
    // The hook saw the bundle's imports: the SDK from the runtime's folder, parquetjs-lite from the asset's own.
    const specifiers = new Map(fromAsset.map((r) => [r.specifier, r.url]));
    expect(specifiers.get('@aws-sdk/client-s3')).toMatch(/\/node_modules\/@aws-sdk\/client-s3\//);
    expect(specifiers.get('@aws-sdk/client-secrets-manager')).toMatch(/\/@aws-sdk\/client-secrets-manager\//);
    expect(specifiers.get('parquetjs-lite')).toMatch(new RegExp(`^${task}node_modules/parquetjs-lite/`));
  });

  test('the scheduled event exports yesterday and the lookback day, the {"date"} event its day, each for both reports', () => {
    const days = run.results.map((result) =>
      result.ok ? (result.value as { days: { report: string; day: string; rows: number }[] }).days : [],
    );
    const bothReports = (list: readonly string[]) =>
      list.flatMap((day) => [
        ['online_help', day, 45],
        ['calls', day, callCount(day)],
      ]);
    expect(days.map((list) => list.map((d) => [d.report, d.day, d.rows]))).toEqual([
      bothReports(COLD_DAYS),
      bothReports([WARM_EVENT.date]),
    ]);
    expect([...COLD_DAYS, WARM_EVENT.date].every((day) => callCount(day) > 100)).toBe(true);
  });

  test('each partition holds exactly that day’s sessions or calls, as DuckDB reads them; no other partition exists', async () => {
    const landed = [...COLD_DAYS, WARM_EVENT.date].sort();
    expect(await s3.keys(`${prefix}/online_help/`)).toEqual(
      landed.map((day) => `${prefix}/online_help/dt=${day}/sessions.parquet`),
    );
    expect(await s3.keys(`${prefix}/calls/`)).toEqual(landed.map((day) => `${prefix}/calls/dt=${day}/calls.parquet`));
    for (const day of landed) {
      const { start, end } = dayWindow(parseDay(day), ZONE);
      expect(await rowsOf(day)).toEqual(expectedRows(ALL, start, end));
      expect(await callRowsOf(day)).toEqual(expectedCallRows(CALLS, start, end));
    }
  });

  test('reads the keys once, signed by the SDK: the warm invocation reuses them', () => {
    expect(secrets.requests).toEqual([
      { target: 'secretsmanager.GetSecretValue', secretId: SECRET_ID, accessKeyId: 'S3RVER' },
    ]);
  });

  test('logs one JSON object a line, two finished runs, and never the secret', () => {
    const lines = run.stdout.split('\n').filter((line) => line !== '');
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.filter((r) => r['message'] === 'export finished')).toHaveLength(2);
    // One log record and one EMF document per report-day, the document with the report as a dimension.
    const exported = records.filter((r) => r['message'] === 'report-day exported');
    expect(exported.map((r) => [r['report'], r['day']])).toEqual(
      [...COLD_DAYS, WARM_EVENT.date].flatMap((day) => [
        ['online_help', day],
        ['calls', day],
      ]),
    );
    const emf = records.filter((r) => '_aws' in r);
    expect(emf.map((r) => [r['Report'], r['day'], r['DaySucceeded']])).toEqual(
      [...COLD_DAYS, WARM_EVENT.date].flatMap((day) => [
        ['online_help', day, 1],
        ['calls', day, 1],
      ]),
    );
    expect(run.stdout + run.stderr).not.toContain(KEYS.accessKeySecret);
  });
});
