import { runReadOnlyQuery } from './engine.js';
import { formatResult } from './format.js';

/**
 * What the demo wrote, per day, read back through the same `online_help` and `calls` views that `npm run query`
 * offers: the sessions, and the calls among them started from live help or as video-help calls.
 */
const SUMMARY_SQL = `
  WITH sessions AS (
    SELECT dt,
           count(*) AS sessions,
           count(DISTINCT agent_id) AS agents,
           count(*) FILTER (WHERE help_state LIKE '%cancel%') AS cancelled,
           round(avg(wait_time_seconds), 1) AS avg_wait_s
    FROM online_help GROUP BY dt),
  day_calls AS (
    SELECT dt,
           count(*) AS calls,
           count(*) FILTER (WHERE call_use_type = 'ONLINE_HELP_CALL') AS from_live_help,
           count(*) FILTER (WHERE call_use_type = 'VIDEO_HELP_CALL') AS video_help,
           count(*) FILTER (WHERE call_state = 'MISSED') AS missed,
           round(median(call_time_seconds) FILTER (WHERE call_time_seconds > 0) / 60, 1) AS median_call_min
    FROM calls GROUP BY dt)
  SELECT dt, sessions, agents, cancelled, avg_wait_s, calls, from_live_help, video_help, missed, median_call_min
  FROM sessions FULL JOIN day_calls USING (dt) ORDER BY dt`;

/** Live-help sessions that escalated to a call with the same customer while the session lasted. */
const NEXT_QUERY =
  'SELECT s.dt, count(DISTINCT s.online_help_id) AS escalated FROM online_help s JOIN calls c ' +
  'ON c.dt = s.dt AND s.customer_no IN (c.initiator_id, c.receiver_id) ' +
  'AND c.call_started_at BETWEEN s.help_started_at AND s.help_ended_at GROUP BY 1 ORDER BY 1';

/** The lines that end `npm start`: a per-day table of the export and the commands to try next. */
export async function demoSummary(rootDirectory: string): Promise<string[]> {
  const table = await runReadOnlyQuery(rootDirectory, SUMMARY_SQL);
  return [
    '',
    `What was written, read back with DuckDB from ${rootDirectory}:`,
    ...formatResult(table, 'table'),
    '',
    'Next:',
    `  npm run query -- "${NEXT_QUERY}"`,
    '  npm run export -- --help            (export from a real Diyalog installation; see README.md)',
  ];
}
