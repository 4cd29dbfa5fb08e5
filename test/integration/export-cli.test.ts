import { readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../functions/export/cli.js';
import { dayWindow } from '../../functions/export/core/days.js';
import { parseDay, parseTimeZone } from '../../functions/contract/calendar.js';
import {
  callAt,
  demoCalls,
  demoExport,
  generateSessions,
  startSimulator,
  type RunningSimulator,
  type SimCall,
  type SimSession,
} from '../../functions/demo/index.js';
import { expectedCallRows, expectedRows } from '../support/expected-rows.js';
import { duckdb, readCalls, readSessions } from '../support/parquet-reader.js';
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
afterEach(() => {
  // The sessions are set by each test; the calls only by those about calls, the others page an empty report.
  sim.setCalls([]);
  sim.resetCounters();
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

/**
 * Sessions and calls around one day of a zone. The calls are the demo's for the day (on both boundary instants,
 * three in one millisecond, negative ids and ids past 2^53), plus the two ends of the signed 64-bit range inside
 * the day and one call just outside each end of it.
 */
function dayAround(
  day: string,
  zone: string,
  seed: number,
): { sessions: SimSession[]; calls: SimCall[]; start: number; end: number } {
  const { sessions, start, end } = sessionsAround(day, zone, seed);
  const calls = [
    callAt(-7n, start - 1),
    callAt(-(2n ** 63n), start + 60_000),
    ...demoCalls(sessions, start, end),
    callAt(2n ** 63n - 1n, end - 60_000),
    callAt(-8n, end),
  ];
  return { sessions, calls, start, end };
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

function callsFile(root: string, day: string): string {
  return join(root, 'calls', `dt=${day}`, 'calls.parquet');
}

function escaped(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The note of a day line when a full page of records shared one millisecond, as the 20-session tie group may. */
const TIE_NOTE = '( {2}\\(1 tie overflow\\(s\\)\\))?';

/**
 * The line of a report-day that landed: `calls 2025-11-23  ok  186 rows  12 pages  0.1 s  → …/calls.parquet`,
 * then `notes` (a pattern; none by default).
 */
function okLine(report: string, day: string, rows: number, object: string, notes = ''): RegExp {
  return new RegExp(
    `^${report} ${day} {2}ok {2}${rows} rows {2}\\d+ pages {2}\\d+\\.\\d s {2}→ ${escaped(object)}${notes}$`,
  );
}

/** The run's last line on stdout when every report-day landed; its run id is the first group. */
function doneLine(reportDays: number, rows: number, root: string): RegExp {
  return new RegExp(
    `^Done: ${reportDays} of ${reportDays} report-day\\(s\\) exported, ${rows} rows, \\d+\\.\\d s, ` +
      `to ${escaped(root)} \\(run (\\d{8}T\\d{6}Z-[0-9a-f]{6})\\)$`,
  );
}

async function manifestsOf(root: string, report: string, day: string): Promise<Record<string, unknown>[]> {
  const folder = join(root, '_runs', report, `dt=${day}`);
  const names = (await readdir(folder)).sort();
  return Promise.all(
    names.map(async (name) => JSON.parse(await readFile(join(folder, name), 'utf8')) as Record<string, unknown>),
  );
}

describe('CLI export against the simulator', () => {
  it.each([
    ['2025-11-23', 'Europe/Istanbul', 24],
    ['2025-03-09', 'America/New_York', 23],
    ['2025-11-02', 'America/New_York', 25],
    ['2025-03-30', 'UTC', 24],
    ['2015-03-29', 'Europe/Istanbul', 23],
  ])('exports %s in %s (%i h) with exact rows of both reports, read back by DuckDB', async (day, zone, hours) => {
    const { sessions, calls, start, end } = dayAround(day, zone, 7);
    expect(end - start).toBe(hours * 3_600_000);
    sim.setSessions(sessions);
    sim.setCalls(calls);
    const root = await tempDir();
    const result = await cli(['--date', day, '--timezone', zone, '--endpoint', sim.url, '--out', root]);
    expect(result.err).toBe('');
    expect(result.status).toBe(0);
    const rows = await readSessions(partitionFile(root, day));
    expect(rows).toEqual(expectedRows(sessions, start, end));
    expect(rows).toHaveLength(150 + 4 + 20 + 2);
    const callRows = await readCalls(callsFile(root, day));
    expect(callRows).toEqual(expectedCallRows(calls, start, end));
    expect(callRows).toHaveLength(calls.length - 2); // all but the call just outside each end of the day
    // One line per report-day, online_help first, then the run's summary.
    expect(result.out.split('\n')).toEqual([
      expect.stringMatching(okLine('online_help', day, 176, partitionFile(root, day), TIE_NOTE)),
      expect.stringMatching(okLine('calls', day, callRows.length, callsFile(root, day))),
      expect.stringMatching(doneLine(2, 176 + callRows.length, root)),
    ]);
  });

  it('writes the contract schema: Athena types, required columns, no dt column, SNAPPY', async () => {
    const { sessions, calls } = dayAround('2025-11-23', 'Europe/Istanbul', 8);
    sim.setSessions(sessions);
    sim.setCalls(calls);
    const root = await tempDir();
    expect((await cli(['--date', '2025-11-23', '--endpoint', sim.url, '--out', root])).status).toBe(0);
    const schemaOf = async (file: string): Promise<unknown[][]> =>
      (
        await duckdb(
          `SELECT name, type, converted_type, repetition_type FROM parquet_schema('${file}') WHERE type IS NOT NULL`,
        )
      ).map((c) => [c['name'], c['type'], c['converted_type'], c['repetition_type']]);
    expect(await schemaOf(partitionFile(root, '2025-11-23'))).toEqual([
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
    expect(await schemaOf(callsFile(root, '2025-11-23'))).toEqual([
      ['call_id', 'INT64', null, 'REQUIRED'],
      ['call_started_at', 'INT64', 'TIMESTAMP_MILLIS', 'REQUIRED'],
      ['call_ended_at', 'INT64', 'TIMESTAMP_MILLIS', 'OPTIONAL'],
      ['call_time_seconds', 'INT32', null, 'OPTIONAL'],
      ['call_type', 'BYTE_ARRAY', 'UTF8', 'OPTIONAL'],
      ['call_state', 'BYTE_ARRAY', 'UTF8', 'OPTIONAL'],
      ['call_use_type', 'BYTE_ARRAY', 'UTF8', 'OPTIONAL'],
      ['initiator_id', 'BYTE_ARRAY', 'UTF8', 'OPTIONAL'],
      ['initiator_name', 'BYTE_ARRAY', 'UTF8', 'OPTIONAL'],
      ['initiator_user_type', 'INT32', null, 'OPTIONAL'],
      ['initiator_app_name', 'BYTE_ARRAY', 'UTF8', 'OPTIONAL'],
      ['receiver_id', 'BYTE_ARRAY', 'UTF8', 'OPTIONAL'],
      ['receiver_name', 'BYTE_ARRAY', 'UTF8', 'OPTIONAL'],
      ['receiver_user_type', 'INT32', null, 'OPTIONAL'],
      ['receiver_app_name', 'BYTE_ARRAY', 'UTF8', 'OPTIONAL'],
      ['call_view_url', 'BYTE_ARRAY', 'UTF8', 'OPTIONAL'],
    ]);
    for (const file of [partitionFile(root, '2025-11-23'), callsFile(root, '2025-11-23')]) {
      const codecs = await duckdb(`SELECT DISTINCT compression FROM parquet_metadata('${file}')`);
      expect(codecs, file).toEqual([{ compression: 'SNAPPY' }]);
    }
  });

  it('replaces the partition on re-export: one object, stale files removed, identical bytes', async () => {
    const { sessions, calls } = dayAround('2025-11-23', 'Europe/Istanbul', 9);
    sim.setSessions(sessions);
    sim.setCalls(calls);
    const root = await tempDir();
    const args = ['--date', '2025-11-23', '--endpoint', sim.url, '--out', root];
    expect((await cli(args)).status).toBe(0);
    const tables = [
      { report: 'online_help', file: partitionFile(root, '2025-11-23'), object: 'sessions.parquet' },
      { report: 'calls', file: callsFile(root, '2025-11-23'), object: 'calls.parquet' },
    ];
    const first = await Promise.all(tables.map(({ file }) => readFile(file)));
    for (const { report } of tables) {
      await writeFile(join(root, report, 'dt=2025-11-23', 'part-from-an-older-version.parquet'), 'stale');
    }
    expect((await cli(args)).status).toBe(0);
    for (const [i, { report, file, object }] of tables.entries()) {
      expect(await readdir(join(root, report, 'dt=2025-11-23'))).toEqual([object]);
      expect(await readFile(file)).toEqual(first[i]);
      const manifests = await manifestsOf(root, report, '2025-11-23');
      expect(manifests).toHaveLength(2);
      expect(manifests.map((m) => m['parquetSha256'])).toEqual([
        manifests[0]?.['parquetSha256'],
        manifests[0]?.['parquetSha256'],
      ]);
    }
  });

  it('exports an empty day as a readable 0-row partition whose manifest says 0', async () => {
    sim.setSessions([]);
    const root = await tempDir();
    const result = await cli(['--date', '2025-11-23', '--endpoint', sim.url, '--out', root]);
    expect(result.status).toBe(0);
    expect(await readSessions(partitionFile(root, '2025-11-23'))).toEqual([]);
    expect(await readCalls(callsFile(root, '2025-11-23'))).toEqual([]);
    for (const report of ['online_help', 'calls']) {
      const manifests = await manifestsOf(root, report, '2025-11-23');
      expect(manifests).toEqual([expect.objectContaining({ report, day: '2025-11-23', rows: 0, rejected: 0 })]);
    }
    expect(result.out).toContain('online_help 2025-11-23  ok  0 rows  ');
    expect(result.out).toContain('calls 2025-11-23  ok  0 rows  ');
  });

  it('exports each day of --from/--to into its own partition', async () => {
    const days = ['2025-11-20', '2025-11-21', '2025-11-22'];
    const around = days.map((day, i) => {
      const { sessions, start, end } = sessionsAround(day, 'Europe/Istanbul', 20 + i);
      const shifted = sessions.map((s) => ({ ...s, onlineHelpId: s.onlineHelpId + BigInt(i) * 1_000_000n }));
      return { sessions: shifted, calls: demoCalls(shifted, start, end) };
    });
    const all = around.flatMap((d) => d.sessions);
    const allCalls = around.flatMap((d) => d.calls);
    sim.setSessions(all);
    sim.setCalls(allCalls);
    const root = await tempDir();
    const result = await cli(['--from', days[0] ?? '', '--to', days[2] ?? '', '--endpoint', sim.url, '--out', root]);
    expect(result.status).toBe(0);
    const countsOf = (table: string): Promise<Record<string, unknown>[]> =>
      duckdb(
        `SELECT dt::VARCHAR AS dt, count(*)::INTEGER AS n FROM read_parquet('${root}/${table}/*/*.parquet', hive_partitioning = true) GROUP BY dt ORDER BY dt`,
      );
    const expected = days.map((dt) => {
      const { start, end } = dayWindow(parseDay(dt), parseTimeZone('Europe/Istanbul'));
      return {
        dt,
        sessions: expectedRows(all, start, end).length,
        calls: expectedCallRows(allCalls, start, end).length,
      };
    });
    expect((await readdir(join(root, 'online_help'))).sort()).toEqual(days.map((d) => `dt=${d}`));
    expect(await countsOf('online_help')).toEqual(expected.map(({ dt, sessions }) => ({ dt, n: sessions })));
    expect((await readdir(join(root, 'calls'))).sort()).toEqual(days.map((d) => `dt=${d}`));
    expect(await countsOf('calls')).toEqual(expected.map(({ dt, calls }) => ({ dt, n: calls })));
    // Newest day first, each day online_help then calls.
    const lines = result.out.split('\n');
    expect(lines.slice(0, 6).map((line) => line.split('  ')[0])).toEqual([
      'online_help 2025-11-22',
      'calls 2025-11-22',
      'online_help 2025-11-21',
      'calls 2025-11-21',
      'online_help 2025-11-20',
      'calls 2025-11-20',
    ]);
    const rows = expected.reduce((sum, day) => sum + day.sessions + day.calls, 0);
    expect(lines[6]).toMatch(doneLine(6, rows, root));
    expect(lines).toHaveLength(7);
  });

  it('keeps the tables free of anything but Parquet: manifests and rejects live beside it', async () => {
    const { sessions, calls } = dayAround('2025-11-23', 'Europe/Istanbul', 10);
    sim.setSessions(sessions);
    sim.setCalls(calls);
    const root = await tempDir();
    await mkdir(root, { recursive: true });
    expect((await cli(['--date', '2025-11-23', '--endpoint', sim.url, '--out', root])).status).toBe(0);
    expect((await readdir(root)).sort()).toEqual(['_runs', 'calls', 'online_help']);
    expect((await readdir(join(root, 'online_help'), { recursive: true })).sort()).toEqual([
      'dt=2025-11-23',
      'dt=2025-11-23/sessions.parquet',
    ]);
    expect((await readdir(join(root, 'calls'), { recursive: true })).sort()).toEqual([
      'dt=2025-11-23',
      'dt=2025-11-23/calls.parquet',
    ]);
    expect((await readdir(join(root, '_runs'))).sort()).toEqual(['calls', 'online_help']);
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
    expect(result.err).toMatch(
      /^diyalog-export: preflight failed, a first request to Diyalog's online_help report with the configured keys: Diyalog rejected the request signature/,
    );
    expect(result.out).not.toContain('2025-11-23');
    // The first report's request failed: the second report was not asked.
    expect(sim.counters.byReport.calls.requests).toBe(0);
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
    const { start, end } = dayWindow(parseDay('2025-11-23'), parseTimeZone('Europe/Istanbul'));
    const demo = demoExport(start, end);
    const sessionRows = await readSessions(partitionFile(root, '2025-11-23'));
    expect(sessionRows).toEqual(expectedRows(demo.sessions, start, end));
    expect(sessionRows).toHaveLength(312);
    expect(await readCalls(callsFile(root, '2025-11-23'))).toEqual(expectedCallRows(demo.calls, start, end));
    expect(demo.calls).toHaveLength(186);
    expect(result.out.split('\n').slice(1, 4)).toEqual([
      expect.stringMatching(okLine('online_help', '2025-11-23', 312, partitionFile(root, '2025-11-23'))),
      expect.stringMatching(okLine('calls', '2025-11-23', 186, callsFile(root, '2025-11-23'))),
      expect.stringMatching(doneLine(2, 312 + 186, root)),
    ]);
    // It ends by reading the export back, sessions and calls per day, and naming the next command.
    expect(result.out).toMatch(
      /^ dt +\| sessions \| agents \| cancelled \| avg_wait_s \| calls \| from_live_help \| video_help \| missed \| median_call_min$/m,
    );
    expect(result.out).toMatch(
      /^ 2025-11-23 \|\s+312 \|\s+\d+ \|\s+\d+ \|\s+[\d.]+ \|\s+186 \|\s+\d+ \|\s+\d+ \|\s+\d+ \|\s+[\d.]+$/m,
    );
    expect(result.out).toContain(
      'npm run query -- "SELECT s.dt, count(DISTINCT s.online_help_id) AS escalated FROM online_help s JOIN calls c',
    );
  });

  it('exports to an S3-compatible store given by AWS_ENDPOINT_URL_S3', async () => {
    const s3 = await startLocalS3();
    try {
      const { sessions, calls, start, end } = dayAround('2025-11-23', 'Europe/Istanbul', 12);
      sim.setSessions(sessions);
      sim.setCalls(calls);
      const result = await cli(['--date', '2025-11-23', '--endpoint', sim.url, '--out', `s3://${s3.bucket}/cli/root`], {
        ...ENV,
        ...s3.env,
      });
      expect(result.err).toBe('');
      expect(result.status).toBe(0);
      const keys = await s3.keys();
      expect(keys.filter((k) => !k.startsWith('cli/root/_runs/')).sort()).toEqual([
        'cli/root/calls/dt=2025-11-23/calls.parquet',
        'cli/root/online_help/dt=2025-11-23/sessions.parquet',
      ]);
      expect(keys.filter((k) => k.startsWith('cli/root/_runs/')).sort()).toEqual([
        expect.stringMatching(/^cli\/root\/_runs\/calls\/dt=2025-11-23\/[\w-]+\.json$/),
        expect.stringMatching(/^cli\/root\/_runs\/online_help\/dt=2025-11-23\/[\w-]+\.json$/),
      ]);
      const folder = await tempDir();
      await writeFile(
        join(folder, 'sessions.parquet'),
        await s3.get('cli/root/online_help/dt=2025-11-23/sessions.parquet'),
      );
      expect(await readSessions(join(folder, 'sessions.parquet'))).toEqual(expectedRows(sessions, start, end));
      await writeFile(join(folder, 'calls.parquet'), await s3.get('cli/root/calls/dt=2025-11-23/calls.parquet'));
      expect(await readCalls(join(folder, 'calls.parquet'))).toEqual(expectedCallRows(calls, start, end));
    } finally {
      await s3.stop();
    }
  });
});

describe('the calls report in the CLI', () => {
  const DAY = '2025-11-23';
  const ZONE = 'Europe/Istanbul';

  it('exports a day of both reports over HTTP: two tables, the calls exactly as served, a manifest per report', async () => {
    const { sessions, calls, start, end } = dayAround(DAY, ZONE, 30);
    sim.setSessions(sessions);
    sim.setCalls(calls);
    const root = await tempDir();
    const result = await cli(['--date', DAY, '--endpoint', sim.url, '--out', root]);
    expect(result.err).toBe('');
    expect(result.status).toBe(0);

    expect((await readdir(root)).sort()).toEqual(['_runs', 'calls', 'online_help']);
    const sessionRows = await readSessions(partitionFile(root, DAY));
    expect(sessionRows).toEqual(expectedRows(sessions, start, end));
    const callRows = await readCalls(callsFile(root, DAY));
    const expectedCalls = expectedCallRows(calls, start, end);
    expect(callRows).toEqual(expectedCalls);
    // The ids that a double would change: negative ones, ones past 2^53 and both ends of the signed 64-bit range.
    const ids = expectedCalls.map((row) => BigInt(String(row['call_id'])));
    expect(ids.filter((id) => id < 0n).length).toBeGreaterThan(2);
    expect(ids.filter((id) => id > 2n ** 53n).length).toBeGreaterThan(100);
    expect(ids).toEqual(expect.arrayContaining([-(2n ** 63n), 2n ** 63n - 1n]));
    expect(ids).not.toContain(-7n); // just before the day
    expect(ids).not.toContain(-8n); // at its end

    const lines = result.out.split('\n');
    expect(lines).toEqual([
      expect.stringMatching(okLine('online_help', DAY, sessionRows.length, partitionFile(root, DAY), TIE_NOTE)),
      expect.stringMatching(okLine('calls', DAY, callRows.length, callsFile(root, DAY))),
      expect.stringMatching(doneLine(2, sessionRows.length + callRows.length, root)),
    ]);
    const runId = doneLine(2, sessionRows.length + callRows.length, root).exec(lines[2] ?? '')?.[1];
    expect(runId).toBeDefined();

    expect((await readdir(join(root, '_runs'))).sort()).toEqual(['calls', 'online_help']);
    const keep = (...columns: string[]) => Object.fromEntries(columns.map((column) => [column, 'keep']));
    for (const [report, object, rows, personal] of [
      [
        'online_help',
        partitionFile(root, DAY),
        sessionRows.length,
        keep('customer_no', 'customer_name', 'agent_id', 'agent_name', 'conversation_detail_link'),
      ],
      [
        'calls',
        callsFile(root, DAY),
        callRows.length,
        keep('initiator_id', 'initiator_name', 'receiver_id', 'receiver_name', 'call_view_url'),
      ],
    ] as const) {
      expect(await readdir(join(root, '_runs', report, `dt=${DAY}`))).toEqual([`${runId}.json`]);
      const [manifest] = await manifestsOf(root, report, DAY);
      expect(manifest).toMatchObject({
        report,
        day: DAY,
        runId,
        source: new URL(sim.url).origin,
        timeZone: ZONE,
        window: { start: new Date(start).toISOString(), end: new Date(end).toISOString() },
        rows,
        rejected: 0,
        duplicates: 0,
        personalData: { policy: 'keep', columns: personal },
        object,
      });
      expect(manifest).not.toHaveProperty('sessions');
    }
  });

  it('a failure of calls leaves online_help landed, writes nothing of calls, and names the command that re-runs calls', async () => {
    const { sessions, calls, start, end } = dayAround(DAY, ZONE, 31);
    sim.setSessions(sessions);
    sim.setCalls(calls);
    // The preflight's calls request is answered (late); the first page of the day's calls gets a 400, not retried.
    sim.injectFaultsFor(
      'calls',
      { kind: 'slow', delayMs: 1 },
      { kind: 'status', status: 400, body: 'Bad Request: callType' },
    );
    const root = await tempDir();
    const args = ['--date', DAY, '--endpoint', sim.url, '--out', root];
    const result = await cli(args);
    expect(result.status).toBe(1);
    expect(sim.pendingFaults).toBe(0);
    expect(sim.counters.byReport.calls.faults).toBe(2);
    expect(sim.counters.byReport.online_help.faults).toBe(0);

    // online_help landed: its Parquet object and its manifest.
    const sessionRows = await readSessions(partitionFile(root, DAY));
    expect(sessionRows).toEqual(expectedRows(sessions, start, end));
    expect(await manifestsOf(root, 'online_help', DAY)).toEqual([
      expect.objectContaining({ report: 'online_help', rows: sessionRows.length }),
    ]);
    // Nothing of calls: no table, no manifest, no rejects.
    expect((await readdir(root)).sort()).toEqual(['_runs', 'online_help']);
    expect(await readdir(join(root, '_runs'))).toEqual(['online_help']);

    const refused =
      'Diyalog refused the request \\(status 400\\); not retried\\. ' +
      '\\(status 400, window \\[[^\\]]+\\], 1 attempt, body: "Bad Request: callType"\\)';
    const lines = result.out.split('\n');
    expect(lines).toEqual([
      expect.stringMatching(okLine('online_help', DAY, sessionRows.length, partitionFile(root, DAY), TIE_NOTE)),
      expect.stringMatching(new RegExp(`^calls ${DAY} {2}FAILED {2}${refused}$`)),
      expect.stringMatching(
        new RegExp(
          `^Finished with failures: 1 of 2 report-day\\(s\\) exported, ${sessionRows.length} rows, \\d+\\.\\d s, ` +
            `to ${escaped(root)} \\(run [\\w-]+\\)$`,
        ),
      ),
    ]);
    const rerun = `npm run export -- --endpoint ${sim.url} --out ${root} --date ${DAY} --reports calls`;
    expect(result.err.split('\n')).toEqual([
      expect.stringMatching(
        new RegExp(`^diyalog-export: 1 of 2 report-days failed \\(run [\\w-]+\\): calls ${DAY}: ${refused}$`),
      ),
      `Re-run the report-days that did not land: ${rerun}`,
    ]);

    // The command does what it says: it lands calls, and leaves online_help as it was.
    sim.resetCounters();
    const again = await cli(rerun.split(' ').slice(4));
    expect(again.err).toBe('');
    expect(again.status).toBe(0);
    expect(sim.counters.byReport.online_help.requests).toBe(0);
    expect(await readCalls(callsFile(root, DAY))).toEqual(expectedCallRows(calls, start, end));
    expect(await manifestsOf(root, 'online_help', DAY)).toHaveLength(1);
    expect(await manifestsOf(root, 'calls', DAY)).toEqual([expect.objectContaining({ report: 'calls' })]);
  });

  it.each([
    ['--reports calls', ['--reports', 'calls'], ENV],
    ['EXPORT_REPORTS=calls', [], { ...ENV, EXPORT_REPORTS: 'calls' }],
  ])('%s exports only calls', async (_name, extra, env) => {
    const { sessions, calls, start, end } = dayAround(DAY, ZONE, 32);
    sim.setSessions(sessions);
    sim.setCalls(calls);
    const root = await tempDir();
    const result = await cli(['--date', DAY, '--endpoint', sim.url, '--out', root, ...extra], env);
    expect(result.err).toBe('');
    expect(result.status).toBe(0);
    const callRows = await readCalls(callsFile(root, DAY));
    expect(callRows).toEqual(expectedCallRows(calls, start, end));
    expect(result.out.split('\n')).toEqual([
      expect.stringMatching(okLine('calls', DAY, callRows.length, callsFile(root, DAY))),
      expect.stringMatching(doneLine(1, callRows.length, root)),
    ]);
    expect((await readdir(root)).sort()).toEqual(['_runs', 'calls']);
    expect(await readdir(join(root, '_runs'))).toEqual(['calls']);
    // Not even the preflight asked for online_help.
    expect(sim.counters.byReport.online_help.requests).toBe(0);
  });

  it.each([
    [['--reports', 'nope'], {}, '--reports'],
    [[], { EXPORT_REPORTS: 'nope' }, 'EXPORT_REPORTS'],
  ])('%j %j exits 2 naming the known reports', async (extra, env, setting) => {
    const root = await tempDir();
    const result = await cli(['--date', DAY, '--endpoint', sim.url, '--out', root, ...extra], { ...ENV, ...env });
    expect(result.status).toBe(2);
    expect(result.err.split('\n')).toEqual([
      `diyalog-export: ${setting}: "nope" is not a report; known reports: online_help, calls`,
      'Run with --help for usage.',
    ]);
    expect(result.out).toBe('');
    expect(sim.counters.requests).toBe(0);
    expect(await readdir(root)).toEqual([]);
  });
});
