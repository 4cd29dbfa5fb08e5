import { copyFile, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../functions/export/cli.js';
import type { AthenaType } from '../../functions/contract/schema.js';
import { CALLS, ONLINE_HELP } from '../../functions/contract/reports.js';
import { demoSummary } from '../../functions/query/demo-summary.js';
import { runQuery } from '../../functions/query/cli.js';
import { useTempDirs } from '../support/temp-dir.js';

const DAYS = ['2025-11-23', '2025-11-24'] as const;

/** A real export root of two demo days, plus junk where the table must not look. */
let root: string;
/** Sessions and calls per day as the export reported them. */
const exported = new Map<string, number>();
const exportedCalls = new Map<string, number>();
const tempDir = useTempDirs();

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'diyalog-query-'));
  const lines: string[] = [];
  const io = { out: (line: string) => lines.push(line), err: (line: string) => lines.push(line) };
  const status = await runCli(['--demo', '--from', DAYS[0], '--to', DAYS[1], '--out', root], {}, io);
  expect(status, lines.join('\n')).toBe(0);
  for (const line of lines) {
    const match = /^(online_help|calls) (\d{4}-\d\d-\d\d) {2}ok {2}(\d+) rows/.exec(line);
    if (match?.[2] && match[3]) (match[1] === 'calls' ? exportedCalls : exported).set(match[2], Number(match[3]));
  }
  expect([...exported.keys()].sort()).toEqual(DAYS);
  expect([...exportedCalls.keys()].sort()).toEqual(DAYS);

  // Were any of these read, DuckDB would fail on them ("not a Parquet file") or count their rows.
  for (const folder of ['_runs/online_help', '_rejects/calls']) {
    await mkdir(join(root, folder, `dt=${DAYS[0]}`), { recursive: true });
    await writeFile(join(root, folder, `dt=${DAYS[0]}`, 'junk.parquet'), 'not parquet');
  }
  await writeFile(join(root, 'online_help', `dt=${DAYS[0]}`, 'notes.txt'), 'not parquet either');
  await writeFile(join(root, 'calls', `dt=${DAYS[0]}`, 'notes.txt'), 'not parquet either');
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

interface Outcome {
  readonly status: number;
  readonly out: string[];
  readonly err: string[];
}

async function query(args: readonly string[]): Promise<Outcome> {
  const out: string[] = [];
  const err: string[] = [];
  const status = await runQuery(args, { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { status, out, err };
}

/** Runs SQL against the test root with `--format json` and returns the parsed rows. */
async function rows(sql: string): Promise<Record<string, unknown>[]> {
  const { status, out, err } = await query([sql, '--root', root, '--format', 'json']);
  expect(err).toEqual([]);
  expect(status).toBe(0);
  return JSON.parse(out.join('\n')) as Record<string, unknown>[];
}

/** Parses a printed `YYYY-MM-DD HH:MM:SS.mmm` (UTC) into epoch milliseconds. */
function epochMillis(printed: unknown): number {
  expect(printed).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/);
  return Date.parse(`${String(printed).replace(' ', 'T')}Z`);
}

async function listing(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).sort();
}

describe('query command: the online_help view', () => {
  it('has exactly the 12 Parquet columns in file order, then dt as VARCHAR', async () => {
    const duckdbType: Record<AthenaType, string> = {
      bigint: 'BIGINT',
      string: 'VARCHAR',
      int: 'INTEGER',
      // TIMESTAMPTZ in a UTC session, so that AT TIME ZONE behaves as in Athena (tested below).
      timestamp: 'TIMESTAMP WITH TIME ZONE',
    };
    for (const report of [ONLINE_HELP, CALLS]) {
      const described = await rows(`DESCRIBE ${report.name}`);
      expect(described.map((c) => [c['column_name'], c['column_type']])).toEqual([
        ...report.columns.map((c) => [c.name, duckdbType[c.athenaType]]),
        ['dt', 'VARCHAR'],
      ]);
    }
  });

  it('counts the calls of each day as the export reported them, exact signed 64-bit ids included', async () => {
    const counts = await rows('SELECT dt, count(*) AS calls FROM calls GROUP BY dt ORDER BY dt');
    expect(counts).toEqual(DAYS.map((dt) => ({ dt, calls: String(exportedCalls.get(dt)) })));
    const [ids] = await rows(
      'SELECT count(*) FILTER (WHERE call_id < 0) AS negative, count(*) FILTER (WHERE abs(call_id) > 9007199254740992) AS beyond_2_53 FROM calls',
    );
    expect(Number(ids?.['negative'])).toBeGreaterThan(0);
    expect(Number(ids?.['beyond_2_53'])).toBeGreaterThan(0);
  });

  it('joins sessions to the calls of the same customer within the session, as the README shows', async () => {
    const [joined] = await rows(`
      SELECT count(DISTINCT s.online_help_id) AS escalated, count(*) AS calls
      FROM online_help s JOIN calls c
        ON c.dt = s.dt AND s.customer_no IN (c.initiator_id, c.receiver_id)
       AND c.call_started_at BETWEEN s.help_started_at AND s.help_ended_at`);
    expect(Number(joined?.['escalated'])).toBeGreaterThan(0);
    const [fromLiveHelp] = await rows("SELECT count(*) AS n FROM calls WHERE call_use_type = 'ONLINE_HELP_CALL'");
    expect(Number(joined?.['calls'])).toBeGreaterThanOrEqual(Number(fromLiveHelp?.['n']));
  });

  it('counts each day as the export reported it, with junk under _runs, _rejects and in a partition ignored', async () => {
    const counts = await rows('SELECT dt, count(*) AS sessions FROM online_help GROUP BY dt ORDER BY dt');
    expect(counts).toEqual(DAYS.map((dt) => ({ dt, sessions: String(exported.get(dt)) })));
    expect(exported.get(DAYS[0])).toBe(312);
  });

  it('runs the Athena query verbatim, filtering on dt with a string literal', async () => {
    const result = await rows("SELECT dt, help_state, count(*) FROM online_help WHERE dt = '2025-11-23' GROUP BY 1,2");
    expect(new Set(result.map((r) => r['dt']))).toEqual(new Set(['2025-11-23']));
    expect(result.reduce((sum, r) => sum + Number(r['count_star()']), 0)).toBe(exported.get('2025-11-23'));
  });

  it('takes SQL that starts with a -- comment, which looks like an option', async () => {
    const { status, out } = await query([
      '--root',
      root,
      '-- all days\nSELECT count(*) AS n FROM online_help',
      '--format',
      'csv',
    ]);
    expect(status).toBe(0);
    expect(out).toEqual(['n', String((exported.get(DAYS[0]) ?? 0) + (exported.get(DAYS[1]) ?? 0))]);
  });

  it('has approx_percentile as in Athena, also with an array of percentiles', async () => {
    const [result] = await rows(`
      SELECT approx_percentile(wait_time_seconds, 0.5) AS p50, approx_quantile(wait_time_seconds, 0.5) AS q50,
             approx_percentile(wait_time_seconds, ARRAY[0.5, 0.9]) AS p50_p90,
             min(wait_time_seconds) AS low, max(wait_time_seconds) AS high
      FROM online_help WHERE wait_time_seconds IS NOT NULL`);
    const { p50, q50, p50_p90, low, high } = result ?? {};
    expect(typeof p50).toBe('number');
    expect(p50).toBe(q50);
    expect(Number(p50)).toBeGreaterThanOrEqual(Number(low));
    expect(Number(p50)).toBeLessThanOrEqual(Number(high));
    expect(p50_p90).toEqual([expect.any(Number), expect.any(Number)]);
  });

  it("prints timestamps as UTC 'YYYY-MM-DD HH:MM:SS.mmm', and AT TIME ZONE converts to local time as in Athena", async () => {
    const result = await rows(`
      SELECT help_requested_at AS utc, help_requested_at AT TIME ZONE 'Europe/Istanbul' AS istanbul,
             hour(help_requested_at AT TIME ZONE 'Europe/Istanbul') AS istanbul_hour
      FROM online_help WHERE dt = '2025-11-23' ORDER BY help_requested_at`);
    expect(result).toHaveLength(312);
    for (const { utc, istanbul, istanbul_hour } of result) {
      expect(epochMillis(istanbul) - epochMillis(utc)).toBe(3 * 3_600_000);
      expect(String(istanbul).startsWith('2025-11-23 ')).toBe(true);
      // hour() is a BIGINT, as in Athena, so JSON carries it as a string.
      expect(istanbul_hour).toBe(String(Number(String(istanbul).slice(11, 13))));
    }
  });
});

describe('query command: output formats', () => {
  const VALUES = `SELECT * FROM (VALUES ('a', NULL, 42::BIGINT, TIMESTAMP '2025-11-23 10:00:00'),
                                     ('bcd', 'x', 7, NULL)) AS t(s, n, big, ts)`;

  it('table (the default): aligned, numbers right, NULL shown, a row count line', async () => {
    const { status, out, err } = await query([VALUES, '--root', root]);
    expect(err).toEqual([]);
    expect(status).toBe(0);
    expect(out).toEqual([
      ' s   | n    | big | ts',
      '-----+------+-----+-------------------------',
      ' a   | NULL |  42 | 2025-11-23 10:00:00.000',
      ' bcd | x    |   7 | NULL',
      '(2 rows)',
    ]);
  });

  it('table of session data: one line per row and a count', async () => {
    const { status, out } = await query([
      "SELECT dt, help_state, count(*) AS sessions FROM online_help WHERE dt = '2025-11-23' GROUP BY 1, 2",
      '--root',
      root,
      '--format',
      'table',
    ]);
    expect(status).toBe(0);
    const [header, rule, ...rest] = out;
    expect(header).toMatch(/^ dt +\| help_state +\| sessions$/);
    expect(rule).toMatch(/^-+\+-+\+-+$/);
    const body = rest.slice(0, -1);
    expect(rest.at(-1)).toBe(`(${body.length} rows)`);
    for (const line of body) expect(line).toMatch(/^ 2025-11-23 \| \S.* \| +\d+$/);
    expect(new Set([header, ...body].map((line) => line?.length)).size).toBe(1);
  });

  it('csv: RFC 4180 with a header, NULL empty and the empty string quoted', async () => {
    const { status, out } = await query([
      `SELECT 'a,"b"' AS s, '' AS empty, NULL AS n, 1.5::DOUBLE AS d, TIMESTAMP '2025-11-23 10:00:00.5' AS ts`,
      '--root',
      root,
      '--format',
      'csv',
    ]);
    expect(status).toBe(0);
    expect(out).toEqual(['s,empty,n,d,ts', '"a,""b""","",,1.5,2025-11-23 10:00:00.500']);
  });

  it('json: an array of objects, 64-bit integers as exact strings, other numbers as numbers', async () => {
    const [session] = await rows(
      'SELECT online_help_id, wait_time_seconds, 9007199254740993::BIGINT AS beyond_2_53, NULL AS nothing ' +
        'FROM online_help WHERE wait_time_seconds IS NOT NULL ORDER BY online_help_id LIMIT 1',
    );
    expect(session).toEqual({
      online_help_id: expect.stringMatching(/^\d+$/) as unknown,
      wait_time_seconds: expect.any(Number) as unknown,
      beyond_2_53: '9007199254740993',
      nothing: null,
    });
    const empty = await query(['SELECT 1 AS x WHERE false', '--root', root, '--format', 'json']);
    expect(empty.out).toEqual(['[]']);
  });

  it('--help prints the usage with the Athena compatibility notes', async () => {
    const { status, out } = await query(['--help']);
    expect(status).toBe(0);
    expect(out.join('\n')).toMatch(/^Usage: npm run query -- "<SQL>"/);
    expect(out.join('\n')).toContain('approx_percentile(x, p) AS approx_quantile(x, p)');
    expect(out.join('\n')).toContain('DuckDB may open files only below <root>/online_help/ and <root>/calls/');
  });
});

describe('query command: errors are one line with exit status 2', () => {
  function expectOneLineError(outcome: Outcome, pattern: RegExp): void {
    expect(outcome.status).toBe(2);
    expect(outcome.out).toEqual([]);
    expect(outcome.err).toHaveLength(1);
    expect(outcome.err[0]).not.toMatch(/\n|\bat .*:\d+:\d+/);
    expect(outcome.err[0]).toMatch(pattern);
  }

  it.each([
    ['a syntax error', 'SELEC 1', /^SQL error: Parser Error: syntax error at or near "SELEC"$/],
    ['an unknown column', 'SELECT nope FROM online_help', /^SQL error: Binder Error: .*"nope".* Candidate bindings/],
    [
      'the Athena database prefix',
      'SELECT 1 FROM "diyalog"."online_help"',
      /^SQL error: .*drop the "diyalog"\. prefix/,
    ],
    ['an Athena-only function', "SELECT date_format(now(), '%Y')", /^SQL error: .*date_format.*use strftime/],
    ['two statements', 'SELECT 1; SELECT 2', /^SQL error: give exactly one statement, not 2\.$/],
    ['no statement', '-- nothing but a comment', /^SQL error: no statement found/],
  ])('%s', async (_, sql, pattern) => {
    expectOneLineError(await query([sql, '--root', root]), pattern);
  });

  it('refuses anything but a query, so the root is never written', async () => {
    const before = await listing(root);
    const target = join(root, 'online_help', 'dt=2025-11-25', 'sessions.parquet');
    const outcome = await query([`COPY (SELECT 1) TO '${target}'`, '--root', root]);
    expectOneLineError(outcome, /^SQL error: only SELECT queries/);
    expect(await listing(root)).toEqual(before);
  });

  it('a missing root says to run npm start', async () => {
    const missing = join(root, 'no-such-folder');
    expectOneLineError(
      await query(['SELECT 1', '--root', missing]),
      /^The export root .* does not exist; run `npm start` first/,
    );
  });

  it('a root without partitions says to run npm start', async () => {
    const empty = await tempDir();
    expectOneLineError(
      await query(['SELECT 1', '--root', empty]),
      /holds no partition of online_help, calls \(<table>\/dt=YYYY-MM-DD\/\) yet; run `npm start` first/,
    );
  });

  it('an s3:// root is out of scope and suggests aws s3 sync', async () => {
    expectOneLineError(
      await query(['SELECT 1', '--root', 's3://bucket/prefix']),
      /reads a local export root.*aws s3 sync s3:\/\/bucket\/prefix\/ \.\/s3-copy\/ --exclude '_runs\/\*' --exclude '_rejects\/\*'/,
    );
  });

  it.each([
    ['no arguments', []],
    ['options only', ['--root', '/tmp']],
    ['blank SQL', ['  ']],
  ])('no SQL (%s) gives the usage', async (_, args) => {
    expectOneLineError(await query(args), /^No SQL given\. Usage: npm run query -- "SELECT …"/);
  });

  it('unquoted SQL, an unknown option or format', async () => {
    expectOneLineError(await query(['SELECT', '1']), /^Expected the SQL as one quoted argument, got 2 .*Usage:/);
    expectOneLineError(await query(['SELECT 1', '--frmat', 'csv']), /^Unknown option '--frmat'\. Usage:/);
    expectOneLineError(await query(['SELECT 1', '--format', 'xml']), /^--format must be one of table, csv, json/);
  });
});

describe('query command: reads the export and nothing else', () => {
  /** A folder beside the root, holding a valid Parquet file as another export would. */
  let elsewhere: string;
  let foreignParquet: string;
  /** The root's online_help/, the one folder the query command may read. */
  let table: string;

  beforeAll(async () => {
    table = join(root, 'online_help');
    elsewhere = await mkdtemp(join(tmpdir(), 'diyalog-elsewhere-'));
    foreignParquet = join(elsewhere, 'sessions.parquet');
    await copyFile(join(table, `dt=${DAYS[0]}`, 'sessions.parquet'), foreignParquet);
    // Links inside the table folder that lead out of it; the view's dt=*/*.parquet matches neither.
    await symlink('/etc/passwd', join(table, 'passwd.csv'));
    await symlink(elsewhere, join(table, 'elsewhere'), 'dir');
  });

  afterAll(async () => {
    await rm(elsewhere, { recursive: true, force: true });
  });

  function expectRefused(outcome: Outcome, pattern = /^SQL error: Permission Error: Cannot access /): void {
    expect(outcome.out).toEqual([]);
    expect(outcome.err).toHaveLength(1);
    expect(outcome.err[0]).toMatch(pattern);
    expect(outcome.err[0]).not.toContain('\n');
    expect(outcome.status).toBe(2);
  }

  it.each([
    ['/etc/passwd via read_csv', () => "SELECT * FROM read_csv('/etc/passwd', sep = ':')"],
    ['/etc/passwd via read_text', () => "SELECT content FROM read_text('/etc/passwd')"],
    ['/etc/passwd via read_blob', () => "SELECT content FROM read_blob('/etc/passwd')"],
    ['Parquet outside the root via a replacement scan', () => `SELECT count(*) FROM '${foreignParquet}'`],
    ['Parquet outside the root', () => `SELECT count(*) FROM read_parquet('${foreignParquet}')`],
    ['parquet_metadata outside the root', () => `SELECT * FROM parquet_metadata('${foreignParquet}')`],
    ['the root itself, beside the table', () => `SELECT * FROM glob('${root}/*')`],
    ['_runs/ of the same root', () => `SELECT * FROM read_text('${root}/_runs/*/*')`],
    ['.. out of the table', () => `SELECT * FROM read_text('${table}/../_runs/*/*')`],
    [
      '.. out of the root',
      () => `SELECT count(*) FROM read_parquet('${table}/../../${basename(elsewhere)}/sessions.parquet')`,
    ],
    ['a symlink to a file outside', () => `SELECT * FROM read_csv('${table}/passwd.csv', sep = ':')`],
    ['a symlink to a folder outside', () => `SELECT count(*) FROM read_parquet('${table}/elsewhere/sessions.parquet')`],
  ])('refuses %s with a one-line SQL error, exit status 2', async (_, sql) => {
    const outcome = await query([sql(), '--root', root]);
    expectRefused(outcome);
    expect(outcome.err[0]).toContain('Hint: the query command reads only');
  });

  it('refuses a partition folder that links out of the table, even when the view reads it first', async () => {
    const linked = await tempDir();
    await mkdir(join(linked, 'online_help', `dt=${DAYS[1]}`), { recursive: true });
    await copyFile(
      join(table, `dt=${DAYS[1]}`, 'sessions.parquet'),
      join(linked, 'online_help', `dt=${DAYS[1]}`, 'sessions.parquet'),
    );
    await symlink(elsewhere, join(linked, 'online_help', `dt=${DAYS[0]}`), 'dir');
    expectRefused(await query(['SELECT count(*) FROM online_help', '--root', linked]));
  });

  it('reads files of the table folder itself, the view through a symlinked root too', async () => {
    expect(await rows(`SELECT count(*) AS files FROM glob('${table}/dt=*/*.parquet')`)).toEqual([{ files: '2' }]);
    const linkedRoot = join(await tempDir(), 'root-link');
    await symlink(root, linkedRoot, 'dir');
    const { status, out } = await query([
      'SELECT count(*) AS n FROM online_help',
      '--root',
      linkedRoot,
      '--format',
      'csv',
    ]);
    expect(status).toBe(0);
    expect(out).toEqual(['n', String((exported.get(DAYS[0]) ?? 0) + (exported.get(DAYS[1]) ?? 0))]);
  });

  it('refuses URLs and extensions at once, installing nothing under $HOME/.duckdb', async () => {
    // DuckDB finds ~/.duckdb through $HOME when it installs an extension; a fresh HOME shows whether it tried.
    const home = await tempDir();
    const realHome = process.env['HOME'];
    process.env['HOME'] = home;
    try {
      for (const sql of [
        "SELECT * FROM read_parquet('https://example.com/online_help/sessions.parquet')",
        "SELECT * FROM read_csv('http://127.0.0.1:9/passwd.csv')",
        "SELECT * FROM read_parquet('s3://bucket/online_help/dt=2025-11-23/sessions.parquet')",
        "SELECT * FROM read_json('hf://datasets/x/y.json')",
      ]) {
        const started = performance.now();
        const outcome = await query([sql, '--root', root]);
        expect(performance.now() - started, sql).toBeLessThan(2_000);
        expectRefused(outcome);
      }
      const started = performance.now();
      // Spatial is not built in: DuckDB names the extension but neither installs nor loads it.
      expectRefused(await query(['SELECT st_point(1, 2)', '--root', root]), /^SQL error: Catalog Error: .*st_point/);
      expect(performance.now() - started).toBeLessThan(2_000);
      expect(await readdir(home)).toEqual([]);
    } finally {
      if (realHome === undefined) delete process.env['HOME'];
      else process.env['HOME'] = realHome;
    }
  });

  it.each([
    ['SET enable_external_access = true', () => 'SET enable_external_access = true'],
    ['RESET enable_external_access', () => 'RESET enable_external_access'],
    ['SET allowed_directories', () => "SET allowed_directories = ['/']"],
    ['SET lock_configuration = false', () => 'SET lock_configuration = false'],
    ['SET autoinstall_known_extensions', () => 'SET autoinstall_known_extensions = true'],
    ['PRAGMA', () => 'PRAGMA enable_external_access'],
    ['a SET inside query()', () => "SELECT * FROM query('SET enable_external_access = true')"],
    ['ATTACH', () => `ATTACH '${elsewhere}/attached.duckdb'`],
    ['INSTALL', () => 'INSTALL httpfs'],
    ['LOAD', () => 'LOAD httpfs'],
    ['COPY TO', () => `COPY (SELECT 1) TO '${elsewhere}/copy.csv'`],
    ['COPY FROM', () => "COPY online_help FROM '/etc/passwd'"],
  ])('refuses %s: nothing is reconfigured, attached, installed or written', async (_, sql) => {
    expectRefused(await query([sql(), '--root', root]), /^SQL error: /);
    expect(await readdir(elsewhere)).toEqual(['sessions.parquet']);
  });

  it('runs with external access off, the table folders the only ones readable, and the configuration locked', async () => {
    const [settings] = await rows(`
      SELECT current_setting('enable_external_access') AS external_access,
             current_setting('allowed_directories') AS allowed_directories,
             current_setting('allowed_paths') AS allowed_paths,
             current_setting('autoinstall_known_extensions') AS autoinstall,
             current_setting('autoload_known_extensions') AS autoload,
             current_setting('temp_directory') AS temp_directory,
             current_setting('lock_configuration') AS locked`);
    expect(settings).toEqual({
      external_access: false,
      allowed_directories: [`${join(root, 'calls')}/`, `${table}/`],
      allowed_paths: [],
      autoinstall: false,
      autoload: false,
      temp_directory: '',
      locked: true,
    });
  });

  it('has no getenv to leak the environment', async () => {
    expectRefused(await query(["SELECT getenv('HOME')", '--root', root]), /^SQL error: Catalog Error: .*getenv/);
  });

  it('still gives the demo its summary of each day', async () => {
    const lines = await demoSummary(root);
    for (const day of DAYS) {
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^ ${day} \\|\\s+${exported.get(day)} \\|`)));
    }
  });
});
