/**
 * THE report definitions: each Diyalog report the exporter pages, and the table it becomes. The pager, the record
 * mapping, the day export, the stores, the Lambda, the CLI, the Glue tables and the local query views all work
 * from these; adding a report of the same paging style (20 per call, newest first, time cursor) is one more
 * definition here, plus data for the simulator.
 */
import { SettingError } from './errors.js';
import { defineColumns, PARTITION_KEY, type ColumnDefinition, type GlueColumn, type RowOf } from './schema.js';

export interface ReportDefinition {
  /** The table's name: its folder below the export root, the Glue table, `--reports` and the `Report` metric dimension. */
  readonly name: string;
  /** The report's path below the installation's base URL; also the signed resource. */
  readonly path: string;
  /** Fields every request carries besides `startDate` and `endDate`. */
  readonly requestExtras: Readonly<Record<string, string>>;
  /** The file name of a day's one Parquet object. */
  readonly objectName: string;
  /** What one row is, for people: `session`, `call`. */
  readonly rowNoun: string;
  /** Describes the Glue table. */
  readonly description: string;
  /** The stored columns, in file and table order. */
  readonly columns: readonly ColumnDefinition[];
  /** The required bigint column holding the record's unique id. */
  readonly idColumn: string;
  /** Whether ids are positive only, or any signed 64-bit value (negative call ids occur). */
  readonly ids: 'positive' | 'signed';
  /**
   * The required timestamp column the report is ordered and paged by: rows are sorted by it, then by id, and a
   * row's `dt` is its day in the export time zone.
   */
  readonly cursorColumn: string;
  /**
   * Timestamp columns that show how far a record had progressed, the most telling first: of two copies of an id,
   * the one further along is kept.
   */
  readonly progressColumns: readonly string[];
}

interface ColumnFlags {
  readonly required?: true;
  readonly personal?: true;
}

/** One column, with its literal name and type kept for `RowOf`; the comment ends by citing its source field. */
function column<
  const Name extends string,
  const Type extends ColumnDefinition['athenaType'],
  const Flags extends ColumnFlags = { readonly required?: never },
>(name: Name, athenaType: Type, source: string, comment: string, flags?: Flags) {
  return {
    name,
    athenaType,
    source,
    comment: `${comment} Source: ${source}.`,
    required: (flags?.required ?? false) as Flags['required'] extends true ? true : false,
    personal: flags?.personal ?? false,
  };
}

const ONLINE_HELP_COLUMNS = defineColumns([
  column('online_help_id', 'bigint', 'onlineHelpId', 'Unique id of the live-help session.', { required: true }),
  column('customer_no', 'string', 'customerNo', 'Customer number (personal data).', { personal: true }),
  column('customer_name', 'string', 'customerName', "Customer's full name (personal data).", { personal: true }),
  column(
    'agent_id',
    'string',
    'agentId',
    'Staff number (sicil) of the agent (personal data); NULL if the session never started.',
    { personal: true },
  ),
  column('agent_name', 'string', 'agentName', "Agent's full name (personal data); NULL if the session never started.", {
    personal: true,
  }),
  column(
    'help_state',
    'string',
    'helpState',
    'Last state of the session exactly as received, e.g. onlinehelp_ended_by_agent.',
  ),
  column(
    'help_requested_at',
    'timestamp',
    'helpRequestedAt',
    'When the customer asked for help, UTC, millisecond precision; rows are sorted by it, and dt is its day in ' +
      'the export time zone (epoch ms in the API).',
    { required: true },
  ),
  column(
    'help_started_at',
    'timestamp',
    'helpStartedAt',
    'When an agent started the conversation, UTC; NULL if it never started.',
  ),
  column('help_ended_at', 'timestamp', 'helpEndedAt', 'When the conversation ended, UTC; NULL if it never started.'),
  column(
    'wait_time_seconds',
    'int',
    'waitTime',
    'Seconds the customer waited for an agent, also set when the customer cancelled.',
  ),
  column('help_time_seconds', 'int', 'helpTime', 'Duration of the conversation in seconds.'),
  column(
    'conversation_detail_link',
    'string',
    'conversationDetailLink',
    'URL that opens the transcript in Diyalog (personal data).',
    { personal: true },
  ),
]);

/** Live-help sessions: `getonlinehelplist`, spec §1. */
export const ONLINE_HELP = Object.freeze({
  name: 'online_help',
  path: '/v1/reporting/getonlinehelplist',
  requestExtras: Object.freeze({}),
  objectName: 'sessions.parquet',
  rowNoun: 'session',
  description: 'Diyalog live-help sessions (getonlinehelplist), one Parquet object per day.',
  columns: ONLINE_HELP_COLUMNS,
  idColumn: 'online_help_id',
  ids: 'positive',
  cursorColumn: 'help_requested_at',
  progressColumns: Object.freeze(['help_ended_at', 'help_started_at', 'help_requested_at']),
} as const satisfies ReportDefinition);

const USER_TYPES = '1 personal, 2 business, 3 enterprise, 4 staff, 5 domain customer, 6 bot, 7 anonymous customer.';

const CALL_COLUMNS = defineColumns([
  column('call_id', 'bigint', 'callId', 'Unique id of the call; signed, negative ids occur and are kept exactly.', {
    required: true,
  }),
  column(
    'call_started_at',
    'timestamp',
    'callStartedAt',
    'When the call started, UTC, millisecond precision; rows are sorted by it, and dt is its day in the export ' +
      'time zone (epoch ms in the API).',
    { required: true },
  ),
  column('call_ended_at', 'timestamp', 'callEndedAt', 'When the call ended, UTC.'),
  column('call_time_seconds', 'int', 'callTime', 'Duration of the call in seconds; 0 when it never connected.'),
  column(
    'call_type',
    'string',
    'callType',
    "video or voice; '' when the type is unknown (calls before Diyalog 1.6.2).",
  ),
  column('call_state', 'string', 'callState', 'Call state as received: ENDED, MISSED, START.'),
  column(
    'call_use_type',
    'string',
    'callUseType',
    'Kind of call as received, e.g. VIDEO_HELP_CALL, ONLINE_HELP_CALL, DIYALOG_STANDART_CALL, UNKOWN.',
  ),
  column(
    'initiator_id',
    'string',
    'initiatorId',
    'Staff or customer number of the caller (personal data); joins online_help.customer_no.',
    { personal: true },
  ),
  column('initiator_name', 'string', 'nameOfInitiator', "Caller's full name (personal data).", { personal: true }),
  column('initiator_user_type', 'int', 'initiatorUserType', `Caller's user type: ${USER_TYPES}`),
  column('initiator_app_name', 'string', 'initiatorAppName', "Caller's client, e.g. Agent Web App."),
  column(
    'receiver_id',
    'string',
    'receiverId',
    'Staff or customer number of the callee (personal data); joins online_help.customer_no.',
    { personal: true },
  ),
  column('receiver_name', 'string', 'nameOfReceiver', "Callee's full name (personal data).", { personal: true }),
  column('receiver_user_type', 'int', 'receiverUserType', `Callee's user type: ${USER_TYPES}`),
  column('receiver_app_name', 'string', 'receiverAppName', "Callee's client, e.g. Diyalog Android."),
  column(
    'call_view_url',
    'string',
    'callViewUrl',
    "Link to the call recording (personal data); '' when there is none.",
    { personal: true },
  ),
]);

/** Video and voice calls: `getcalllist`, spec §4. */
export const CALLS = Object.freeze({
  name: 'calls',
  path: '/v1/reporting/getcalllist',
  requestExtras: Object.freeze({ callType: 'all' }),
  objectName: 'calls.parquet',
  rowNoun: 'call',
  description: 'Diyalog video and voice calls (getcalllist), one Parquet object per day.',
  columns: CALL_COLUMNS,
  idColumn: 'call_id',
  ids: 'signed',
  cursorColumn: 'call_started_at',
  progressColumns: Object.freeze(['call_ended_at', 'call_started_at']),
} as const satisfies ReportDefinition);

/** One live-help session as written to Parquet. */
export type SessionRow = RowOf<typeof ONLINE_HELP.columns>;
/** One call as written to Parquet. */
export type CallRow = RowOf<typeof CALL_COLUMNS>;

/** Every report, in the order a run exports them. */
export const REPORTS: readonly ReportDefinition[] = Object.freeze([ONLINE_HELP, CALLS]);

/** The names `--reports`, `EXPORT_REPORTS` and the `reports` context accept. */
export const REPORT_NAMES: readonly string[] = Object.freeze(REPORTS.map((report) => report.name));

/** Whether a JSON value is a list of strings, the form in which events, inputs and cdk.json name reports. */
export function isNameList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/**
 * The reports a list of names asks for, in {@link REPORTS} order, each once. An empty list or an unknown name is
 * refused with the known names.
 */
export function reportsNamed(names: readonly string[], setting: string): readonly ReportDefinition[] {
  const known = `known reports: ${REPORT_NAMES.join(', ')}`;
  if (names.length === 0) throw new SettingError(setting, `names no report; ${known}`);
  for (const name of names) {
    if (!REPORT_NAMES.includes(name)) throw new SettingError(setting, `"${name}" is not a report; ${known}`);
  }
  return REPORTS.filter((report) => names.includes(report.name));
}

/** A comma-separated list of report names, e.g. `online_help,calls` (see {@link reportsNamed}). */
export function reportsSetting(text: string, setting: string): readonly ReportDefinition[] {
  const names = text.split(',').map((name) => name.trim());
  if (names.some((name) => name === '') && text.trim() !== '') {
    throw new SettingError(setting, `"${text}" has an empty name; write e.g. ${REPORT_NAMES.join(',')}`);
  }
  return reportsNamed(
    names.filter((name) => name !== ''),
    setting,
  );
}

/** A report's column by name; the definitions are checked to hold every column they name. */
export function columnOf(report: ReportDefinition, name: string): ColumnDefinition {
  const found = report.columns.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`report ${report.name} has no column ${name}`);
  return found;
}

/** The partition column of a report's table, with a comment that names the column its day is taken from. */
export function partitionColumn(report: ReportDefinition): GlueColumn {
  return {
    ...PARTITION_KEY,
    comment: `Day of ${report.cursorColumn} in the export time zone, yyyy-MM-dd; one partition per exported day.`,
  };
}
