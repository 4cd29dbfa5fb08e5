import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseDay, parseTimeZone } from '../../functions/contract/calendar.js';
import { demoCalls, generateSessions, startSimulator, type RunningSimulator } from '../../functions/demo/index.js';
import { runCli } from '../../functions/export/cli.js';
import { parseExportRoot } from '../../functions/export/cli/options.js';
import { dayWindow } from '../../functions/export/core/days.js';
import { EXPORTER_VERSION } from '../../functions/export/version.js';
import { startLocalS3 } from '../support/s3.js';
import { useTempDirs } from '../support/temp-dir.js';

/** The edges an operator touches: what the CLI refuses before any work, and how it reports what it does. */

const KEYS = { accessKeyId: 'AK-guard', accessKeySecret: 'guard-secret-canary-3141' };
const ENV = {
  DIYALOG_ACCESS_KEY_ID: KEYS.accessKeyId,
  DIYALOG_ACCESS_KEY_SECRET: KEYS.accessKeySecret,
  DIYALOG_REQUESTER_USER_ID: 'guard-test',
};
const ZONE = parseTimeZone('Europe/Istanbul');
const DAYS = ['2025-11-20', '2025-11-21', '2025-11-22', '2025-11-23'] as const;

let sim: RunningSimulator;
const tempDir = useTempDirs();

beforeAll(async () => {
  sim = await startSimulator({ credentials: KEYS });
  const data = DAYS.map((day, i) => {
    const { start, end } = dayWindow(parseDay(day), ZONE);
    const sessions = generateSessions({ seed: 40 + i, from: start, to: end, count: 50 });
    return { sessions, calls: demoCalls(sessions, start, end) };
  });
  sim.setSessions(data.flatMap((day) => day.sessions));
  sim.setCalls(data.flatMap((day) => day.calls));
});
afterAll(async () => {
  await sim.stop();
});
afterEach(() => {
  sim.resetCounters();
  vi.unstubAllEnvs();
});

interface Ran {
  readonly status: number;
  readonly out: string;
  readonly err: string;
  readonly statusLines: string[];
}

async function cli(args: string[], env: Record<string, string> = ENV, terminal = false): Promise<Ran> {
  const out: string[] = [];
  const err: string[] = [];
  const statusLines: string[] = [];
  const status = await runCli(args, env, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    ...(terminal ? { status: (l: string) => statusLines.push(l) } : {}),
  });
  return { status, out: out.join('\n'), err: err.join('\n'), statusLines };
}

describe('demo data only when asked', () => {
  it('refuses to run with no endpoint and no --demo, naming both ways out', async () => {
    const root = await tempDir();
    const result = await cli(['--date', '2025-11-23', '--out', root]);
    expect(result.status).toBe(2);
    expect(result.err.split('\n')[0]).toBe(
      'diyalog-export: no Diyalog endpoint: give --endpoint URL or DIYALOG_API_ENDPOINT, or --demo for demo data',
    );
    expect(await readdir(root)).toEqual([]);
  });

  it.each([
    ['--endpoint', ''],
    ['--endpoint', '  '],
  ])('counts %s %j as no endpoint', async (flag, value) => {
    const result = await cli(['--date', '2025-11-23', flag, value, '--out', await tempDir()], {
      ...ENV,
      DIYALOG_API_ENDPOINT: 'https://diyalog.example.com',
    });
    expect(result.status).toBe(2);
    expect(result.err).toContain('no Diyalog endpoint');
  });

  it.each([
    [['--out', 's3://prodlake/diyalog'], '--out s3://'],
    [['--out', 'S3://prodlake/diyalog'], '--out s3://'],
    [['--secret-id', 'diyalog/credentials'], '--secret-id'],
    [['--endpoint', 'https://diyalog.example.com'], '--endpoint'],
  ])('refuses --demo with %j', async (extra, named) => {
    const cwd = await tempDir();
    const result = await cli(['--demo', '--date', '2025-11-23', ...extra]);
    expect(result.status).toBe(2);
    expect(result.err).toContain(`--demo: cannot be combined with ${named}`);
    expect(await readdir(cwd)).toEqual([]);
  });

  it('records where the data came from and the exporter version in every manifest', async () => {
    /** The one manifest of each report's 2025-11-23 under `root`. */
    const manifests = (root: string): Promise<unknown[]> =>
      Promise.all(
        ['online_help', 'calls'].map(async (report) => {
          const folder = join(root, '_runs', report, 'dt=2025-11-23');
          const names = await readdir(folder);
          expect(names).toHaveLength(1);
          return JSON.parse(await readFile(join(folder, names[0] ?? ''), 'utf8')) as unknown;
        }),
      );
    const root = await tempDir();
    expect((await cli(['--date', '2025-11-23', '--endpoint', sim.url, '--out', root])).status).toBe(0);
    const source = new URL(sim.url).origin;
    expect(await manifests(root)).toEqual([
      expect.objectContaining({ report: 'online_help', source, exporterVersion: EXPORTER_VERSION }),
      expect.objectContaining({ report: 'calls', source, exporterVersion: EXPORTER_VERSION }),
    ]);

    const demoRoot = await tempDir();
    expect((await cli(['--demo', '--date', '2025-11-23', '--out', demoRoot])).status).toBe(0);
    expect(await manifests(demoRoot)).toEqual([
      expect.objectContaining({ report: 'online_help', source: 'demo', exporterVersion: EXPORTER_VERSION }),
      expect.objectContaining({ report: 'calls', source: 'demo', exporterVersion: EXPORTER_VERSION }),
    ]);
  });
});

describe('one reading of the export root', () => {
  it.each([
    ['s3://lake/p', { kind: 's3', bucket: 'lake', prefix: 'p' }],
    ['S3://lake/a/b/', { kind: 's3', bucket: 'lake', prefix: 'a/b' }],
    ['s3://lake', { kind: 's3', bucket: 'lake', prefix: '' }],
    ['./exports', { kind: 'local', directory: './exports' }],
    ['/data/diyalog', { kind: 'local', directory: '/data/diyalog' }],
  ])('reads %j', (text, root) => {
    expect(parseExportRoot(text, '--out')).toEqual(root);
  });

  it.each([
    ['s3:/bucket/p', 'starts with "s3:"'],
    ['s3bucket:x', 'starts with "s3bucket:"'],
    ['https://bucket/p', 'starts with "https:"'],
    ['s3:///p', 'has no bucket'],
    ['s3://My_Bucket/p', 'is not a valid S3 bucket name'],
    ['s3://lake/a/../b', 'path segment'],
    ['s3://lake/exports/*', 'path segment'],
  ])('refuses %j before any work, creating nothing', async (out, problem) => {
    const cwd = await tempDir();
    vi.spyOn(process, 'cwd').mockReturnValue(cwd);
    const result = await cli(['--date', '2025-11-23', '--endpoint', sim.url, '--out', out]);
    vi.restoreAllMocks();
    expect(result.status).toBe(2);
    expect(result.err.split('\n')[0]).toMatch(/^diyalog-export: --out: /);
    expect(result.err).toContain(problem);
    expect(sim.counters.requests).toBe(0);
    expect(await readdir(cwd)).toEqual([]);
  });

  it('exports to S3 when the scheme is written S3://, never to a local folder', async () => {
    const s3 = await startLocalS3();
    try {
      const cwd = await tempDir();
      const result = await cli(['--date', '2025-11-23', '--endpoint', sim.url, '--out', `S3://${s3.bucket}/up`], {
        ...ENV,
        ...s3.env,
      });
      expect(result.status).toBe(0);
      expect(await s3.keys('up/online_help/')).toEqual(['up/online_help/dt=2025-11-23/sessions.parquet']);
      expect(await s3.keys('up/calls/')).toEqual(['up/calls/dt=2025-11-23/calls.parquet']);
      expect(await readdir(cwd)).toEqual([]);
    } finally {
      await s3.stop();
    }
  });
});

describe('preflight before the first page', () => {
  it('fails within seconds on a root that cannot be created, before any request', async () => {
    const started = Date.now();
    const result = await cli(['--date', '2025-11-23', '--endpoint', sim.url, '--out', '/proc/x']);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result.status).toBe(1);
    expect(result.err).toMatch(/^diyalog-export: preflight failed, writing a probe object to \/proc\/x\/_runs\//);
    expect(sim.counters.requests).toBe(0);
  });

  it('fails on a root that is a file, naming it', async () => {
    const file = join(await tempDir(), 'not-a-folder');
    await mkdir(join(file, '..'), { recursive: true });
    await import('node:fs/promises').then((fs) => fs.writeFile(file, 'x'));
    const result = await cli(['--date', '2025-11-23', '--endpoint', sim.url, '--out', file]);
    expect(result.status).toBe(1);
    expect(result.err).toContain(`writing a probe object to ${file}/_runs/preflight/`);
  });

  it('stops a 10-day range after the first rejected request, writing nothing', async () => {
    const root = await tempDir();
    const result = await cli(['--from', '2025-11-14', '--to', '2025-11-23', '--endpoint', sim.url, '--out', root], {
      ...ENV,
      DIYALOG_ACCESS_KEY_SECRET: 'wrong-secret',
    });
    expect(result.status).toBe(1);
    // The preflight's first request, to the first report: the second report is not asked.
    expect(sim.counters.requests).toBe(1);
    expect(sim.counters.byReport.online_help.requests).toBe(1);
    expect(sim.counters.byStatus).toEqual({ 401: 1 });
    expect(result.err.split('\n')).toHaveLength(1);
    expect(result.err).toMatch(
      /^diyalog-export: preflight failed, a first request to Diyalog's online_help report with the configured keys: Diyalog rejected the request signature \(signature variant "newline"\)/,
    );
    expect(result.err).not.toContain('wrong-secret');
    expect(await readdir(root)).toEqual([]);
  });

  it('stops the remaining days when the keys are rejected during a range, and names the command to re-run them', async () => {
    const root = await tempDir();
    // The preflight's online_help request is answered (late); the first page of the first report-day gets a 401.
    sim.injectFaultsFor(
      'online_help',
      { kind: 'slow', delayMs: 1 },
      { kind: 'status', status: 401, body: 'Authorization failed' },
    );
    const result = await cli(['--from', '2025-11-21', '--to', '2025-11-23', '--endpoint', sim.url, '--out', root]);
    expect(result.status).toBe(1);
    // Newest first, each day online_help then calls: the first report-day tried is online_help of the range's last.
    expect(result.out.split('\n')).toEqual([
      expect.stringMatching(/^online_help 2025-11-23 {2}FAILED {2}Diyalog rejected the request signature/),
      'calls 2025-11-23  not attempted',
      'online_help 2025-11-22  not attempted',
      'calls 2025-11-22  not attempted',
      'online_help 2025-11-21  not attempted',
      'calls 2025-11-21  not attempted',
      expect.stringMatching(/^Finished with failures: 0 of 6 report-day\(s\) exported, 0 rows, /),
    ]);
    expect(sim.counters.byStatus[401]).toBe(1);
    expect(sim.counters.byReport.calls.requests).toBe(1); // the preflight's only
    const [failure, rerun] = result.err.split('\n');
    expect(failure).toMatch(
      /^diyalog-export: 1 of 6 report-days failed \(run [\w-]+\): online_help 2025-11-23: Diyalog rejected the request signature .*; 5 not attempted: calls 2025-11-23, online_help 2025-11-22, calls 2025-11-22, online_help 2025-11-21, calls 2025-11-21$/,
    );
    expect(rerun).toBe(
      `Re-run the report-days that did not land: npm run export -- --endpoint ${sim.url} --out ${root} ` +
        '--from 2025-11-21 --to 2025-11-23 --reports online_help,calls',
    );
    expect(await readdir(root)).toEqual([]);
  });

  it('when calls is rejected, keeps the online_help that landed and re-runs exactly the report-days that did not', async () => {
    const root = await tempDir();
    // The preflight's calls request is answered (late); the first page of calls, on the range's last day, gets a 401.
    sim.injectFaultsFor(
      'calls',
      { kind: 'slow', delayMs: 1 },
      { kind: 'status', status: 401, body: 'Authorization failed' },
    );
    const result = await cli(['--from', '2025-11-21', '--to', '2025-11-23', '--endpoint', sim.url, '--out', root]);
    expect(result.status).toBe(1);
    expect(result.out.split('\n').slice(0, 6)).toEqual([
      expect.stringMatching(/^online_help 2025-11-23 {2}ok {2}\d+ rows /),
      expect.stringMatching(/^calls 2025-11-23 {2}FAILED {2}Diyalog rejected the request signature/),
      'online_help 2025-11-22  not attempted',
      'calls 2025-11-22  not attempted',
      'online_help 2025-11-21  not attempted',
      'calls 2025-11-21  not attempted',
    ]);
    expect(await readdir(join(root, 'online_help'))).toEqual(['dt=2025-11-23']);
    expect((await readdir(root)).sort()).toEqual(['_runs', 'online_help']);
    const [failure, rerun] = result.err.split('\n');
    expect(failure).toMatch(
      /^diyalog-export: 1 of 6 report-days failed \(run [\w-]+\): calls 2025-11-23: Diyalog rejected the request signature .*; 4 not attempted: online_help 2025-11-22, calls 2025-11-22, online_help 2025-11-21, calls 2025-11-21$/,
    );
    // One command for both reports of the 21st and 22nd, one for calls of the 23rd, oldest first.
    const base = `npm run export -- --endpoint ${sim.url} --out ${root}`;
    expect(rerun).toBe(
      `Re-run the report-days that did not land: ${base} --from 2025-11-21 --to 2025-11-22 --reports online_help,calls ` +
        `&& ${base} --date 2025-11-23 --reports calls`,
    );
  });

  it.each([
    [['--out', 's3://lake/p'], {}],
    [['--secret-id', 'diyalog/keys'], {}],
  ])('exits 2 when AWS has no region (%j)', async (extra) => {
    for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE', 'AWS_ENDPOINT_URL_S3']) {
      vi.stubEnv(name, undefined);
    }
    vi.stubEnv('AWS_CONFIG_FILE', '/nonexistent/config');
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', '/nonexistent/credentials');
    const result = await cli(['--date', '2025-11-23', '--endpoint', sim.url, '--out', await tempDir(), ...extra]);
    expect(result.status).toBe(2);
    expect(result.err).toMatch(/AWS_REGION: .* needs an AWS region/);
  });
});

describe('visible waiting', () => {
  it('prints each retry as it is scheduled, naming the report', async () => {
    const root = await tempDir();
    // Each report's preflight request is answered (late); its first page gets a 503, then the page on retry.
    sim.injectFaultsFor('online_help', { kind: 'slow', delayMs: 1 }, { kind: 'status503' });
    sim.injectFaultsFor('calls', { kind: 'slow', delayMs: 1 }, { kind: 'status503' });
    const result = await cli(['--date', '2025-11-23', '--endpoint', sim.url, '--out', root]);
    expect(result.status).toBe(0);
    expect(result.err.split('\n')).toEqual([
      expect.stringMatching(/^ {2}online_help: retrying in \d+\.\d s after HTTP 503 \(attempt 2 of 6\)$/),
      expect.stringMatching(/^ {2}calls: retrying in \d+\.\d s after HTTP 503 \(attempt 2 of 6\)$/),
    ]);
  });

  it('shows a live progress line on a terminal, and none elsewhere', async () => {
    const args = ['--date', '2025-11-23', '--endpoint', sim.url, '--concurrency', '1'];
    const terminal = await cli([...args, '--out', await tempDir()], ENV, true);
    expect(terminal.status).toBe(0);
    // Two report-days: the line leads with the run's progress; the first one drawn is of the first report.
    expect(terminal.statusLines[0]).toMatch(
      /^\[0\/2 report-days, 0 rows, \d+ s\] {2}online_help 2025-11-23 {2}paging… {2}\d+ pages {2}\d+ records {2}\d+ s$/,
    );
    for (const line of terminal.statusLines) {
      expect(line).toMatch(
        /^\[[01]\/2 report-days, \d+ rows, \d+ s(, ETA \d+ s)?\] {2}(online_help|calls) 2025-11-23 {2}paging… {2}\d+ pages {2}\d+ records {2}\d+ s$/,
      );
    }
    // One report-day: the line is that report-day's alone.
    const calls = await cli([...args, '--reports', 'calls', '--out', await tempDir()], ENV, true);
    expect(calls.status).toBe(0);
    expect(calls.statusLines[0]).toMatch(/^calls 2025-11-23 {2}paging… {2}\d+ pages {2}\d+ records {2}\d+ s$/);
    const piped = await cli([...args, '--out', await tempDir()]);
    expect(piped.out).not.toContain('paging…');
    expect(piped.err).toBe('');
  });
});

describe('exit codes and the usual flags', () => {
  it('prints the version with --version and usage with -h', async () => {
    expect(await cli(['--version'])).toMatchObject({ status: 0, out: EXPORTER_VERSION });
    const help = await cli(['-h']);
    expect(help.status).toBe(0);
    expect(help.out).toContain('Usage: diyalog-export');
  });

  it.each([[['--bogus']], [['--date']], [['positional']], [['--concurrency', '0']]])(
    'exits 2 for %j with one line and the hint',
    async (args) => {
      const result = await cli(args);
      expect(result.status).toBe(2);
      expect(result.err.split('\n')).toHaveLength(2);
      expect(result.err).not.toMatch(/\n\s+at /);
    },
  );
});

describe('only days that are over', () => {
  /** 2026-12-01 23:59:59.999 and 2026-12-02 00:00 in Istanbul (+03:00); 19:00 and 19:00 in New York (−05:00). */
  const BEFORE_MIDNIGHT = Date.parse('2026-12-01T20:59:59.999Z');
  const AT_MIDNIGHT = Date.parse('2026-12-01T21:00:00.000Z');

  /** Runs the CLI with its clock at `now`, and the simulator's with it (it refuses requests dated 15 min off). */
  async function at(now: number, args: string[]): Promise<Ran> {
    const err: string[] = [];
    sim.configure({ clockOffsetMs: now - Date.now() });
    try {
      const status = await runCli(args, ENV, { out: () => undefined, err: (l) => err.push(l) }, () => now);
      return { status, out: '', err: err.join('\n'), statusLines: [] };
    } finally {
      sim.configure({ clockOffsetMs: 0 });
    }
  }

  it.each([
    ['Europe/Istanbul', BEFORE_MIDNIGHT, '2026-12-01 is not over in Europe/Istanbul until 2026-12-02 00:00 (+03:00)'],
    ['America/New_York', AT_MIDNIGHT, '2026-12-01 is not over in America/New_York until 2026-12-02 00:00 (-05:00)'],
  ])('refuses today in %s, before any request, saying when it can be exported', async (zone, now, reason) => {
    const root = await tempDir();
    const args = ['--date', '2026-12-01', '--timezone', zone, '--endpoint', sim.url, '--out', root];
    const result = await at(now, args);
    expect(result.status).toBe(2);
    expect(result.err.split('\n')[0]).toBe(`diyalog-export: --date: ${reason}`);
    expect(sim.counters.requests).toBe(0);
    expect(await readdir(root)).toEqual([]);
  });

  it('refuses tomorrow, and a range that reaches today as a whole', async () => {
    const tomorrow = await at(AT_MIDNIGHT, ['--date', '2026-12-03', '--endpoint', sim.url, '--out', await tempDir()]);
    expect(tomorrow.status).toBe(2);
    expect(tomorrow.err).toContain('2026-12-03 is not over in Europe/Istanbul until 2026-12-04 00:00 (+03:00)');
    const root = await tempDir();
    const range = await at(BEFORE_MIDNIGHT, [
      '--from',
      '2026-11-28',
      '--to',
      '2026-12-01',
      '--endpoint',
      sim.url,
      '--out',
      root,
    ]);
    expect(range.status).toBe(2);
    expect(range.err).toContain(
      '--from/--to: range 2026-11-28..2026-12-01 is refused as a whole: 2026-12-01 is not over',
    );
    expect(sim.counters.requests).toBe(0);
    expect(await readdir(root)).toEqual([]);
  });

  it('exports a day from the instant its local midnight has passed', async () => {
    sim.setSessions([]);
    const result = await at(AT_MIDNIGHT, ['--date', '2026-12-01', '--endpoint', sim.url, '--out', await tempDir()]);
    expect(result.err).toBe('');
    expect(result.status).toBe(0);
  });
});
