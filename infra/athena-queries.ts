import {
  CALLS,
  ONLINE_HELP,
  type CallRow,
  type ReportDefinition,
  type SessionRow,
} from '../functions/contract/reports.js';
import { PARTITION_KEY } from '../functions/contract/schema.js';

/** A saved Athena query. */
export interface NamedQuery {
  /** Construct id and console name. */
  readonly name: string;
  readonly description: string;
  /** The tables it reads: it is saved only where all their reports are exported. */
  readonly tables: readonly ReportDefinition[];
  /** Athena engine version 3 (Trino) SQL. */
  readonly sql: string;
}

/** Where the queries run, how they read local time, and which tables exist. */
export interface QueryContext {
  readonly databaseName: string;
  /** IANA zone of the export's calendar days; hours of day are shown in it. */
  readonly timeZone: string;
  /** The reports exported, each a table of the database. */
  readonly reports: readonly ReportDefinition[];
}

/** A column of a table whose rows are `Row`, or its partition key. */
type ColumnOf<Row> = (keyof Row & string) | typeof PARTITION_KEY.name;

/** A column of `online_help`; the type ties every query to the writer's schema at compile time. */
function session(name: ColumnOf<SessionRow>): string {
  return name;
}

/** A column of `calls`, tied to the writer's schema like {@link session}. */
function call(name: ColumnOf<CallRow>): string {
  return name;
}

/** The partition filter of the last 30 days, which lets partition projection scan only those days. */
function last30Days(qualifier = ''): string {
  return `${qualifier}${PARTITION_KEY.name} >= date_format(current_date - INTERVAL '30' DAY, '%Y-%m-%d')`;
}

/**
 * The saved queries of the workgroup whose tables exist. Each reads the last 30 days of every table it reads
 * through a filter on the partition key.
 */
export function namedQueries(context: QueryContext): NamedQuery[] {
  const exported = new Set(context.reports.map((report) => report.name));
  return [...sessionQueries(context), ...callQueries(context), ...sessionCallQueries(context)].filter((query) =>
    query.tables.every((table) => exported.has(table.name)),
  );
}

function tableIn(databaseName: string, report: ReportDefinition): string {
  return `"${databaseName}"."${report.name}"`;
}

function sessionQueries({ databaseName, timeZone }: QueryContext): NamedQuery[] {
  const table = tableIn(databaseName, ONLINE_HELP);
  const dt = session(PARTITION_KEY.name);
  const zone = timeZone.replaceAll("'", "''");
  return [
    {
      name: 'DailyVolumeByState',
      description: 'Sessions per day and final state, last 30 days.',
      tables: [ONLINE_HELP],
      sql: [
        `SELECT ${dt}, ${session('help_state')}, count(*) AS sessions`,
        `FROM ${table}`,
        `WHERE ${last30Days()}`,
        `GROUP BY ${dt}, ${session('help_state')}`,
        `ORDER BY ${dt} DESC, sessions DESC`,
      ].join('\n'),
    },
    {
      name: 'WaitTimePercentilesByHour',
      description: `Customer wait time percentiles (seconds) by hour of day in ${timeZone}, last 30 days.`,
      tables: [ONLINE_HELP],
      sql: [
        `SELECT hour(${session('help_requested_at')} AT TIME ZONE '${zone}') AS hour_of_day,`,
        '  count(*) AS sessions,',
        `  approx_percentile(${session('wait_time_seconds')}, 0.5) AS p50_wait_seconds,`,
        `  approx_percentile(${session('wait_time_seconds')}, 0.9) AS p90_wait_seconds,`,
        `  approx_percentile(${session('wait_time_seconds')}, 0.99) AS p99_wait_seconds`,
        `FROM ${table}`,
        `WHERE ${last30Days()} AND ${session('wait_time_seconds')} IS NOT NULL`,
        'GROUP BY 1',
        'ORDER BY 1',
      ].join('\n'),
    },
    {
      name: 'AgentWorkload',
      description: 'Sessions and conversation time per agent, last 30 days.',
      tables: [ONLINE_HELP],
      sql: [
        `SELECT ${session('agent_id')},`,
        `  max_by(${session('agent_name')}, ${session('help_requested_at')}) AS agent_name,`,
        '  count(*) AS sessions,',
        `  sum(${session('help_time_seconds')}) AS total_help_seconds,`,
        `  round(avg(${session('help_time_seconds')})) AS avg_help_seconds,`,
        `  approx_percentile(${session('help_time_seconds')}, 0.9) AS p90_help_seconds`,
        `FROM ${table}`,
        `WHERE ${last30Days()} AND ${session('agent_id')} IS NOT NULL`,
        `GROUP BY ${session('agent_id')}`,
        'ORDER BY sessions DESC',
      ].join('\n'),
    },
  ];
}

/** The `call_use_type` of a call from the video-help service. */
const VIDEO_HELP_CALL = 'VIDEO_HELP_CALL';

function callQueries({ databaseName }: QueryContext): NamedQuery[] {
  const table = tableIn(databaseName, CALLS);
  const dt = call(PARTITION_KEY.name);
  return [
    {
      name: 'DailyCallsByUseType',
      description: 'Calls per day, kind of call and final state, last 30 days.',
      tables: [CALLS],
      sql: [
        `SELECT ${dt}, ${call('call_use_type')}, ${call('call_state')}, count(*) AS call_count`,
        `FROM ${table}`,
        `WHERE ${last30Days()}`,
        `GROUP BY ${dt}, ${call('call_use_type')}, ${call('call_state')}`,
        `ORDER BY ${dt} DESC, call_count DESC`,
      ].join('\n'),
    },
    {
      name: 'VideoHelpAnswerRate',
      description:
        'Video-help calls per day, how many were answered (ENDED after more than 0 seconds), the answer rate and ' +
        'the median time of an answered call in seconds, last 30 days.',
      tables: [CALLS],
      sql: [
        'WITH video_help_calls AS (',
        `  SELECT ${dt}, ${call('call_time_seconds')},`,
        `    ${call('call_state')} = 'ENDED' AND ${call('call_time_seconds')} > 0 AS answered`,
        `  FROM ${table}`,
        `  WHERE ${last30Days()} AND ${call('call_use_type')} = '${VIDEO_HELP_CALL}'`,
        ')',
        `SELECT ${dt},`,
        '  count(*) AS video_help_calls,',
        '  count_if(answered) AS answered_calls,',
        '  round(100.0 * count_if(answered) / count(*), 1) AS answer_rate_percent,',
        `  approx_percentile(${call('call_time_seconds')}, 0.5) FILTER (WHERE answered) AS median_answered_seconds`,
        'FROM video_help_calls',
        `GROUP BY ${dt}`,
        `ORDER BY ${dt} DESC`,
      ].join('\n'),
    },
  ];
}

function sessionCallQueries({ databaseName }: QueryContext): NamedQuery[] {
  const h = (name: ColumnOf<SessionRow>): string => `h.${session(name)}`;
  const c = (name: ColumnOf<CallRow>): string => `c.${call(name)}`;
  // The column the calls subquery adds: one of the call's two parties.
  const party = 'party';
  return [
    {
      name: 'SessionsEscalatedToCalls',
      description:
        'Live-help sessions per day, how many were escalated to a call, and the total and median time of those ' +
        'calls in seconds, last 30 days. A call belongs to a session when the customer (customer_no) is its ' +
        'initiator or receiver and it starts while the conversation runs (help_started_at to help_ended_at). ' +
        "Calls are looked for on the session's own day (dt): a call that starts after midnight in the export " +
        'time zone, in a conversation that began before it, is not counted.',
      tables: [ONLINE_HELP, CALLS],
      sql: [
        `SELECT ${h(PARTITION_KEY.name)},`,
        `  count(DISTINCT ${h('online_help_id')}) AS sessions,`,
        `  count(DISTINCT if(${c('call_id')} IS NOT NULL, ${h('online_help_id')})) AS escalated_sessions,`,
        `  count(DISTINCT ${c('call_id')}) AS escalation_calls,`,
        `  sum(${c('call_time_seconds')}) AS total_call_seconds,`,
        `  approx_percentile(${c('call_time_seconds')}, 0.5) AS median_call_seconds`,
        `FROM ${tableIn(databaseName, ONLINE_HELP)} AS h`,
        // One row per party of a call, so that the join matches the customer by equality, not by an OR.
        'LEFT JOIN (',
        `  SELECT ${call(PARTITION_KEY.name)}, ${call('call_id')}, ${call('call_started_at')}, ` +
          `${call('call_time_seconds')}, ${party}`,
        `  FROM ${tableIn(databaseName, CALLS)}`,
        `  CROSS JOIN UNNEST(array_distinct(ARRAY[${call('initiator_id')}, ${call('receiver_id')}])) ` +
          `AS parties (${party})`,
        `  WHERE ${last30Days()}`,
        ') AS c',
        `  ON ${c(PARTITION_KEY.name)} = ${h(PARTITION_KEY.name)}`,
        `  AND c.${party} = ${h('customer_no')}`,
        `  AND ${c('call_started_at')} BETWEEN ${h('help_started_at')} AND ${h('help_ended_at')}`,
        `WHERE ${last30Days('h.')}`,
        `GROUP BY ${h(PARTITION_KEY.name)}`,
        `ORDER BY ${h(PARTITION_KEY.name)} DESC`,
      ].join('\n'),
    },
  ];
}
