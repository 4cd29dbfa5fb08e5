import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { REJECTS_FOLDER, RUNS_FOLDER } from '../contract/layout.js';
import { COMPATIBILITY_MACROS, QueryError, runReadOnlyQuery } from './engine.js';
import { formatResult, OUTPUT_FORMATS, type OutputFormat } from './format.js';
import { processIo, type LineIo } from '../shared/line-io.js';

const SHORT_USAGE = 'Usage: npm run query -- "SELECT …" [--root DIR] [--format table|csv|json] (--help for more)';

/** The `--help` text. */
export const USAGE = `Usage: npm run query -- "<SQL>" [options]

Runs one read-only SQL query (SELECT, WITH, DESCRIBE or SHOW) with DuckDB over a local export root, to
try Athena SQL without AWS. There is one view per Athena table, with its columns and the partition column
dt (a 'YYYY-MM-DD' string) last: online_help reads <root>/online_help/dt=*/*.parquet and calls reads
<root>/calls/dt=*/*.parquet (a table not exported yet is an empty view).

What is read: DuckDB may open files only below <root>/online_help/ and <root>/calls/, symlinks and ..
resolved. Any other
file (_runs/, _rejects/, /etc/passwd, another folder's Parquet) and any URL (https://, s3://) is
refused with a one-line SQL error; no extension is installed or loaded, nothing is downloaded or written.
Statements other than queries (SET, PRAGMA, ATTACH, INSTALL, LOAD, COPY, …) are refused, and the
configuration is locked, so SQL cannot lift these limits.

Options:
  --root DIR               the local export root (default ./exports, as for npm run export -- --out).
                           For an S3 root, copy the tables first, e.g. aws s3 sync s3://bucket/prefix/
                           ./s3-copy/ --exclude '_runs/*' --exclude '_rejects/*' and --root ./s3-copy
  --format table|csv|json  table (default): aligned text and a row count, NULL shown as NULL;
                           csv: RFC 4180 with a header, NULL as an empty field, '' as "";
                           json: an array of row objects; BIGINT, HUGEINT and DECIMAL values (ids, but
                           also count(*) and sum()) as strings, exact beyond 2^53 where JSON numbers are not
  --help                   show this text

Athena compatibility:
  Timestamps are UTC and print as YYYY-MM-DD HH:MM:SS.mmm; ts AT TIME ZONE 'Europe/Istanbul' gives local
  time as in Athena (the timestamp columns are TIMESTAMP WITH TIME ZONE in a UTC session).
  Macros: ${COMPATIBILITY_MACROS.join('; ')} (p may also be ARRAY[0.5, 0.9]).
  Not available: the database prefix ("db".online_help: write online_help), date_format (use strftime),
  date_parse (strptime), from_unixtime (to_timestamp), to_unixtime (epoch).

Examples:
  npm run query -- "SELECT dt, help_state, count(*) FROM online_help WHERE dt = '2025-11-23' GROUP BY 1, 2"
  npm run query -- "SELECT dt, call_use_type, count(*) FROM calls GROUP BY 1, 2 ORDER BY 1, 2"

Exit status: 0 on success, 2 for invalid arguments, a missing export or an SQL error, 1 for a bug.`;

interface QueryOptions {
  readonly sql: string;
  readonly root: string;
  readonly format: OutputFormat;
}

/**
 * Runs the query command and returns its exit status: 0 on success, 2 for a problem the user can fix (reported
 * as one line on `err`), 1 for an unexpected failure. Never throws.
 *
 * @param argv The arguments after the command, e.g. `['SELECT 1', '--format', 'json']`.
 */
export async function runQuery(argv: readonly string[], io: LineIo): Promise<number> {
  try {
    const options = parseQueryArgs(argv);
    if (options === 'help') {
      io.out(USAGE);
      return 0;
    }
    const table = await runReadOnlyQuery(options.root, options.sql);
    for (const line of formatResult(table, options.format)) io.out(line);
    return 0;
  } catch (error) {
    if (error instanceof QueryError) {
      io.err(error.message);
      return 2;
    }
    // A bug rather than a user error, still reported as one line.
    io.err(`The query command failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

function parseQueryArgs(argv: readonly string[]): QueryOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: sqlAfterOptions(argv),
      strict: true,
      allowPositionals: true,
      options: {
        root: { type: 'string', default: './exports' },
        format: { type: 'string', default: 'table' },
        help: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    // Only the first sentence: node's advice on positionals starting with '-' does not apply to SQL.
    const reason = (error instanceof Error ? error.message : String(error)).replace(/\. .*$/s, '').replace(/\.?$/, '.');
    throw new QueryError(`${reason} ${SHORT_USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';

  const [sql, ...extra] = positionals;
  if (sql === undefined || sql.trim() === '') throw new QueryError(`No SQL given. ${SHORT_USAGE}`);
  // Unquoted SQL arrives as many words, and the shell may already have expanded its `*`.
  if (extra.length > 0) {
    throw new QueryError(
      `Expected the SQL as one quoted argument, got ${positionals.length} arguments. ${SHORT_USAGE}`,
    );
  }
  const format = OUTPUT_FORMATS.find((name) => name === values.format);
  if (format === undefined) {
    throw new QueryError(`--format must be one of ${OUTPUT_FORMATS.join(', ')}, not '${values.format}'.`);
  }
  if (values.root.trim() === '') throw new QueryError('--root is empty; give the local export folder.');
  if (values.root.startsWith('s3://')) {
    const root = `${values.root.replace(/\/+$/, '')}/`;
    throw new QueryError(
      `The query command reads a local export root, not ${values.root}; copy its tables first, e.g. ` +
        `aws s3 sync ${root} ./s3-copy/ --exclude '${RUNS_FOLDER}/*' --exclude '${REJECTS_FOLDER}/*' ` +
        'and then pass --root ./s3-copy',
    );
  }
  return { sql, root: resolve(values.root), format };
}

/**
 * The arguments with those that start with `-` but hold whitespace moved behind a `--`: such an argument is SQL
 * that starts with a `-- comment`, which parseArgs would otherwise take for an unknown option.
 */
function sqlAfterOptions(argv: readonly string[]): string[] {
  const looksLikeSql = (arg: string): boolean => arg.startsWith('-') && /\s/.test(arg);
  if (argv.includes('--') || !argv.some(looksLikeSql)) return [...argv];
  return [...argv.filter((arg) => !looksLikeSql(arg)), '--', ...argv.filter(looksLikeSql)];
}

/** The process entry: real argv and streams; sets the exit status. */
export async function main(): Promise<void> {
  process.exitCode = await runQuery(process.argv.slice(2), processIo());
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
