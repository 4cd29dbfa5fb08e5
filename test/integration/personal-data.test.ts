/**
 * Personal data end to end, through the CLI: one demo day (sessions and the calls that go with them, plus records
 * that get rejected in both reports) served by the simulator over HTTP and exported four times into local
 * folders, with the personal-data policies `keep`, `pseudonymize`, `drop` and a mix of the two. Every file the
 * concealing exports wrote is searched for every personal value of the day; their tables are compared with the
 * `keep` export's, column by column and byte by byte, and their pseudonyms with an independent HMAC.
 */
import { createHash, createHmac } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetMetadata } from 'hyparquet';
import { parse as parseLosslessJson } from 'lossless-json';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDay, parseTimeZone } from '../../functions/contract/calendar.js';
import { CALLS, ONLINE_HELP, type ReportDefinition } from '../../functions/contract/reports.js';
import {
  demoExport,
  startSimulator,
  type RunningSimulator,
  type SimCall,
  type SimSession,
} from '../../functions/demo/index.js';
import { runCli } from '../../functions/export/cli.js';
import { dayWindow } from '../../functions/export/core/days.js';
import { duckdb } from '../support/parquet-reader.js';

const DAY = parseDay('2025-11-23');
const ZONE = parseTimeZone('Europe/Istanbul');
const WINDOW = dayWindow(DAY, ZONE);
const KEYS = { accessKeyId: 'AK-personal-data', accessKeySecret: 'personal-data-api-secret-31415' };
const ENV = {
  DIYALOG_ACCESS_KEY_ID: KEYS.accessKeyId,
  DIYALOG_ACCESS_KEY_SECRET: KEYS.accessKeySecret,
  DIYALOG_REQUESTER_USER_ID: 'personal-data-test',
};
/** The pseudonym key (44 bytes). */
const KEY = 'pseudonym-key-of-the-test-6a0c5b2e9d8f4a1b3c';
/** The id a manifest names the key by: the first 12 hex digits of SHA-256 of its bytes, computed here. */
const KEY_ID = createHash('sha256').update(KEY, 'utf8').digest('hex').slice(0, 12);

/** An independent pseudonym: HMAC-SHA256 of the value's UTF-8 under the key, lower-case hex. */
const hmac = (value: string): string => createHmac('sha256', KEY).update(value, 'utf8').digest('hex');

/** The personal fields of each report as the API sends them, and the columns they become. */
const PERSONAL = {
  online_help: {
    fields: ['customerNo', 'customerName', 'agentId', 'agentName', 'conversationDetailLink'],
    columns: ['customer_no', 'customer_name', 'agent_id', 'agent_name', 'conversation_detail_link'],
  },
  calls: {
    fields: ['initiatorId', 'nameOfInitiator', 'receiverId', 'nameOfReceiver', 'callViewUrl'],
    columns: ['initiator_id', 'initiator_name', 'receiver_id', 'receiver_name', 'call_view_url'],
  },
} as const;
const REPORTS = [ONLINE_HELP, CALLS] as const;
type Report = (typeof REPORTS)[number];

/** The element at `index`, which the test's data is known to have. */
function nth<T>(list: readonly T[], index: number): T {
  const found = list[index];
  if (found === undefined) throw new Error(`the test data has no element ${index}`);
  return found;
}

/** The day's demo data, with two records of each report that are rejected (a fraction, a string for a number). */
function theDay(): { sessions: SimSession[]; calls: SimCall[]; rejected: { sessions: bigint[]; calls: bigint[] } } {
  const demo = demoExport(WINDOW.start, WINDOW.end);
  // Rejected records with every personal field set, so that the rejects files hold all of them.
  const fullSessions = demo.sessions.filter((s) => s.agentId !== undefined && s.conversationDetailLink !== undefined);
  const fullCalls = demo.calls.filter((c) => c.initiatorId && c.receiverId && c.callViewUrl);
  const badSessions = new Map<bigint, Partial<Record<keyof SimSession, unknown>>>([
    [nth(fullSessions, 3).onlineHelpId, { waitTime: 12.5 }],
    [nth(fullSessions, 40).onlineHelpId, { helpTime: 'long' }],
  ]);
  const badCalls = new Map<bigint, Partial<Record<keyof SimCall, unknown>>>([
    [nth(fullCalls, 2).callId, { callTime: 12.5 }],
    [nth(fullCalls, 30).callId, { initiatorUserType: 'staff' }],
  ]);
  return {
    sessions: demo.sessions.map((s) => ({ ...s, ...badSessions.get(s.onlineHelpId) }) as SimSession),
    calls: demo.calls.map((c) => ({ ...c, ...badCalls.get(c.callId) }) as SimCall),
    rejected: { sessions: [...badSessions.keys()], calls: [...badCalls.keys()] },
  };
}
const DATA = theDay();

/**
 * Every personal value of the day's data, sessions and calls alike (the rejected records' too), as text; the
 * empty string and values shorter than 3 characters are left out, as they would match by chance.
 */
const PERSONAL_VALUES: readonly string[] = [
  ...new Set([
    ...DATA.sessions.flatMap((s) => PERSONAL.online_help.fields.map((f) => s[f])),
    ...DATA.calls.flatMap((c) => PERSONAL.calls.fields.map((f) => c[f])),
  ]),
]
  .filter((value) => value !== undefined)
  .map(String)
  .filter((value) => value.length >= 3);

const MIXED_SPEC =
  ' customer_name=drop, agent_name = drop ,pseudonymize,conversation_detail_link=drop,' +
  'initiator_name=drop,receiver_name=drop,call_view_url=drop';
const MIXED_POLICY =
  'pseudonymize,customer_name=drop,agent_name=drop,conversation_detail_link=drop,initiator_name=drop,' +
  'receiver_name=drop,call_view_url=drop';
const MIXED_ACTIONS: Readonly<Record<string, string>> = {
  customer_no: 'pseudonymize',
  customer_name: 'drop',
  agent_id: 'pseudonymize',
  agent_name: 'drop',
  conversation_detail_link: 'drop',
  initiator_id: 'pseudonymize',
  initiator_name: 'drop',
  receiver_id: 'pseudonymize',
  receiver_name: 'drop',
  call_view_url: 'drop',
};

type ExportName = 'keep' | 'pseudonymize' | 'drop' | 'mixed';

interface Exported {
  readonly root: string;
  /** What the CLI printed, stdout and stderr. */
  readonly output: string;
}

let sim: RunningSimulator;
const exports = new Map<ExportName, Exported>();

/** One CLI export of the day into a folder of its own, in process, with an in-memory io. */
async function cliExport(spec: string, key: string): Promise<Exported> {
  const root = await mkdtemp(join(tmpdir(), 'personal-data-'));
  const lines: string[] = [];
  const io = { out: (line: string) => lines.push(line), err: (line: string) => lines.push(line) };
  const args = ['--date', DAY, '--timezone', ZONE, '--endpoint', sim.url, '--out', root, '--personal-data', spec];
  const status = await runCli(args, { ...ENV, EXPORT_PSEUDONYM_KEY: key }, io);
  expect(status, lines.join('\n')).toBe(0);
  return { root, output: lines.join('\n') };
}

beforeAll(async () => {
  sim = await startSimulator({ credentials: KEYS, sessions: DATA.sessions, calls: DATA.calls });
  exports.set('keep', await cliExport('keep', KEY));
  exports.set('pseudonymize', await cliExport('pseudonymize', KEY));
  exports.set('drop', await cliExport('drop', KEY));
  // The key with the trailing newline a file or `echo` leaves: trimmed, it is the same key.
  exports.set('mixed', await cliExport(MIXED_SPEC, `${KEY}\n`));
}, 60_000);
afterAll(async () => {
  await sim.stop();
  await Promise.all([...exports.values()].map(({ root }) => rm(root, { recursive: true, force: true })));
});

function exported(name: ExportName): Exported {
  const found = exports.get(name);
  if (found === undefined) throw new Error(`no ${name} export`);
  return found;
}

const tablePath = (name: ExportName, report: Report): string =>
  join(exported(name).root, report.name, `dt=${DAY}`, report.objectName);
const rejectsPath = (name: ExportName, report: Report): string =>
  join(exported(name).root, '_rejects', report.name, `dt=${DAY}`, 'rejects.jsonl');
const sql = (path: string): string => `'${path.replaceAll("'", "''")}'`;
const isPersonal = (report: ReportDefinition, column: string): boolean =>
  (PERSONAL[report.name as Report['name']].columns as readonly string[]).includes(column);

/** Columns of a table as DuckDB reads them back, each as text (NULL stays null), in file order. */
async function tableText(
  name: ExportName,
  report: Report,
  columns: readonly string[],
): Promise<Record<string, unknown>[]> {
  const selected = columns.map((column) => `CAST("${column}" AS VARCHAR) AS "${column}"`).join(', ');
  return duckdb(`SELECT ${selected} FROM read_parquet(${sql(tablePath(name, report))}, hive_partitioning = false)`);
}

const allColumns = (report: Report): string[] => report.columns.map((c) => c.name);
const nonPersonalColumns = (report: Report): string[] => allColumns(report).filter((c) => !isPersonal(report, c));

/** One rejects file's lines, numbers kept as their JSON text. */
async function rejectsOf(name: ExportName, report: Report): Promise<Record<string, unknown>[]> {
  const text = await readFile(rejectsPath(name, report), 'utf8');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => parseLosslessJson(line, null, (number) => number) as Record<string, unknown>);
}

/** The id of a rejected item, as text. */
const rejectedId = (report: Report, line: Record<string, unknown>): string =>
  String((line['item'] as Record<string, unknown>)[report === ONLINE_HELP ? 'onlineHelpId' : 'callId']);

/** The only run manifest of a report-day in an export. */
async function manifestOf(name: ExportName, report: Report): Promise<Record<string, unknown>> {
  const folder = join(exported(name).root, '_runs', report.name, `dt=${DAY}`);
  const files = await readdir(folder);
  expect(files).toHaveLength(1);
  return JSON.parse(await readFile(join(folder, nth(files, 0)), 'utf8')) as Record<string, unknown>;
}

/** Every file below a folder, recursively (dot-files too). */
async function filesBelow(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/**
 * A file as searchable text: a Parquet file as DuckDB reads every column back (as JSON text), plus its metadata
 * (statistics, key-value metadata, schema) and its raw bytes as UTF-8 and Latin-1; any other file as UTF-8.
 */
async function searchableText(path: string): Promise<string> {
  const bytes = await readFile(path);
  if (!path.endsWith('.parquet')) return bytes.toString('utf8');
  const file = sql(path);
  const parts = await Promise.all([
    duckdb(`SELECT * FROM read_parquet(${file}, hive_partitioning = false)`),
    duckdb(`SELECT * FROM parquet_metadata(${file})`),
    duckdb(`SELECT * FROM parquet_kv_metadata(${file})`),
    duckdb(`SELECT * FROM parquet_schema(${file})`),
  ]);
  return [...parts.map((rows) => JSON.stringify(rows)), bytes.toString('utf8'), bytes.toString('latin1')].join('\n');
}

/**
 * Where a value occurs in text as a whole: not inside a longer run of letters and digits, so that a staff number
 * is not "found" inside a 64-hex pseudonym, a timestamp or an id.
 */
function occursIn(text: string, value: string): boolean {
  for (let at = text.indexOf(value); at !== -1; at = text.indexOf(value, at + 1)) {
    const before = text.slice(Math.max(0, at - 2), at);
    const after = text.slice(at + value.length, at + value.length + 2);
    const edge = /[\p{L}\p{N}]/u;
    const startsWord = edge.test(value.slice(0, 1));
    const endsWord = edge.test(value.slice(-1));
    const glued =
      (startsWord && edge.test(Array.from(before).at(-1) ?? '')) ||
      (endsWord && edge.test(Array.from(after).at(0) ?? ''));
    if (!glued) return true;
  }
  return false;
}

/** The personal values found in clear in an export: file → values. */
async function clearValuesIn(name: ExportName): Promise<Record<string, string[]>> {
  const { root, output } = exported(name);
  const found: Record<string, string[]> = {};
  const texts: [string, string][] = [['(CLI output)', output]];
  for (const path of await filesBelow(root)) texts.push([path.slice(root.length + 1), await searchableText(path)]);
  for (const [where, text] of texts) {
    const values = PERSONAL_VALUES.filter((value) => occursIn(text, value));
    if (values.length > 0) found[where] = values;
  }
  return found;
}

describe('a pseudonymized export holds no personal value in clear', () => {
  it('the day has personal values of both reports, and rejected records of both', () => {
    for (const report of REPORTS) {
      const sources = report.columns.filter((c) => c.personal).map((c) => [c.name, c.source]);
      const { columns, fields } = PERSONAL[report.name];
      expect(sources).toEqual(columns.map((column, i) => [column, fields[i]]));
    }
    expect(PERSONAL_VALUES.length).toBeGreaterThan(300);
    // Some of each kind: 8-digit customer numbers, 6-digit staff numbers, names, links.
    expect(PERSONAL_VALUES.filter((v) => /^\d{8}$/.test(v)).length).toBeGreaterThan(20);
    expect(PERSONAL_VALUES.filter((v) => /^\d{6}$/.test(v)).length).toBeGreaterThan(5);
    expect(PERSONAL_VALUES.filter((v) => /^\p{Lu}/u.test(v) && v.includes(' ')).length).toBeGreaterThan(20);
    expect(PERSONAL_VALUES.filter((v) => v.includes('/onlinehelp/conversation/')).length).toBeGreaterThan(100);
    expect(PERSONAL_VALUES.filter((v) => v.includes('/call/recording/')).length).toBeGreaterThan(50);
  });

  it('every export wrote both tables and both rejects files, the rejected records in them', async () => {
    for (const name of ['keep', 'pseudonymize', 'drop', 'mixed'] as const) {
      const files = (await filesBelow(exported(name).root)).map((path) => path.slice(exported(name).root.length + 1));
      expect(files.filter((f) => !f.startsWith('_runs/')).sort()).toEqual([
        `_rejects/calls/dt=${DAY}/rejects.jsonl`,
        `_rejects/online_help/dt=${DAY}/rejects.jsonl`,
        `calls/dt=${DAY}/calls.parquet`,
        `online_help/dt=${DAY}/sessions.parquet`,
      ]);
      for (const report of REPORTS) {
        const rejected = (await rejectsOf(name, report)).map((line) => rejectedId(report, line));
        const expected = report === ONLINE_HELP ? DATA.rejected.sessions : DATA.rejected.calls;
        expect(rejected.sort()).toEqual(expected.map(String).sort());
      }
    }
  });

  it('the search finds every personal value in the keep export (it would see a leak)', async () => {
    const found = new Set(Object.values(await clearValuesIn('keep')).flat());
    expect(PERSONAL_VALUES.filter((value) => !found.has(value))).toEqual([]);
  });

  it.each(['pseudonymize', 'drop', 'mixed'] as const)(
    'the %s export: no personal value in any file (Parquet read back, rejects, manifests) or in the CLI output',
    async (name) => {
      expect(await clearValuesIn(name)).toEqual({});
    },
  );
});

describe('what the policy leaves alone, it leaves byte for byte', () => {
  it.each(['pseudonymize', 'drop', 'mixed'] as const)(
    'the %s export: the non-personal columns read back as in the keep export',
    async (name) => {
      for (const report of REPORTS) {
        const keep = await tableText('keep', report, nonPersonalColumns(report));
        expect(keep.length).toBeGreaterThan(100);
        expect(await tableText(name, report, nonPersonalColumns(report))).toEqual(keep);
      }
    },
  );

  it.each(['pseudonymize', 'drop', 'mixed'] as const)(
    'the %s export: the non-personal column chunks are byte-identical to the keep export’s',
    async (name) => {
      for (const report of REPORTS) {
        const chunks = async (exportName: ExportName) => {
          const bytes = await readFile(tablePath(exportName, report));
          const metadata = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
          return metadata.row_groups.map((group) => ({
            rows: group.num_rows,
            columns: group.columns.map(({ meta_data }) => {
              if (meta_data === undefined) throw new Error('a column chunk without metadata');
              const start = Number(meta_data.dictionary_page_offset ?? meta_data.data_page_offset);
              const chunk = bytes.subarray(start, start + Number(meta_data.total_compressed_size));
              return {
                column: meta_data.path_in_schema.join('.'),
                sha256: createHash('sha256').update(chunk).digest('hex'),
              };
            }),
          }));
        };
        const keep = await chunks('keep');
        const concealed = await chunks(name);
        expect(concealed.map((g) => g.rows)).toEqual(keep.map((g) => g.rows));
        expect(keep.length).toBeGreaterThan(0);
        keep.forEach((group, g) => {
          group.columns.forEach(({ column, sha256 }, c) => {
            const other = concealed[g]?.columns[c];
            expect(other?.column).toBe(column);
            if (isPersonal(report, column)) expect(other?.sha256, `${report.name}.${column}`).not.toBe(sha256);
            else expect(other?.sha256, `${report.name}.${column}, row group ${g}`).toBe(sha256);
          });
        });
      }
    },
  );
});

describe('pseudonyms, drops and the manifest', () => {
  it('each pseudonymized value is the HMAC-SHA256 of the keep export’s value under the key; NULL stays NULL', async () => {
    for (const report of REPORTS) {
      const columns = allColumns(report);
      const keep = await tableText('keep', report, columns);
      const pseudonymized = await tableText('pseudonymize', report, columns);
      expect(pseudonymized).toHaveLength(keep.length);
      const expected = keep.map((row) =>
        Object.fromEntries(
          columns.map((column) => {
            const value = row[column];
            return [column, isPersonal(report, column) && typeof value === 'string' ? hmac(value) : value];
          }),
        ),
      );
      expect(pseudonymized).toEqual(expected);
      // Some values were NULL, some '' (a call without recording): both kept apart.
      if (report === CALLS) {
        expect(keep.some((row) => row['call_view_url'] === '')).toBe(true);
        expect(pseudonymized.some((row) => row['call_view_url'] === hmac(''))).toBe(true);
        expect(keep.some((row) => row['initiator_id'] === null)).toBe(true);
      }
    }
  });

  it('the mixed export: ids pseudonymized as in the pseudonymize export (the key’s newline trimmed), names and links NULL', async () => {
    for (const report of REPORTS) {
      const columns = allColumns(report);
      const pseudonymized = await tableText('pseudonymize', report, columns);
      const mixed = await tableText('mixed', report, columns);
      const expected = pseudonymized.map((row) =>
        Object.fromEntries(columns.map((column) => [column, MIXED_ACTIONS[column] === 'drop' ? null : row[column]])),
      );
      expect(mixed).toEqual(expected);
    }
  });

  it('drop: every personal column is NULL in every row', async () => {
    for (const report of REPORTS) {
      const { columns } = PERSONAL[report.name];
      const counts = await duckdb(
        `SELECT count(*)::INTEGER AS rows, ${columns.map((c) => `count("${c}")::INTEGER AS "${c}"`).join(', ')} ` +
          `FROM read_parquet(${sql(tablePath('drop', report))}, hive_partitioning = false)`,
      );
      expect(counts).toEqual([
        { rows: expect.any(Number) as unknown, ...Object.fromEntries(columns.map((c) => [c, 0])) },
      ]);
      expect(counts[0]?.['rows']).toBe((await tableText('keep', report, [report.idColumn])).length);
    }
  });

  it('the rejects follow the policy: personal fields pseudonymized or null, everything else as received', async () => {
    for (const report of REPORTS) {
      const fields: readonly string[] = PERSONAL[report.name].fields;
      const byId = (lines: Record<string, unknown>[]) =>
        lines.sort((a, b) => rejectedId(report, a).localeCompare(rejectedId(report, b)));
      const keep = byId(await rejectsOf('keep', report));
      /** The keep export's lines with each personal field of the item concealed; another run's id. */
      const concealed = (conceal: (field: string, value: unknown) => unknown) =>
        keep.map((line) => ({
          ...line,
          runId: expect.any(String) as unknown,
          item: Object.fromEntries(
            Object.entries(line['item'] as Record<string, unknown>).map(([field, value]) => [
              field,
              fields.includes(field) ? conceal(field, value) : value,
            ]),
          ),
        }));
      const columnOfField = (field: string) => report.columns.find((c) => c.source === field)?.name ?? '';

      // Every rejected item has all of the report's personal fields, each with a value.
      for (const line of keep) {
        const item = line['item'] as Record<string, unknown>;
        expect(fields.filter((field) => typeof item[field] !== 'string' || item[field] === '')).toEqual([]);
      }
      expect(byId(await rejectsOf('pseudonymize', report))).toEqual(
        concealed((_field, value) => (typeof value === 'string' ? hmac(value) : value)),
      );
      expect(byId(await rejectsOf('drop', report))).toEqual(concealed(() => null));
      expect(byId(await rejectsOf('mixed', report))).toEqual(
        concealed((field, value) =>
          MIXED_ACTIONS[columnOfField(field)] === 'drop' ? null : typeof value === 'string' ? hmac(value) : value,
        ),
      );
    }
  });

  it('customer_no pseudonyms join receiver_id and initiator_id pseudonyms (and agent_id initiator_id) as the clear values did', async () => {
    const joins = (name: ExportName) => {
      const sessions = `read_parquet(${sql(tablePath(name, ONLINE_HELP))}, hive_partitioning = false)`;
      const calls = `read_parquet(${sql(tablePath(name, CALLS))}, hive_partitioning = false)`;
      const pairs = (on: string, via: string) =>
        `SELECT s.online_help_id::VARCHAR AS session, c.call_id::VARCHAR AS call, '${via}' AS via ` +
        `FROM ${sessions} s JOIN ${calls} c ON ${on}`;
      return duckdb(
        [
          pairs('s.customer_no = c.receiver_id', 'customer_no = receiver_id'),
          pairs('s.customer_no = c.initiator_id', 'customer_no = initiator_id'),
          pairs('s.agent_id = c.initiator_id', 'agent_id = initiator_id'),
          pairs('s.agent_id = c.receiver_id', 'agent_id = receiver_id'),
        ].join(' UNION ALL ') + ' ORDER BY via, session, call',
      );
    };
    const clear = await joins('keep');
    for (const via of ['customer_no = receiver_id', 'customer_no = initiator_id', 'agent_id = initiator_id']) {
      expect(clear.filter((row) => row['via'] === via).length, via).toBeGreaterThan(10);
    }
    expect(await joins('pseudonymize')).toEqual(clear);
    expect(await joins('mixed')).toEqual(clear);
    // Dropped, nothing joins: NULL equals nothing.
    expect(await joins('drop')).toEqual([]);
  });

  it('each manifest records the policy per column, and the key’s id only when pseudonyms were written', async () => {
    const columnsOf = (report: Report, action: (column: string) => string) =>
      Object.fromEntries(PERSONAL[report.name].columns.map((column) => [column, action(column)]));
    for (const report of REPORTS) {
      expect((await manifestOf('keep', report))['personalData']).toEqual({
        policy: 'keep',
        columns: columnsOf(report, () => 'keep'),
      });
      expect((await manifestOf('pseudonymize', report))['personalData']).toEqual({
        policy: 'pseudonymize',
        columns: columnsOf(report, () => 'pseudonymize'),
        pseudonymKeyId: KEY_ID,
      });
      expect((await manifestOf('drop', report))['personalData']).toEqual({
        policy: 'drop',
        columns: columnsOf(report, () => 'drop'),
      });
      expect((await manifestOf('mixed', report))['personalData']).toEqual({
        policy: MIXED_POLICY,
        columns: columnsOf(report, (column) => MIXED_ACTIONS[column] ?? ''),
        pseudonymKeyId: KEY_ID,
      });
      for (const name of ['keep', 'pseudonymize', 'drop', 'mixed'] as const) {
        const manifest = await manifestOf(name, report);
        const rows = (await tableText(name, report, [report.idColumn])).length;
        expect(manifest).toMatchObject({ report: report.name, day: DAY, rows, rejected: 2 });
        const bytes = await readFile(tablePath(name, report));
        expect(manifest['parquetSha256']).toBe(createHash('sha256').update(bytes).digest('hex'));
      }
    }
    expect(KEY_ID).toMatch(/^[0-9a-f]{12}$/);
  });
});
