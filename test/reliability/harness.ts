import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { dayWindow } from '../../functions/export/core/days.js';
import { parseDay, parseTimeZone, type CalendarDay } from '../../functions/contract/calendar.js';
import { createHandler, type HandlerDependencies } from '../../functions/export/handler.js';
import {
  demoCalls,
  generateSessions,
  type RunningSimulator,
  type SimCall,
  type SimSession,
} from '../../functions/demo/index.js';
import { readSessions } from '../support/parquet-reader.js';
import type { LocalS3 } from '../support/s3.js';
import { capturedTelemetry } from '../support/telemetry.js';

export const DAY = parseDay('2025-11-23');
export const ZONE = parseTimeZone('Europe/Istanbul');
export const WINDOW = dayWindow(DAY, ZONE);
/** A recognisable secret: no output of any run may contain it. */
export const CANARY = 'CANARY-s3cr3t-7d41f0a9';
export const KEYS = { accessKeyId: 'AK-reliability', accessKeySecret: CANARY };
export const SECRET_ID = 'diyalog/reliability';

/** A day with same-millisecond groups (up to exactly 20) and sessions on and just beyond both boundaries. */
export function dayOfSessions(seed: number, count = 400): SimSession[] {
  return generateSessions({
    seed,
    from: WINDOW.start,
    to: WINDOW.end,
    count,
    tieGroups: [2, 3, 5, 8, 13, 20],
    boundaryInstants: [WINDOW.start - 1, WINDOW.start, WINDOW.end - 1, WINDOW.end],
    idStart: 2n ** 53n - 1_000n,
  });
}

export function idsOfDay(sessions: readonly SimSession[]): Set<string> {
  return new Set(
    sessions
      .filter((s) => s.helpRequestedAt >= WINDOW.start && s.helpRequestedAt < WINDOW.end)
      .map((s) => s.onlineHelpId.toString()),
  );
}

/** Lost and duplicated sessions of a Parquet file, by id, against the expected ids. */
export async function exactness(
  parquet: Uint8Array | string,
  expected: ReadonlySet<string>,
): Promise<{ exported: number; lost: number; duplicated: number }> {
  let path = parquet;
  if (typeof path !== 'string') {
    path = join(await mkdtemp(join(tmpdir(), 'reliability-')), 'day.parquet');
    await writeFile(path, parquet);
  }
  const ids = (await readSessions(path)).map((row) => String(row['online_help_id']));
  const distinct = new Set(ids);
  return {
    exported: ids.length,
    lost: [...expected].filter((id) => !distinct.has(id)).length,
    duplicated: ids.length - distinct.size + [...distinct].filter((id) => !expected.has(id)).length,
  };
}

export interface LambdaRun {
  readonly handler: ReturnType<typeof createHandler>;
  /** Every line the logger and the metrics wrote. */
  readonly output: string[];
}

/**
 * The real handler wired to the simulator, s3rver and a fake Secrets Manager, with its log and metric output
 * captured. `transport` shortens timeouts and backoff so that fault scenarios run in seconds.
 */
export function lambda(
  sim: RunningSimulator,
  s3: LocalS3,
  options: {
    env?: Record<string, string>;
    /** The API keys' secret value, answered for any secret id not in {@link secrets}. */
    secretString?: string;
    /** Other secrets by id, e.g. the pseudonym key's (`EXPORT_PSEUDONYM_KEY_SECRET_ID`). */
    secrets?: Readonly<Record<string, string>>;
    dependencies?: Partial<HandlerDependencies>;
  } = {},
): LambdaRun {
  const secrets = mockClient(SecretsManagerClient);
  secrets
    .on(GetSecretValueCommand)
    .resolves({ SecretString: options.secretString ?? JSON.stringify({ ...KEYS, requesterUserId: 'reliability' }) });
  for (const [secretId, value] of Object.entries(options.secrets ?? {})) {
    secrets.on(GetSecretValueCommand, { SecretId: secretId }).resolves({ SecretString: value });
  }
  const { logger, metrics, output } = capturedTelemetry('reliability');
  const handler = createHandler({
    env: {
      DIYALOG_API_ENDPOINT: sim.url,
      DIYALOG_SECRET_ID: SECRET_ID,
      EXPORT_BUCKET: s3.bucket,
      EXPORT_PREFIX: 'lake',
      ...s3.env,
      ...options.env,
    },
    secretsClient: new SecretsManagerClient({ region: 'eu-central-1' }),
    logger,
    metrics,
    // Up to 40% of requests fail on purpose here, and about a third of those draws fail a page: 12 attempts make
    // a page that exhausts them (0.31^12, about 1e-6) rarer than any other cause of a failed run. The suite tests
    // exactness under faults, not the giving up, which the client's unit tests cover.
    transport: { timeoutMs: 500, retry: { maxAttempts: 12, baseDelayMs: 5, maxDelayMs: 40, maxRetryAfterMs: 50 } },
    ...options.dependencies,
  });
  return { handler, output };
}

export const partitionKey = (day: CalendarDay = DAY): string => `lake/online_help/dt=${day}/sessions.parquet`;

/** The calls table's object of a day. */
export const callsPartitionKey = (day: CalendarDay = DAY): string => `lake/calls/dt=${day}/calls.parquet`;

/** The calls that go with a day's sessions (see `demoCalls`): all inside the day's window. */
export function callsOfDay(sessions: readonly SimSession[], day: CalendarDay = DAY): SimCall[] {
  const { start, end } = dayWindow(day, ZONE);
  return demoCalls(
    sessions.filter((s) => s.helpRequestedAt >= start && s.helpRequestedAt < end),
    start,
    end,
  );
}
