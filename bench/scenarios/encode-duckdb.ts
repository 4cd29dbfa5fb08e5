/**
 * DuckDB writing the same rows as Parquet (SNAPPY, row groups of the exporter's size), two ways, `--runs` times:
 * - copy: the rows are already in a DuckDB table (loaded untimed from a JSON-lines temp file); only
 *   `COPY … TO '….parquet'` is timed — DuckDB's Parquet writer alone.
 * - append + copy: from the JavaScript rows, as the exporter holds them, through the appender into a fresh
 *   table, then the same COPY — the fair counterpart of `encodeParquet`, which also starts from JS rows.
 * Args: --count N --runs R --tmp DIR.
 */
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { ROW_GROUP_ROWS } from '../../functions/export/parquet/settings.js';
import { benchRows } from '../dataset.js';
import { appendRow, createTableSql, insertFromJsonSql, rowsAsJsonLines } from '../duckdb-sessions.js';
import type { DUCKDB_FIELDS, Output } from '../protocol.js';
import { runAsScenario } from '../scenario-child.js';
import { median, timed } from '../stats.js';

runAsScenario(async (): Promise<Output<(typeof DUCKDB_FIELDS)[number]>> => {
  const { values } = parseArgs({
    options: { count: { type: 'string' }, runs: { type: 'string' }, tmp: { type: 'string' } },
  });
  const [count, runs, tmp] = [Number(values.count), Number(values.runs), values.tmp];
  if (!(count > 0) || !(runs > 0) || !tmp) throw new Error('need --count, --runs and --tmp');

  const dir = await mkdtemp(join(tmp, 'duckdb-'));
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const rows = benchRows(count);
    const jsonPath = join(dir, 'rows.jsonl');
    await writeFile(jsonPath, rowsAsJsonLines(rows));
    await connection.run(createTableSql('loaded'));
    await connection.run(insertFromJsonSql('loaded', jsonPath));

    const copy = (table: string, file: string): Promise<unknown> =>
      connection.run(
        `COPY ${table} TO '${join(dir, file)}' (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE ${ROW_GROUP_ROWS})`,
      );
    const copyTimes: number[] = [];
    const appendTimes: number[] = [];
    for (let i = 0; i < runs; i++) {
      copyTimes.push(await timed(() => copy('loaded', `copy-${i}.parquet`)));
      appendTimes.push(
        await timed(async () => {
          await appendAll(connection, rows);
          await copy('appended', `append-${i}.parquet`);
        }),
      );
    }
    const { size } = await stat(join(dir, 'copy-0.parquet'));
    return {
      rows: rows.length,
      copyMedianMs: median(copyTimes),
      appendAndCopyMedianMs: median(appendTimes),
      bytes: size,
    };
  } finally {
    connection.closeSync();
    instance.closeSync();
    await rm(dir, { recursive: true, force: true });
  }
});

async function appendAll(connection: DuckDBConnection, rows: Parameters<typeof appendRow>[1][]): Promise<void> {
  await connection.run(createTableSql('appended'));
  const appender = await connection.createAppender('appended');
  for (const row of rows) appendRow(appender, row);
  appender.closeSync();
}
