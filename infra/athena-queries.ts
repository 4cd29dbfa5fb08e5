import { PARTITION_KEY, type SessionRow } from '../functions/contract/schema.js';
import { TABLE_NAME } from '../functions/contract/layout.js';

/** A saved Athena query. */
export interface NamedQuery {
  /** Construct id and console name. */
  readonly name: string;
  readonly description: string;
  /** Athena engine version 3 (Trino) SQL. */
  readonly sql: string;
}

/** Where the queries run and how they read local time. */
export interface QueryContext {
  readonly databaseName: string;
  /** IANA zone of the export's calendar days; hours of day are shown in it. */
  readonly timeZone: string;
}

/** A column of the session table; the type ties every query to the writer's schema at compile time. */
function column(name: keyof SessionRow | typeof PARTITION_KEY.name): string {
  return name;
}

/**
 * The saved queries of the workgroup. Each reads the last 30 days through a filter on the partition key, so
 * that partition projection scans only those days.
 */
export function namedQueries({ databaseName, timeZone }: QueryContext): NamedQuery[] {
  const table = `"${databaseName}"."${TABLE_NAME}"`;
  const dt = column(PARTITION_KEY.name);
  const last30Days = `${dt} >= date_format(current_date - INTERVAL '30' DAY, '%Y-%m-%d')`;
  const zone = timeZone.replaceAll("'", "''");
  return [
    {
      name: 'DailyVolumeByState',
      description: 'Sessions per day and final state, last 30 days.',
      sql: [
        `SELECT ${dt}, ${column('help_state')}, count(*) AS sessions`,
        `FROM ${table}`,
        `WHERE ${last30Days}`,
        `GROUP BY ${dt}, ${column('help_state')}`,
        `ORDER BY ${dt} DESC, sessions DESC`,
      ].join('\n'),
    },
    {
      name: 'WaitTimePercentilesByHour',
      description: `Customer wait time percentiles (seconds) by hour of day in ${timeZone}, last 30 days.`,
      sql: [
        `SELECT hour(${column('help_requested_at')} AT TIME ZONE '${zone}') AS hour_of_day,`,
        '  count(*) AS sessions,',
        `  approx_percentile(${column('wait_time_seconds')}, 0.5) AS p50_wait_seconds,`,
        `  approx_percentile(${column('wait_time_seconds')}, 0.9) AS p90_wait_seconds,`,
        `  approx_percentile(${column('wait_time_seconds')}, 0.99) AS p99_wait_seconds`,
        `FROM ${table}`,
        `WHERE ${last30Days} AND ${column('wait_time_seconds')} IS NOT NULL`,
        'GROUP BY 1',
        'ORDER BY 1',
      ].join('\n'),
    },
    {
      name: 'AgentWorkload',
      description: 'Sessions and conversation time per agent, last 30 days.',
      sql: [
        `SELECT ${column('agent_id')},`,
        `  max_by(${column('agent_name')}, ${column('help_requested_at')}) AS agent_name,`,
        '  count(*) AS sessions,',
        `  sum(${column('help_time_seconds')}) AS total_help_seconds,`,
        `  round(avg(${column('help_time_seconds')})) AS avg_help_seconds,`,
        `  approx_percentile(${column('help_time_seconds')}, 0.9) AS p90_help_seconds`,
        `FROM ${table}`,
        `WHERE ${last30Days} AND ${column('agent_id')} IS NOT NULL`,
        `GROUP BY ${column('agent_id')}`,
        'ORDER BY sessions DESC',
      ].join('\n'),
    },
  ];
}
