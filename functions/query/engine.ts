import { stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { DuckDBInstance, StatementType, type DuckDBConnection } from '@duckdb/node-api';
import { tableFolder } from '../contract/layout.js';
import { REPORT_NAMES, REPORTS, type ReportDefinition } from '../contract/reports.js';
import { PARTITION_KEY, type AthenaType } from '../contract/schema.js';
import { resultTable, type ResultTable } from './format.js';

/** A problem the user can fix (bad SQL, no export yet); its message is one line, shown as is. */
export class QueryError extends Error {
  override readonly name = 'QueryError';
}

/**
 * The Athena compatibility layer, shown in the help text. Only what maps one to one onto a DuckDB function.
 * Trino's `approx_percentile(x, p)` is DuckDB's `approx_quantile(x, p)`, both also taking an array of p.
 */
export const COMPATIBILITY_MACROS = ['approx_percentile(x, p) AS approx_quantile(x, p)'] as const;

/**
 * Athena (Trino) functions DuckDB lacks, with the DuckDB call to use instead. Hints only, not macros: their format
 * codes or argument types differ in corner cases.
 */
const ATHENA_FUNCTIONS: Readonly<Record<string, string>> = {
  date_format: 'strftime(ts, format)',
  date_parse: 'strptime(text, format)',
  from_unixtime: 'to_timestamp(seconds)',
  to_unixtime: 'epoch(ts)',
};

/**
 * Options fixed when the database is created, before any SQL runs.
 *
 * - No extension is installed or loaded on demand: an `https://` or `s3://` path, or a spatial function, would
 *   otherwise make DuckDB download an extension into `~/.duckdb` or load one found there. (With external access
 *   off, 1.5.6 already refuses these; the options keep that true should a version treat them apart.)
 * - No temporary directory: nothing is spilled to disk, and DuckDB would otherwise add `./.tmp/` (in the current
 *   folder) to the directories it may read once external access is off.
 */
const CREATE_OPTIONS: Readonly<Record<string, string>> = {
  autoinstall_known_extensions: 'false',
  autoload_known_extensions: 'false',
  temp_directory: '',
};

/** The DuckDB type of each Athena type; timestamps are TIMESTAMPTZ, see {@link createView}. */
const DUCKDB_TYPE: Readonly<Record<AthenaType, string>> = {
  bigint: 'BIGINT',
  string: 'VARCHAR',
  timestamp: 'TIMESTAMPTZ',
  int: 'INTEGER',
};

/** The tables as the query command names them: `online_help, calls`. */
const TABLES = REPORT_NAMES.join(', ');

/**
 * Runs one read-only SQL statement in a fresh in-memory DuckDB (which writes nothing anywhere) against one view
 * per report (`online_help`, `calls`) over the root's `<table>/dt=YYYY-MM-DD/*.parquet` files. A table with no
 * partition yet is an empty view with its columns, so that a query of both tables still runs.
 *
 * DuckDB may open files only below the tables' folders (symlinks and `..` resolved), no URL and no extension, and
 * the configuration is locked before the views exist, so neither the views nor the user's SQL can read `_runs/`,
 * `_rejects/` or anything else; such a read fails with a Permission Error.
 *
 * @param root Absolute path of a local export root.
 * @throws {QueryError} when the root holds no partition of any table or the SQL fails; other errors are bugs.
 */
export async function runReadOnlyQuery(root: string, sql: string): Promise<ResultTable> {
  const instance = await DuckDBInstance.create(':memory:', CREATE_OPTIONS);
  try {
    const connection = await instance.connect();
    try {
      await confineTo(
        connection,
        REPORTS.map((report) => join(root, tableFolder(report))),
      );
      let partitioned = 0;
      for (const report of REPORTS) if (await createView(connection, root, report)) partitioned++;
      if (partitioned === 0) throw new QueryError(await noPartitionsMessage(root));
      for (const macro of COMPATIBILITY_MACROS) await connection.run(`CREATE TEMP MACRO ${macro}`);
      return await runStatement(connection, sql);
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

/** Sets the session up and then locks its configuration, so that no later statement can widen what is read. */
async function confineTo(connection: DuckDBConnection, folders: readonly string[]): Promise<void> {
  // Sessions are stored as UTC, and an Athena session's time zone is UTC too. (Not a create option: that runs
  // before the built-in ICU extension that provides the setting is loaded.)
  await connection.run("SET TimeZone = 'UTC'");
  // allowed_directories is refused as a create option, and must be set before external access is turned off,
  // which refuses any later change of it. DuckDB resolves symlinks and `..` both here and in every path it opens.
  const allowed = folders.map((folder) => sqlString(folder.replace(/[\\/]*$/, sep)));
  await connection.run(`SET allowed_directories = [${allowed.join(', ')}]`);
  await connection.run('SET enable_external_access = false');
  await connection.run('SET lock_configuration = true');
}

/**
 * Creates the report's view over its partitions, or an empty view with its columns when it has none yet.
 * @returns whether the table has a partition
 */
async function createView(connection: DuckDBConnection, root: string, report: ReportDefinition): Promise<boolean> {
  const files = join(root, tableFolder(report), `${PARTITION_KEY.name}=*`, '*.parquet');
  const found = await connection.runAndReadAll(`SELECT count(*) AS files FROM glob(${sqlString(files)})`);
  if (found.getRowsJS()[0]?.[0] === 0n) {
    const empty = report.columns.map(({ name, athenaType }) => `CAST(NULL AS ${DUCKDB_TYPE[athenaType]}) AS ${name}`);
    await connection.run(
      `CREATE VIEW ${report.name} AS SELECT ${[...empty, `CAST(NULL AS VARCHAR) AS ${PARTITION_KEY.name}`].join(', ')} ` +
        'WHERE false',
    );
    return false;
  }

  // The columns are listed rather than `*` so that a `key=value` folder above the root does not become a column.
  // Timestamps become TIMESTAMPTZ (in the UTC session) so that `ts AT TIME ZONE 'Europe/Istanbul'` converts UTC to
  // local time as in Athena; on a plain TIMESTAMP DuckDB would read ts as Istanbul time instead.
  const columns = report.columns.map(({ name, athenaType }) =>
    athenaType === 'timestamp' ? `CAST(${name} AS TIMESTAMPTZ) AS ${name}` : name,
  );
  // dt as VARCHAR, like Athena's string partition key; DuckDB would otherwise infer a DATE. Creating the view reads
  // the first file, which may be refused (a symlink out of the folder): reported like the same refusal later.
  await sqlStep(() =>
    connection.run(
      `CREATE VIEW ${report.name} AS SELECT ${[...columns, PARTITION_KEY.name].join(', ')} ` +
        `FROM read_parquet(${sqlString(files)}, hive_partitioning = true, ` +
        `hive_types = {'${PARTITION_KEY.name}': 'VARCHAR'})`,
    ),
  );
  return true;
}

async function noPartitionsMessage(root: string): Promise<string> {
  const isFolder = await stat(root).then(
    (stats) => stats.isDirectory(),
    () => undefined,
  );
  const problem =
    isFolder === undefined
      ? 'does not exist'
      : isFolder
        ? `holds no partition of ${TABLES} (<table>/${PARTITION_KEY.name}=YYYY-MM-DD/) yet`
        : 'is not a folder';
  return `The export root ${root} ${problem}; run \`npm start\` first to export a demo day, or pass --root DIR.`;
}

async function runStatement(connection: DuckDBConnection, sql: string): Promise<ResultTable> {
  const statements = await sqlStep(async () => {
    try {
      return await connection.extractStatements(sql);
    } catch (error) {
      // node-api reports SQL holding no statement (only comments or `;`) as a bare "Error in native callback".
      if (error instanceof Error && error.message === 'Error in native callback') {
        throw new QueryError('SQL error: no statement found, only comments or semicolons.');
      }
      throw error;
    }
  });
  if (statements.count !== 1) {
    throw new QueryError(`SQL error: give exactly one statement, not ${statements.count}.`);
  }
  const prepared = await sqlStep(() => statements.prepare(0));
  // SELECT also covers WITH, DESCRIBE, SHOW and SUMMARIZE; COPY, ATTACH, INSTALL, SET and the like are refused.
  if (prepared.statementType !== StatementType.SELECT) {
    throw new QueryError('SQL error: only SELECT queries run here; the query command never changes anything.');
  }
  const reader = await sqlStep(() => prepared.runAndReadAll());
  return resultTable(reader);
}

/** Runs a DuckDB step on the user's SQL, turning its error into a one-line {@link QueryError}. */
async function sqlStep<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof QueryError) throw error;
    throw new QueryError(sqlErrorLine(error instanceof Error ? error.message : String(error)), { cause: error });
  }
}

/**
 * `SQL error:` and the first line of DuckDB's message, then a hint for an Athena habit or a refused path if one
 * applies, else DuckDB's own suggestion line (`Did you mean …`, `Candidate bindings: …`); the caret diagram is
 * dropped.
 */
function sqlErrorLine(message: string): string {
  const [first = '', second = ''] = message.replace(/^Failed to extract statements: /, '').split('\n');
  const suggestion = /^(Did you mean|Candidate bindings)/.test(second) ? second : '';
  return ['SQL error:', first, athenaHint(message) ?? confinementHint(first) ?? suggestion].filter(Boolean).join(' ');
}

/** DuckDB's "file system operations are disabled by configuration" says nothing of where reading is allowed. */
function confinementHint(firstLine: string): string | undefined {
  return /^Permission Error: Cannot access (file|directory) /.test(firstLine)
    ? `Hint: the query command reads only the export root's table folders (${TABLES}): no other file, no URL.`
    : undefined;
}

function athenaHint(message: string): string | undefined {
  const schema = /because schema "([^"]+)" does not exist/.exec(message)?.[1];
  if (schema !== undefined) return `Hint: locally the tables are just ${TABLES}; drop the "${schema}". prefix.`;
  const name = /Function with name "?(\w+)"? does not exist/.exec(message)?.[1];
  const replacement = name === undefined ? undefined : ATHENA_FUNCTIONS[name];
  return replacement === undefined ? undefined : `Hint: instead of Athena's ${name}, use ${replacement}.`;
}

function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
