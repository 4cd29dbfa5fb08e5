/**
 * THE column definition of the exported session table. The Parquet writer schema (parquet/) and the Glue table
 * columns (infra/) are both derived from {@link SESSION_COLUMNS}; change a column here and nowhere else.
 *
 * The table is partitioned by {@link PARTITION_KEY} (`dt`), which lives in the S3 key, not in the Parquet file.
 */

/** Hive/Athena DDL types the table uses. */
export type AthenaType = 'bigint' | 'string' | 'timestamp' | 'int';

/** One stored column of the session table. */
export interface ColumnDefinition {
  /** snake_case column name, identical in Parquet, Glue and SQL. */
  readonly name: string;
  readonly athenaType: AthenaType;
  /** REQUIRED in Parquet: the value is never NULL. */
  readonly required: boolean;
  /** Meaning and source API field; becomes the Glue column comment (at most 255 characters). */
  readonly comment: string;
}

/**
 * The TypeScript value of each Athena type in a {@link SessionRow}: `bigint` is a JS bigint (ids exceed 2^53),
 * `timestamp` is epoch milliseconds (UTC), `int` is a 32-bit signed integer.
 */
interface ValueOfAthenaType {
  bigint: bigint;
  string: string;
  timestamp: number;
  int: number;
}

function defineColumns<const T extends readonly ColumnDefinition[]>(columns: T): T {
  for (const column of columns) Object.freeze(column);
  return Object.freeze(columns);
}

/** The stored columns, in file and table order. */
export const SESSION_COLUMNS = defineColumns([
  {
    name: 'online_help_id',
    athenaType: 'bigint',
    required: true,
    comment: 'Unique id of the live-help session. Source: onlineHelpId.',
  },
  {
    name: 'customer_no',
    athenaType: 'string',
    required: false,
    comment: 'Customer number. Source: customerNo.',
  },
  {
    name: 'customer_name',
    athenaType: 'string',
    required: false,
    comment: "Customer's full name (personal data). Source: customerName.",
  },
  {
    name: 'agent_id',
    athenaType: 'string',
    required: false,
    comment: 'Staff number (sicil) of the agent; NULL if the session never started. Source: agentId.',
  },
  {
    name: 'agent_name',
    athenaType: 'string',
    required: false,
    comment: "Agent's full name (personal data); NULL if the session never started. Source: agentName.",
  },
  {
    name: 'help_state',
    athenaType: 'string',
    required: false,
    comment: 'Last state of the session exactly as received, e.g. onlinehelp_ended_by_agent. Source: helpState.',
  },
  {
    name: 'help_requested_at',
    athenaType: 'timestamp',
    required: true,
    comment:
      'When the customer asked for help, UTC, millisecond precision; rows are sorted by it, and dt is its day in ' +
      'the export time zone. Source: helpRequestedAt (epoch ms).',
  },
  {
    name: 'help_started_at',
    athenaType: 'timestamp',
    required: false,
    comment: 'When an agent started the conversation, UTC; NULL if it never started. Source: helpStartedAt (epoch ms).',
  },
  {
    name: 'help_ended_at',
    athenaType: 'timestamp',
    required: false,
    comment: 'When the conversation ended, UTC; NULL if it never started. Source: helpEndedAt (epoch ms).',
  },
  {
    name: 'wait_time_seconds',
    athenaType: 'int',
    required: false,
    comment: 'Seconds the customer waited for an agent, also set when the customer cancelled. Source: waitTime.',
  },
  {
    name: 'help_time_seconds',
    athenaType: 'int',
    required: false,
    comment: 'Duration of the conversation in seconds. Source: helpTime.',
  },
  {
    name: 'conversation_detail_link',
    athenaType: 'string',
    required: false,
    comment: 'URL that opens the transcript in Diyalog. Source: conversationDetailLink.',
  },
]);

/** One of {@link SESSION_COLUMNS}, with its literal name and type. */
type SessionColumn = (typeof SESSION_COLUMNS)[number];

type ValueOf<C extends ColumnDefinition> = C['required'] extends true
  ? ValueOfAthenaType[C['athenaType']]
  : ValueOfAthenaType[C['athenaType']] | null;

/**
 * One session as written to Parquet, derived from {@link SESSION_COLUMNS}: `online_help_id: bigint`, strings
 * `string | null`, timestamps epoch milliseconds (`help_requested_at: number`, the others `number | null`), ints
 * `number | null` in the 32-bit signed range. An absent API field is `null`, never `undefined`.
 */
export type SessionRow = { readonly [C in SessionColumn as C['name']]: ValueOf<C> };

/** A column as `AWS::Glue::Table` `StorageDescriptor.Columns` / `PartitionKeys` take it. */
export interface GlueColumn {
  readonly name: string;
  readonly type: string;
  readonly comment: string;
}

/** The Glue table's data columns (not the partition key), in file order; a fresh array on every call. */
export function glueColumns(): GlueColumn[] {
  return SESSION_COLUMNS.map(({ name, athenaType, comment }) => ({ name, type: athenaType, comment }));
}

/**
 * The partition column. It is part of the S3 key (`…/dt=2025-11-24/…`), never stored in the Parquet file.
 * A string rather than a date, as the Athena docs advise for partition keys (DATE keys can be slower).
 */
export const PARTITION_KEY = Object.freeze({
  name: 'dt',
  type: 'string',
  comment: 'Day of help_requested_at in the export time zone, yyyy-MM-dd; one partition per exported day.',
} as const satisfies GlueColumn);

/**
 * Format of a `dt` value, as a Java `DateTimeFormatter` pattern (what Athena partition projection's
 * `projection.dt.format` takes); e.g. `2025-11-24`.
 */
export const DT_FORMAT = 'yyyy-MM-dd';
