import { runReadOnlyQuery } from './engine.js';
import { formatResult } from './format.js';

/** What the demo wrote, read back through the same `online_help` view that `npm run query` offers. */
const SUMMARY_SQL = `
  SELECT dt,
         count(*) AS sessions,
         count(DISTINCT agent_id) AS agents,
         count(*) FILTER (WHERE help_state LIKE '%cancel%') AS cancelled,
         round(avg(wait_time_seconds), 1) AS avg_wait_s,
         round(avg(help_time_seconds) / 60, 1) AS avg_talk_min
  FROM online_help GROUP BY dt ORDER BY dt`;

const NEXT_QUERY = `SELECT help_state, count(*) AS sessions FROM online_help GROUP BY 1 ORDER BY 2 DESC`;

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
