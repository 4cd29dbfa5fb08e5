import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { ExecutionError, StateMachine, type RunOptions, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { handler as plannerHandler } from '../../functions/backfill/handler.js';
import { parseDay, parseTimeZone } from '../../functions/contract/calendar.js';
import { dayWindow } from '../../functions/export/core/days.js';
import { createHandler } from '../../functions/export/handler.js';
import { generateSessions, startSimulator, type RunningSimulator } from '../../functions/demo/index.js';
import { startLocalS3, type LocalS3 } from '../support/s3.js';
import { FAKE_ENV, stateMachineDefinition } from '../support/state-machine.js';
import { capturedTelemetry } from '../support/telemetry.js';
import { onlyResource, synth } from '../unit/infra/support.js';

/**
 * The backfill state machine's definition, as the stack synthesizes it, executed by aws-local-stepfunctions. Its
 * Lambda tasks run the real code: the planner's handler, and the export function's handler against the Diyalog
 * simulator and s3rver, as test/integration/handler.test.ts runs it.
 */

const KEYS = { accessKeyId: 'AK-backfill', accessKeySecret: 'backfill-secret' };
const SECRET_ID = 'diyalog/export/api-keys';
const ZONE = parseTimeZone('Europe/Istanbul');
/** Both the handler and the simulator take this as now: every day below is over. */
const NOW = Date.parse('2025-11-24T06:00:00Z');
const SESSIONS_PER_DAY = 4;
const FIRST_DAY = Date.parse('2025-09-01');

const dayAt = (index: number): string => new Date(FIRST_DAY + index * 86_400_000).toISOString().slice(0, 10);
const DAYS = Array.from({ length: 40 }, (_, i) => dayAt(i));

let sim: RunningSimulator;
let s3: LocalS3;
let machine: StateMachine;
/** The state machine's ARN, which the export function is given, as the stack builds it from its name. */
let stateMachineArn: string;
const secrets = mockClient(SecretsManagerClient);

beforeAll(async () => {
  const { template } = synth();
  // The local executor validates the definition too, with its own ASL checks.
  const definition: unknown = JSON.parse(JSON.stringify(stateMachineDefinition(template, 'BackfillStateMachine')));
  machine = new StateMachine(definition as StateMachineDefinition);
  const [, properties] = onlyResource(template, 'AWS::StepFunctions::StateMachine', 'BackfillStateMachine');
  const { partition, region, account } = FAKE_ENV;
  stateMachineArn = `arn:${partition}:states:${region}:${account}:stateMachine:${String(properties['StateMachineName'])}`;
  const sessions = DAYS.flatMap((day, i) => {
    const { start, end } = dayWindow(parseDay(day), ZONE);
    return generateSessions({
      seed: 500 + i,
      from: start,
      to: end,
      count: SESSIONS_PER_DAY,
      idStart: 9_000_000_000n + BigInt(i) * 1_000n,
    });
  });
  sim = await startSimulator({ credentials: KEYS, sessions, now: () => NOW });
  s3 = await startLocalS3();
});
afterAll(async () => {
  await sim.stop();
  await s3.stop();
});
beforeEach(() => {
  secrets.reset();
  secrets.on(GetSecretValueCommand, { SecretId: SECRET_ID }).resolves({
    SecretString: JSON.stringify({ ...KEYS, requesterUserId: 'backfill-test' }),
  });
  sim.configure({ signatureVariant: 'newline' });
});

type Json = Parameters<StateMachine['run']>[0];
type Task = (input: Json) => Promise<Json>;

/**
 * A Lambda task as Step Functions sees it: JSON in and out; a thrown error becomes the task's error named by the
 * error's `name` (the Lambda runtime's `errorType`), with the runtime's JSON as the cause.
 */
function lambdaTask(handler: (event: unknown) => Promise<unknown>): Task {
  return async (input) => {
    try {
      return JSON.parse(JSON.stringify(await handler(JSON.parse(JSON.stringify(input))))) as Json;
    } catch (error) {
      const { name, message } = error instanceof Error ? error : new Error(String(error));
      throw Object.assign(new Error(JSON.stringify({ errorType: name, errorMessage: message })), { name });
    }
  };
}

/** The export function with its environment, writing below `prefix`. */
function exportFunction(prefix: string): (event: unknown) => Promise<unknown> {
  const { logger, metrics } = capturedTelemetry('backfill-test');
  return createHandler({
    env: {
      DIYALOG_API_ENDPOINT: sim.url,
      DIYALOG_SECRET_ID: SECRET_ID,
      EXPORT_BUCKET: s3.bucket,
      EXPORT_PREFIX: prefix,
      EXPORT_BACKFILL_STATE_MACHINE_ARN: stateMachineArn,
      ...s3.env,
    },
    now: () => NOW,
    secretsClient: new SecretsManagerClient({ region: 'eu-central-1' }),
    logger,
    metrics,
  });
}

/** What Step Functions' Lambda service answers instead of invoking a function it throttles. */
function throttled(): Error {
  return Object.assign(new Error('Rate Exceeded.'), { name: 'Lambda.TooManyRequestsException' });
}

/** The export function's event for one chunk. */
interface Chunk {
  readonly from: string;
  readonly to: string;
}

function chunkOf(input: Json): Chunk {
  const { from, to } = typeof input === 'object' && input !== null && !Array.isArray(input) ? input : {};
  if (typeof from !== 'string' || typeof to !== 'string') throw new Error(`not a chunk: ${JSON.stringify(input)}`);
  return { from, to };
}

interface Backfill {
  /** The execution's output, if it succeeded. */
  readonly output?: unknown;
  /** The Fail state's error and cause, if it failed. */
  readonly error?: { readonly name: string; readonly cause: string };
  /** Every invocation of the export task, in order, with whether it reached the function. */
  readonly invocations: readonly { readonly event: Json; readonly invoked: boolean }[];
}

interface BackfillOptions {
  readonly prefix: string;
  /** Answers an invocation of the export task instead of the function, e.g. with a throttling error. */
  readonly refuse?: (event: Chunk, attempt: number) => Error | undefined;
  /** Runs before the function for each invocation that reaches it; its returned function after. */
  readonly around?: (event: Chunk) => () => void;
}

/** Runs the state machine locally with `input`: Lambda tasks run the real handlers, retries wait 0 ms. */
async function backfill(input: unknown, options: BackfillOptions): Promise<Backfill> {
  const invocations: { event: Json; invoked: boolean }[] = [];
  const run = lambdaTask(exportFunction(options.prefix));
  const exportChunk: Task = async (input) => {
    const event = chunkOf(input);
    const attempt = invocations.filter((i) => JSON.stringify(i.event) === JSON.stringify(input)).length;
    const refusal = options.refuse?.(event, attempt);
    invocations.push({ event: input, invoked: refusal === undefined });
    if (refusal) throw refusal;
    const after = options.around?.(event);
    try {
      return await run(input);
    } finally {
      after?.();
    }
  };
  const planner = lambdaTask(plannerHandler);
  const runOptions: RunOptions = {
    overrides: {
      taskResourceLocalHandlers: { Plan: planner, ExportChunk: exportChunk, Report: planner },
      retryIntervalOverrides: { Plan: 0, ExportChunk: 0, Report: 0 },
    },
  };
  try {
    const output = await machine.run(input as Json, runOptions).result;
    return { output, invocations };
  } catch (error) {
    if (!(error instanceof ExecutionError) || !(error.cause instanceof Error)) throw error;
    return { error: { name: error.cause.name, cause: error.cause.message }, invocations };
  }
}

/** The days whose partition landed below `prefix`. */
async function landedDays(prefix: string): Promise<string[]> {
  const keys = await s3.keys(`${prefix}/online_help/`);
  return keys.map((key) => /dt=(\d{4}-\d{2}-\d{2})\/sessions\.parquet$/.exec(key)?.[1] ?? key).sort();
}

describe('the backfill state machine, run locally on the real handlers', () => {
  it('takes the command the function names for a range too long for one run, and lands every day of it', async () => {
    const tooLong = await exportFunction('refused')({ from: DAYS[0], to: DAYS[39] }).then(
      () => '',
      (error: unknown) => String(error),
    );
    const command = / aws stepfunctions start-execution --state-machine-arn (\S+) --input '(.+)'$/.exec(tooLong);
    expect(command?.[1]).toBe(stateMachineArn);
    const input: unknown = JSON.parse(command?.[2] ?? 'null');
    expect(input).toEqual({ from: '2025-09-01', to: '2025-10-10' });

    const run = await backfill(input, { prefix: 'forty' });
    expect(run.error).toBeUndefined();
    expect(run.output).toEqual({ chunks: 14, days: 40, failedChunks: 0, failed: [] });
    expect(await landedDays('forty')).toEqual(DAYS.slice(0, 40));
    // Newest first, three days each, the oldest chunk the rest; each exactly the function's event.
    const events = run.invocations.map((i) => i.event);
    expect(events).toHaveLength(14);
    expect(events[0]).toEqual({ from: '2025-10-08', to: '2025-10-10' });
    expect(events[1]).toEqual({ from: '2025-10-05', to: '2025-10-07' });
    expect(events.at(-1)).toEqual({ from: '2025-09-01', to: '2025-09-01' });
  });

  it('retries a throttled invocation, which then lands its chunk', async () => {
    const run = await backfill(
      { from: DAYS[0], to: DAYS[5] },
      { prefix: 'throttled-once', refuse: (_event, attempt) => (attempt === 0 ? throttled() : undefined) },
    );
    expect(run.error).toBeUndefined();
    expect(run.output).toMatchObject({ chunks: 2, failedChunks: 0 });
    expect(run.invocations).toEqual([
      { event: { from: '2025-09-04', to: '2025-09-06' }, invoked: false },
      { event: { from: '2025-09-04', to: '2025-09-06' }, invoked: true },
      { event: { from: '2025-09-01', to: '2025-09-03' }, invoked: false },
      { event: { from: '2025-09-01', to: '2025-09-03' }, invoked: true },
    ]);
    expect(await landedDays('throttled-once')).toEqual(DAYS.slice(0, 6));
  });

  it('records a chunk still throttled after 15 retries as failed, and goes on with the others', async () => {
    const stuck = { from: '2025-09-04', to: '2025-09-06' };
    const run = await backfill(
      { from: DAYS[0], to: DAYS[8] },
      { prefix: 'throttled', refuse: (event) => (event.from === stuck.from ? throttled() : undefined) },
    );
    expect(run.invocations.filter((i) => JSON.stringify(i.event) === JSON.stringify(stuck))).toHaveLength(16);
    expect(run.error?.name).toBe('Backfill.ChunksFailed');
    expect(JSON.parse(run.error?.cause ?? '')).toEqual({
      chunks: 3,
      days: 9,
      failedChunks: 1,
      failed: [{ ...stuck, error: 'Lambda.TooManyRequestsException' }],
      rerun: { ranges: [stuck] },
    });
    expect(await landedDays('throttled')).toEqual([...DAYS.slice(0, 3), ...DAYS.slice(6, 9)]);
  });

  it('records a chunk the function failed (Diyalog refuses the keys throughout it); its re-run input lands it', async () => {
    const broken = { from: '2025-09-04', to: '2025-09-06' };
    const run = await backfill(
      { from: DAYS[0], to: DAYS[8] },
      {
        prefix: 'unauthorized',
        around: (event) => {
          // The server checks the other string-to-sign while this chunk runs: every request gets a 401.
          if (event.from === broken.from) sim.configure({ signatureVariant: 'concat' });
          return () => {
            sim.configure({ signatureVariant: 'newline' });
          };
        },
      },
    );
    // The function's own error is not retried by the state machine: one invocation per chunk.
    expect(run.invocations.map((i) => i.event)).toEqual([
      { from: '2025-09-07', to: '2025-09-09' },
      broken,
      { from: '2025-09-01', to: '2025-09-03' },
    ]);
    expect(run.error?.name).toBe('Backfill.ChunksFailed');
    const cause = JSON.parse(run.error?.cause ?? '') as { rerun: unknown };
    expect(cause).toEqual({
      chunks: 3,
      days: 9,
      failedChunks: 1,
      // The function's preflight, one request before any day, met the 401.
      failed: [{ ...broken, error: 'PreflightError' }],
      rerun: { ranges: [broken] },
    });
    expect(await landedDays('unauthorized')).toEqual([...DAYS.slice(0, 3), ...DAYS.slice(6, 9)]);

    const rerun = await backfill(cause.rerun, { prefix: 'unauthorized' });
    expect(rerun.output).toEqual({ chunks: 1, days: 3, failedChunks: 0, failed: [] });
    expect(rerun.invocations.map((i) => i.event)).toEqual([broken]);
    expect(await landedDays('unauthorized')).toEqual(DAYS.slice(0, 9));
  });

  it('exports only the reports the input names, in every chunk and in the re-run input of a failed one', async () => {
    const broken = { from: '2025-09-01', to: '2025-09-03' };
    const run = await backfill(
      { from: DAYS[0], to: DAYS[5], reports: ['online_help'] },
      { prefix: 'sessions-only', refuse: (event) => (event.from === broken.from ? throttled() : undefined) },
    );
    expect(run.invocations.map((i) => i.event)[0]).toEqual({
      from: '2025-09-04',
      to: '2025-09-06',
      reports: ['online_help'],
    });
    expect(JSON.parse(run.error?.cause ?? '')).toMatchObject({ rerun: { ranges: [broken], reports: ['online_help'] } });
    expect(await landedDays('sessions-only')).toEqual(DAYS.slice(3, 6));
    expect(await s3.keys('sessions-only/calls/')).toEqual([]);
  });

  it.each([
    [{ from: '2025-02-29', to: '2025-03-01' }, 'the input: "from": Invalid day "2025-02-29"'],
    [{ from: '2025-10-10', to: '2025-09-01' }, '"from" 2025-10-10 is after "to" 2025-09-01'],
    [{ from: '2024-01-01', to: '2034-01-01' }, 'spans 3654 days, more than the 3653 (ten years) one backfill takes'],
    [{ from: '2025-09-01', to: '2025-09-02', reports: ['chats'] }, '"reports": "chats" is not a report; known reports'],
    [{ from: '2023-12-01', to: '2024-01-10' }, 'starts at 2023-12-01, before 2024-01-01, the first day'],
    [{ date: '2025-09-01' }, 'has the fields {date}'],
  ])('fails at once for %j, with the reason', async (input, reason) => {
    const run = await backfill(input, { prefix: 'invalid' });
    expect(run.error?.name).toBe('Backfill.InvalidInput');
    expect(run.error?.cause).toContain(reason);
    expect(run.invocations).toEqual([]);
  });
});
