import { ENCODE_RUNS } from './config.js';
import { DUCKDB_FIELDS, PARQUETJS_FIELDS } from './protocol.js';
import type { EncodeRun } from './results.js';
import type { ScenarioRunner } from './scenario.js';

/** parquetjs-lite (the exporter's encoder) and DuckDB on the same rows, each in its own child process. */
export async function measureEncoders(
  sessions: number,
  scenarios: ScenarioRunner,
  tmp: string,
  progress: (line: string) => void,
): Promise<EncodeRun> {
  const args = ['--count', String(sessions), '--runs', String(ENCODE_RUNS)];
  progress(`encode: ${sessions} rows with parquetjs-lite`);
  const parquetjs = await scenarios.run('encode-parquetjs', args, PARQUETJS_FIELDS);
  progress(`encode: ${sessions} rows with DuckDB`);
  const duckdb = await scenarios.run('encode-duckdb', [...args, '--tmp', tmp], DUCKDB_FIELDS);
  return { sessions, parquetjs: parquetjs.output, duckdb: duckdb.output };
}
