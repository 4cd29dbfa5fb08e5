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

/**
 * The rows of one calls Parquet file as DuckDB reads it, like {@link readSessions}: every column in table order,
 * timestamps as epoch milliseconds, 64-bit values as decimal strings.
 */
export async function readCalls(path: string): Promise<Record<string, unknown>[]> {
  return duckdb(`
    SELECT call_id, epoch_ms(call_started_at) AS call_started_at, epoch_ms(call_ended_at) AS call_ended_at,
           call_time_seconds, call_type, call_state, call_use_type, initiator_id, initiator_name,
           initiator_user_type, initiator_app_name, receiver_id, receiver_name, receiver_user_type,
           receiver_app_name, call_view_url
    FROM read_parquet('${path.replaceAll("'", "''")}', hive_partitioning = false)`);
}
