import { readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../functions/export/cli.js';
import { dayWindow } from '../../functions/export/core/days.js';
import { parseDay, parseTimeZone } from '../../functions/contract/calendar.js';
import {
  generateSessions,
  startSimulator,
  type RunningSimulator,
  type SimSession,
} from '../../functions/demo/index.js';
import { expectedRows } from '../support/expected-rows.js';
import { duckdb, readSessions } from '../support/parquet-reader.js';
import { startLocalS3 } from '../support/s3.js';
import { useTempDirs } from '../support/temp-dir.js';

const KEYS = { accessKeyId: 'AK-cli', accessKeySecret: 'cli-secret-canary-2718' };
const ENV = {
  DIYALOG_ACCESS_KEY_ID: KEYS.accessKeyId,
  DIYALOG_ACCESS_KEY_SECRET: KEYS.accessKeySecret,
  DIYALOG_REQUESTER_USER_ID: 'cli-test',
};

let sim: RunningSimulator;
const tempDir = useTempDirs();

beforeAll(async () => {
  sim = await startSimulator({ credentials: KEYS });
});
afterAll(async () => {
  await sim.stop();
});

/** Sessions around one day of a zone: inside, on both boundary instants, and just outside. */
function sessionsAround(
  day: string,
  zone: string,
  seed: number,
): { sessions: SimSession[]; start: number; end: number } {
  const { start, end } = dayWindow(parseDay(day), parseTimeZone(zone));
  const sessions = generateSessions({
    seed,
    from: start,
    to: end,
    count: 150,
    tieGroups: [4, 20],
    boundaryInstants: [start - 1, start, end - 1, end],
    idStart: 9_007_199_254_740_000n,
  });
  return { sessions, start, end };
}

async function cli(
  args: string[],
  env: Record<string, string> = ENV,
): Promise<{ status: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const status = await runCli(args, env, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { status, out: out.join('\n'), err: err.join('\n') };
}

function partitionFile(root: string, day: string): string {
  return join(root, 'online_help', `dt=${day}`, 'sessions.parquet');
}

describe('CLI export against the simulator', () => {
  it.each([
    ['2025-11-23', 'Europe/Istanbul', 24],
    ['2025-03-09', 'America/New_York', 23],
    ['2025-11-02', 'America/New_York', 25],
    ['2025-03-30', 'UTC', 24],
    ['2015-03-29', 'Europe/Istanbul', 23],
  ])('exports %s in %s (%i h) with exact rows, read back by DuckDB', async (day, zone, hours) => {
    const { sessions, start, end } = sessionsAround(day, zone, 7);
    expect(end - start).toBe(hours * 3_600_000);
    sim.setSessions(sessions);
    const root = await tempDir();
    const result = await cli(['--date', day, '--timezone', zone, '--endpoint', sim.url, '--out', root]);
    expect(result.err).toBe('');
    expect(result.status).toBe(0);
    const rows = await readSessions(partitionFile(root, day));
    expect(rows).toEqual(expectedRows(sessions, start, end));
    expect(rows).toHaveLength(150 + 4 + 20 + 2);
    expect(result.out).toMatch(new RegExp(`^${day}  ok  176 sessions  \\d+ pages`, 'm'));
  });

  it('writes the contract schema: Athena types, required columns, no dt column, SNAPPY', async () => {
    const { sessions } = sessionsAround('2025-11-23', 'Europe/Istanbul', 8);
    sim.setSessions(sessions);
    const root = await tempDir();
    expect((await cli(['--date', '2025-11-23', '--endpoint', sim.url, '--out', root])).status).toBe(0);
    const file = partitionFile(root, '2025-11-23');
    const schema = await duckdb(
      `SELECT name, type, converted_type, repetition_type FROM parquet_schema('${file}') WHERE type IS NOT NULL`,
    );
    expect(schema.map((c) => [c['name'], c['type'], c['converted_type'], c['repetition_type']])).toEqual([
      ['online_help_id', 'INT64', null, 'REQUIRED'],
      ['customer_no', 'BYTE_ARRAY', 'UTF8', 'OPTIONAL'],
      ['customer_name', 'BYTE_ARRAY', 'UTF8', 'OPTIONAL'],
      ['agent_id', 'BYTE_ARRAY', 'UTF8', 'OPTIONAL'],
      ['agent_name', 'BYTE_ARRAY', 'UTF8', 'OPTIONAL'],
      ['help_state', 'BYTE_ARRAY', 'UTF8', 'OPTIONAL'],
      ['help_requested_at', 'INT64', 'TIMESTAMP_MILLIS', 'REQUIRED'],
      ['help_started_at', 'INT64', 'TIMESTAMP_MILLIS', 'OPTIONAL'],
      ['help_ended_at', 'INT64', 'TIMESTAMP_MILLIS', 'OPTIONAL'],
      ['wait_time_seconds', 'INT32', null, 'OPTIONAL'],
      ['help_time_seconds', 'INT32', null, 'OPTIONAL'],
      ['conversation_detail_link', 'BYTE_ARRAY', 'UTF8', 'OPTIONAL'],
    ]);
    const codecs = await duckdb(`SELECT DISTINCT compression FROM parquet_metadata('${file}')`);
    expect(codecs).toEqual([{ compression: 'SNAPPY' }]);
  });

  it('replaces the partition on re-export: one object, stale files removed, identical bytes', async () => {
    const { sessions } = sessionsAround('2025-11-23', 'Europe/Istanbul', 9);
    sim.setSessions(sessions);
    const root = await tempDir();
    const args = ['--date', '2025-11-23', '--endpoint', sim.url, '--out', root];
    expect((await cli(args)).status).toBe(0);
    const first = await readFile(partitionFile(root, '2025-11-23'));
    const partition = join(root, 'online_help', 'dt=2025-11-23');
    await writeFile(join(partition, 'part-from-an-older-version.parquet'), 'stale');
    expect((await cli(args)).status).toBe(0);
    expect(await readdir(partition)).toEqual(['sessions.parquet']);
    expect(await readFile(partitionFile(root, '2025-11-23'))).toEqual(first);
    const manifests = await readdir(join(root, '_runs', 'dt=2025-11-23'));
    expect(manifests).toHaveLength(2);
  });

  it('exports an empty day as a readable 0-row partition whose manifest says 0', async () => {
    sim.setSessions([]);
    const root = await tempDir();
    const result = await cli(['--date', '2025-11-23', '--endpoint', sim.url, '--out', root]);
    expect(result.status).toBe(0);
    expect(await readSessions(partitionFile(root, '2025-11-23'))).toEqual([]);
    const [manifestName] = await readdir(join(root, '_runs', 'dt=2025-11-23'));
    const manifest: unknown = JSON.parse(
      await readFile(join(root, '_runs', 'dt=2025-11-23', manifestName ?? ''), 'utf8'),
    );
    expect(manifest).toMatchObject({ day: '2025-11-23', sessions: 0, rejected: 0 });
  });

  it('exports each day of --from/--to into its own partition', async () => {
    const days = ['2025-11-20', '2025-11-21', '2025-11-22'];
    const all = days.flatMap((day, i) =>
      sessionsAround(day, 'Europe/Istanbul', 20 + i).sessions.map((s) => ({
        ...s,
        onlineHelpId: s.onlineHelpId + BigInt(i) * 1_000_000n,
      })),
    );
    sim.setSessions(all);
    const root = await tempDir();
    const result = await cli(['--from', days[0] ?? '', '--to', days[2] ?? '', '--endpoint', sim.url, '--out', root]);
    expect(result.status).toBe(0);
    expect((await readdir(join(root, 'online_help'))).sort()).toEqual(days.map((d) => `dt=${d}`));
    const counts = await duckdb(
      `SELECT dt::VARCHAR AS dt, count(*)::INTEGER AS n FROM read_parquet('${root}/online_help/*/*.parquet', hive_partitioning = true) GROUP BY dt ORDER BY dt`,
    );
    const expected = days.map((dt) => {
      const { start, end } = dayWindow(parseDay(dt), parseTimeZone('Europe/Istanbul'));
      return { dt, n: expectedRows(all, start, end).length };
    });
    expect(counts).toEqual(expected);
    expect(result.out).toContain('3 of 3 day(s) exported');
  });

  it('keeps the tables free of anything but Parquet: manifests and rejects live beside it', async () => {
    const { sessions } = sessionsAround('2025-11-23', 'Europe/Istanbul', 10);
    sim.setSessions(sessions);
    const root = await tempDir();
    await mkdir(root, { recursive: true });
    expect((await cli(['--date', '2025-11-23', '--endpoint', sim.url, '--out', root])).status).toBe(0);
    expect((await readdir(root)).sort()).toEqual(['_runs', 'online_help']);
  });
});

describe('CLI failures: one line, a non-zero exit, no Parquet', () => {
  it.each([
    [['--date', '2025-02-30'], '--date'],
    [['--date', '2025-11-23', '--from', '2025-11-20', '--to', '2025-11-21'], '--date: cannot be combined'],
    [['--from', '2025-11-20'], '--to: is missing'],
    [['--from', '2015-01-01', '--to', '2025-11-20'], 'more than the limit of 3653'],
    [['--bogus'], "Unknown option '--bogus'"],
    [['--timezone', 'Mars/Olympus'], '--timezone'],
    [['--concurrency', '99'], '--concurrency: "99" is not a whole number from 1 to 16'],
    [['--endpoint', 'http://10.0.0.5:8080'], '--endpoint: plain http:// is refused'],
    [['--out', 's3://'], '--out'],
  ])('%j exits 2 naming the problem', async (args, problem) => {
    const root = await tempDir();
    const result = await cli([...args, ...(args.includes('--out') ? [] : ['--out', root])]);
    expect(result.status).toBe(2);
    expect(result.err.split('\n')[0]).toContain(problem);
    expect(result.err).not.toMatch(/\n\s+at /);
    expect(await readdir(root)).toEqual([]);
  });

  it('names the missing key variables', async () => {
    const root = await tempDir();
    const result = await cli(['--endpoint', sim.url, '--out', root], { DIYALOG_ACCESS_KEY_ID: 'AK' });
    expect(result.status).toBe(2);
    expect(result.err).toContain('DIYALOG_ACCESS_KEY_SECRET, DIYALOG_REQUESTER_USER_ID');
  });

  it('exits 1 at the preflight with a signature message and writes nothing when the server rejects the keys', async () => {
    sim.setSessions(sessionsAround('2025-11-23', 'Europe/Istanbul', 11).sessions);
    const root = await tempDir();
    const result = await cli(['--date', '2025-11-23', '--endpoint', sim.url, '--out', root], {
      ...ENV,
      DIYALOG_ACCESS_KEY_SECRET: 'wrong-secret',
    });
    expect(result.status).toBe(1);
    expect(result.err).toContain('signature');
    expect(result.err).not.toContain('wrong-secret');
    expect(result.err).toMatch(/^diyalog-export: preflight failed, a first request to Diyalog .*signature/);
    expect(result.out).not.toContain('2025-11-23');
    expect(await readdir(root)).toEqual([]);
  });

  it('prints usage for --help', async () => {
    const result = await cli(['--help']);
    expect(result.status).toBe(0);
    expect(result.out).toContain('Usage: diyalog-export');
  });
});

describe('CLI demo and S3 output', () => {
  it('runs the demo from the built-in simulator', async () => {
    const root = await tempDir();
    const result = await cli(['--demo', '--date', '2025-11-23', '--out', root], {});
    expect(result.status).toBe(0);
    expect(result.out).toContain('built-in simulator');
    expect(await readSessions(partitionFile(root, '2025-11-23'))).toHaveLength(312);
    // It ends by reading the export back and naming the next command.
    expect(result.out).toMatch(/^ 2025-11-23 \|\s+312 \|/m);
    expect(result.out).toContain('npm run query -- "SELECT help_state');
  });

  it('exports to an S3-compatible store given by AWS_ENDPOINT_URL_S3', async () => {
    const s3 = await startLocalS3();
    try {
      const { sessions, start, end } = sessionsAround('2025-11-23', 'Europe/Istanbul', 12);
      sim.setSessions(sessions);
      const result = await cli(['--date', '2025-11-23', '--endpoint', sim.url, '--out', `s3://${s3.bucket}/cli/root`], {
        ...ENV,
        ...s3.env,
      });
      expect(result.err).toBe('');
      expect(result.status).toBe(0);
      const keys = await s3.keys();
      expect(keys.filter((k) => !k.startsWith('cli/root/_runs/'))).toEqual([
        'cli/root/online_help/dt=2025-11-23/sessions.parquet',
      ]);
      const file = join(await tempDir(), 'sessions.parquet');
      await writeFile(file, await s3.get('cli/root/online_help/dt=2025-11-23/sessions.parquet'));
      expect(await readSessions(file)).toEqual(expectedRows(sessions, start, end));
    } finally {
      await s3.stop();
    }
  });
});
