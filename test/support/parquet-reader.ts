import { DuckDBInstance } from '@duckdb/node-api';

/** Runs SQL in a fresh in-memory DuckDB and returns the rows as JSON-friendly objects (bigints as strings). */
export async function duckdb(sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(sql);
    return reader.getRowObjectsJson();
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/**
 * The rows of one Parquet file as DuckDB reads it, timestamps as epoch milliseconds, in file order, without
 * DuckDB's hive-partition inference (so that a `dt` column would show only if it were in the file).
 */
export async function readSessions(path: string): Promise<Record<string, unknown>[]> {
  return duckdb(`
    SELECT online_help_id, customer_no, customer_name, agent_id, agent_name, help_state,
           epoch_ms(help_requested_at) AS help_requested_at, epoch_ms(help_started_at) AS help_started_at,
           epoch_ms(help_ended_at) AS help_ended_at, wait_time_seconds, help_time_seconds, conversation_detail_link
    FROM read_parquet('${path.replaceAll("'", "''")}', hive_partitioning = false)`);
}
