import type { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, test } from 'vitest';
import { parseDay } from '../../../functions/contract/calendar.js';
import { partitionObjectKey, partitionPrefix } from '../../../functions/contract/layout.js';
import {
  CALLS,
  ONLINE_HELP,
  partitionColumn,
  REPORTS,
  type ReportDefinition,
} from '../../../functions/contract/reports.js';
import { DT_FORMAT, glueColumns, PARTITION_KEY, type ColumnDefinition } from '../../../functions/contract/schema.js';
import { namedQueries } from '../../../infra/athena-queries.js';
import { onlyResource, synth } from './support.js';

const { template } = synth();
const [databaseId, database] = onlyResource(template, 'AWS::Glue::Database', 'CatalogDatabase');
const [workGroupId, workGroup] = onlyResource(template, 'AWS::Athena::WorkGroup', 'CatalogWorkGroup');
const [dataBucketId] = onlyResource(template, 'AWS::S3::Bucket', 'BucketsData');
const [resultsBucketId] = onlyResource(template, 'AWS::S3::Bucket', 'BucketsAthenaResults');

interface TableInput {
  Name: string;
  Description: string;
  TableType: string;
  PartitionKeys: unknown;
  Parameters: Record<string, unknown>;
  StorageDescriptor: { Columns: unknown; Location: unknown; [key: string]: unknown };
}

/** The Glue tables of a template, by table name, as `[logicalId, properties]`. */
function tablesOf(t: Template): Map<string, [string, Record<string, unknown>]> {
  const tables = Object.entries(t.findResources('AWS::Glue::Table')) as [
    string,
    { Properties: Record<string, unknown> },
  ][];
  return new Map(
    tables.map(([id, { Properties }]) => [(Properties['TableInput'] as TableInput).Name, [id, Properties]]),
  );
}

/** The one table of `report` in a template, as `[logicalId, properties, tableInput]`. */
function tableOf(report: ReportDefinition, t = template): [string, Record<string, unknown>, TableInput] {
  const found = tablesOf(t).get(report.name);
  if (found === undefined) throw new Error(`no table ${report.name}`);
  const [id, properties] = found;
  return [id, properties, properties['TableInput'] as TableInput];
}

/** A column as CloudFormation spells it. */
function cfnColumn(column: { name: string; type: string; comment: string }): unknown {
  return { Name: column.name, Type: column.type, Comment: column.comment };
}

/** What the comment of a personal column adds for each action, as an analyst reads it in the catalog. */
const NOTES = {
  keep: 'Personal data: kept as received.',
  pseudonymize: 'Personal data: pseudonymized (HMAC-SHA256, hex).',
  drop: 'Personal data: dropped (always NULL).',
} as const;

/**
 * A report's columns as its table lists them when every personal column is under `action` (by default, as the
 * cdk.json default keeps them): the writer's schema, each personal column's comment followed by the action's note.
 */
function tableColumns(report: ReportDefinition, action: keyof typeof NOTES = 'keep'): unknown[] {
  return glueColumns(report.columns).map((column, index) =>
    cfnColumn(
      (report.columns[index] as ColumnDefinition).personal
        ? { ...column, comment: `${column.comment} ${NOTES[action]}` }
        : column,
    ),
  );
}

/** `s3://<data bucket>/diyalog/<rest>` as the template renders it for the created bucket. */
function s3Url(rest: string): unknown {
  return { 'Fn::Join': ['', ['s3://', { Ref: dataBucketId }, `/diyalog/${rest}`]] };
}

describe('the Glue database and tables', () => {
  test('the database', () => {
    expect(database).toEqual({
      CatalogId: { Ref: 'AWS::AccountId' },
      DatabaseInput: { Name: 'diyalog', Description: 'Diyalog reports exported nightly, a table each.' },
    });
  });

  test('one table per report of the cdk.json default, every report, in the database', () => {
    expect([...tablesOf(template).keys()]).toEqual(REPORTS.map((report) => report.name));
    for (const report of REPORTS) {
      const [, table] = tableOf(report);
      expect(table['DatabaseName']).toEqual({ Ref: databaseId });
      expect(table['CatalogId']).toEqual({ Ref: 'AWS::AccountId' });
    }
  });

  test('online_help keeps the logical id it had as the only table, so a deployed stack updates in place', () => {
    expect(tableOf(ONLINE_HELP)[0]).toMatch(/^CatalogTable[0-9A-F]{8}$/);
    expect(tableOf(CALLS)[0]).toMatch(/^CatalogCallsTable[0-9A-F]{8}$/);
  });

  test('the calls table: the writer’s schema, in file order; dt, the day of call_started_at, the partition key', () => {
    const [, , calls] = tableOf(CALLS);
    expect(calls.StorageDescriptor.Columns).toEqual(tableColumns(CALLS));
    expect((calls.StorageDescriptor.Columns as { Name: string }[]).slice(0, 3).map((column) => column.Name)).toEqual([
      'call_id',
      'call_started_at',
      'call_ended_at',
    ]);
    expect(calls.PartitionKeys).toEqual([
      {
        Name: 'dt',
        Type: 'string',
        Comment: 'Day of call_started_at in the export time zone, yyyy-MM-dd; one partition per exported day.',
      },
    ]);
  });

  describe.each(REPORTS.map((report) => [report.name, report] as const))('the %s table', (name, report) => {
    const [, , tableInput] = tableOf(report);

    test('columns are the writer’s schema, in file order, and dt is the partition key', () => {
      expect(tableInput.StorageDescriptor.Columns).toEqual(tableColumns(report));
      expect(tableInput.StorageDescriptor.Columns).toHaveLength(report.columns.length);
      expect(tableInput.PartitionKeys).toEqual([cfnColumn(partitionColumn(report))]);
      expect(partitionColumn(report)).toMatchObject(PARTITION_KEY);
    });

    test(`an external Parquet table at <prefix>/${name}/`, () => {
      expect(tableInput).toMatchObject({ Name: name, Description: report.description, TableType: 'EXTERNAL_TABLE' });
      expect(tableInput.StorageDescriptor).toEqual({
        Columns: tableColumns(report),
        Location: s3Url(`${name}/`),
        InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
        OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
        SerdeInfo: {
          SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
          Parameters: { 'serialization.format': '1' },
        },
      });
    });

    test('partition projection over days, from projectionStartDate to today', () => {
      expect(tableInput.Parameters).toEqual({
        classification: 'parquet',
        'projection.enabled': 'true',
        'projection.dt.type': 'date',
        'projection.dt.format': DT_FORMAT,
        'projection.dt.range': '2024-01-01,NOW',
        'projection.dt.interval': '1',
        'projection.dt.interval.unit': 'DAYS',
        'storage.location.template': s3Url(`${name}/dt=\${dt}/`),
      });
      expect(DT_FORMAT).toBe('yyyy-MM-dd');
    });

    test('the location template resolves to the writer’s partition folder, which holds its object, for any day', () => {
      const imported = synth({ bucketName: 'acme-lake', prefix: 'raw/diyalog', projectionStartDate: '2023-06-01' });
      const [, , { Parameters, StorageDescriptor }] = tableOf(report, imported.template);
      const day = parseDay('2025-11-24');
      const locationTemplate = Parameters['storage.location.template'];
      const partition = typeof locationTemplate === 'string' ? locationTemplate.replace('${dt}', day) : '';
      expect(partition).toBe(`s3://acme-lake/raw/diyalog/${partitionPrefix(report, day)}`);
      expect(`s3://acme-lake/raw/diyalog/${partitionObjectKey(report, day)}`.startsWith(partition)).toBe(true);
      expect(StorageDescriptor.Location).toBe(`s3://acme-lake/raw/diyalog/${name}/`);
      expect(Parameters['projection.dt.range']).toBe('2023-06-01,NOW');
    });
  });

  describe('a personal column’s comment names what the personal-data policy does with it', () => {
    /** Every column comment of a template's tables, by `table.column`. */
    const commentsOf = (t: Template): Map<string, string> =>
      new Map(
        REPORTS.flatMap((report) => {
          const columns = tableOf(report, t)[2].StorageDescriptor.Columns as { Name: string; Comment: string }[];
          return columns.map((column) => [`${report.name}.${column.Name}`, column.Comment] as const);
        }),
      );

    test.each(['keep', 'pseudonymize', 'drop'] as const)('%s: every personal column says so', (action) => {
      const t = synth({ personalData: action }).template;
      for (const report of REPORTS)
        expect(tableOf(report, t)[2].StorageDescriptor.Columns).toEqual(tableColumns(report, action));
      const comments = commentsOf(t);
      expect(comments.size).toBe(REPORTS.flatMap((report) => report.columns).length);
      // Glue's limit for a column comment.
      for (const [column, comment] of comments) expect(comment.length, column).toBeLessThanOrEqual(255);
    });

    test('customer_name, pseudonymized', () => {
      const comments = commentsOf(synth({ personalData: 'pseudonymize' }).template);
      expect(comments.get('online_help.customer_name')).toBe(
        "Customer's full name (personal data). Source: customerName. Personal data: pseudonymized (HMAC-SHA256, hex).",
      );
      expect(comments.get('online_help.help_state')).toBe(
        'Last state of the session exactly as received, e.g. onlinehelp_ended_by_agent. Source: helpState.',
      );
    });

    test('each column under its own action, the default for the others', () => {
      const comments = commentsOf(
        synth({ personalData: 'pseudonymize,agent_id=keep,conversation_detail_link=drop' }).template,
      );
      expect(comments.get('online_help.agent_id')).toMatch(/ Source: agentId\. Personal data: kept as received\.$/);
      expect(comments.get('online_help.conversation_detail_link')).toMatch(
        / Source: conversationDetailLink\. Personal data: dropped \(always NULL\)\.$/,
      );
      expect(comments.get('online_help.agent_name')).toMatch(/ Personal data: pseudonymized \(HMAC-SHA256, hex\)\.$/);
      expect(comments.get('calls.receiver_id')).toMatch(/ Personal data: pseudonymized \(HMAC-SHA256, hex\)\.$/);
      const notes = [...comments.values()].filter((comment) => comment.includes('Personal data: '));
      expect(notes).toHaveLength(REPORTS.flatMap((report) => report.columns.filter((c) => c.personal)).length);
    });
  });

  test('calls land at <prefix>/calls/dt=YYYY-MM-DD/calls.parquet', () => {
    expect(partitionObjectKey(CALLS, parseDay('2025-11-24'))).toBe('calls/dt=2025-11-24/calls.parquet');
  });

  test.each([
    [['online_help'], [ONLINE_HELP]],
    [['calls'], [CALLS]],
    ['calls,online_help', [ONLINE_HELP, CALLS]],
  ])('reports %j: the tables and saved queries of those reports only', (reports, expected) => {
    const only = synth({ reports }).template;
    expect([...tablesOf(only).keys()]).toEqual(expected.map((report) => report.name));
    const saved = Object.values(only.findResources('AWS::Athena::NamedQuery')).map(
      (query) => (query as { Properties: { Name: string; QueryString: string } }).Properties,
    );
    expect(saved.map((query) => query.Name)).toEqual(
      namedQueries({ databaseName: 'diyalog', timeZone: 'Europe/Istanbul', reports: expected }).map((q) => q.name),
    );
    for (const absent of REPORTS.filter((report) => !expected.some(({ name }) => name === report.name))) {
      for (const query of saved) expect(query.QueryString).not.toContain(`"diyalog"."${absent.name}"`);
    }
  });
});

describe('the Athena workgroup', () => {
  test('engine v3, enforced settings, SSE-S3 results in the results bucket, 10 GiB scan limit', () => {
    expect(workGroup).toEqual({
      Name: 'diyalog',
      Description: 'Queries over the Diyalog export: engine v3, encrypted results, scan limit per query.',
      State: 'ENABLED',
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        PublishCloudWatchMetricsEnabled: true,
        BytesScannedCutoffPerQuery: 10 * 1024 ** 3,
        EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
        ResultConfiguration: {
          OutputLocation: { 'Fn::Join': ['', ['s3://', { Ref: resultsBucketId }, '/']] },
          EncryptionConfiguration: { EncryptionOption: 'SSE_S3' },
        },
      },
    });
  });

  test('the saved queries run in the workgroup against the database, after the tables they read', () => {
    const queries = namedQueries({ databaseName: 'diyalog', timeZone: 'Europe/Istanbul', reports: REPORTS });
    expect(queries.map((query) => [query.name, query.tables.map((table) => table.name)])).toEqual([
      ['DailyVolumeByState', ['online_help']],
      ['WaitTimePercentilesByHour', ['online_help']],
      ['AgentWorkload', ['online_help']],
      ['DailyCallsByUseType', ['calls']],
      ['VideoHelpAnswerRate', ['calls']],
      ['SessionsEscalatedToCalls', ['online_help', 'calls']],
    ]);
    for (const query of queries) {
      const [, props] = onlyResource(template, 'AWS::Athena::NamedQuery', `Catalog${query.name}`);
      expect(props).toEqual({
        Name: query.name,
        Description: query.description,
        Database: 'diyalog',
        WorkGroup: { Ref: workGroupId },
        QueryString: query.sql,
      });
      template.hasResource('AWS::Athena::NamedQuery', {
        Properties: { Name: query.name },
        // CDK writes DependsOn sorted.
        DependsOn: query.tables.map((table) => tableOf(table)[0]).sort(),
      });
    }
  });
});

describe('the saved queries', () => {
  const queries = namedQueries({ databaseName: 'diyalog', timeZone: 'Europe/Istanbul', reports: REPORTS });
  const sql = (name: string): string => queries.find((query) => query.name === name)?.sql ?? '';
  const last30Days = "dt >= date_format(current_date - INTERVAL '30' DAY, '%Y-%m-%d')";

  test('read their tables only, and prune each table read to the last 30 days', () => {
    for (const { sql: text, tables } of queries) {
      const read = [...text.matchAll(/FROM "diyalog"\."(\w+)"/g)].map((match) => match[1]);
      expect(read).toEqual(tables.map((table) => table.name));
      expect(text.split(last30Days)).toHaveLength(tables.length + 1);
    }
  });

  test('name only columns of the tables they read', () => {
    const functions = ['approx_percentile', 'max_by', 'date_format', 'current_date', 'count_if', 'array_distinct'];
    for (const { sql: text, tables } of queries) {
      const columns = new Set(
        [PARTITION_KEY.name, ...tables.flatMap((table) => glueColumns(table.columns))].map((column) =>
          typeof column === 'string' ? column : column.name,
        ),
      );
      const snakeCase = text.match(/\b[a-z]+(?:_[a-z]+)+\b/g) ?? [];
      const aliases = [...text.matchAll(/\bAS ([a-z_0-9]+)/g), ...text.matchAll(/\bWITH ([a-z_]+) AS/g)].map(
        (match) => match[1],
      );
      const unknown = snakeCase.filter(
        (word) =>
          !columns.has(word) &&
          !aliases.includes(word) &&
          !functions.includes(word) &&
          !tables.some((table) => table.name === word),
      );
      expect(unknown).toEqual([]);
    }
  });

  test('daily volume by state', () => {
    expect(sql('DailyVolumeByState')).toBe(
      [
        'SELECT dt, help_state, count(*) AS sessions',
        'FROM "diyalog"."online_help"',
        `WHERE ${last30Days}`,
        'GROUP BY dt, help_state',
        'ORDER BY dt DESC, sessions DESC',
      ].join('\n'),
    );
  });

  test('wait-time percentiles by local hour of day', () => {
    expect(sql('WaitTimePercentilesByHour')).toBe(
      [
        "SELECT hour(help_requested_at AT TIME ZONE 'Europe/Istanbul') AS hour_of_day,",
        '  count(*) AS sessions,',
        '  approx_percentile(wait_time_seconds, 0.5) AS p50_wait_seconds,',
        '  approx_percentile(wait_time_seconds, 0.9) AS p90_wait_seconds,',
        '  approx_percentile(wait_time_seconds, 0.99) AS p99_wait_seconds',
        'FROM "diyalog"."online_help"',
        `WHERE ${last30Days} AND wait_time_seconds IS NOT NULL`,
        'GROUP BY 1',
        'ORDER BY 1',
      ].join('\n'),
    );
  });

  test('agent workload', () => {
    expect(sql('AgentWorkload')).toBe(
      [
        'SELECT agent_id,',
        '  max_by(agent_name, help_requested_at) AS agent_name,',
        '  count(*) AS sessions,',
        '  sum(help_time_seconds) AS total_help_seconds,',
        '  round(avg(help_time_seconds)) AS avg_help_seconds,',
        '  approx_percentile(help_time_seconds, 0.9) AS p90_help_seconds',
        'FROM "diyalog"."online_help"',
        `WHERE ${last30Days} AND agent_id IS NOT NULL`,
        'GROUP BY agent_id',
        'ORDER BY sessions DESC',
      ].join('\n'),
    );
  });

  test('daily calls by kind and state', () => {
    expect(sql('DailyCallsByUseType')).toBe(
      [
        'SELECT dt, call_use_type, call_state, count(*) AS call_count',
        'FROM "diyalog"."calls"',
        `WHERE ${last30Days}`,
        'GROUP BY dt, call_use_type, call_state',
        'ORDER BY dt DESC, call_count DESC',
      ].join('\n'),
    );
  });

  test('video-help answer rate and median answered call time by day', () => {
    expect(sql('VideoHelpAnswerRate')).toBe(
      [
        'WITH video_help_calls AS (',
        '  SELECT dt, call_time_seconds,',
        "    call_state = 'ENDED' AND call_time_seconds > 0 AS answered",
        '  FROM "diyalog"."calls"',
        `  WHERE ${last30Days} AND call_use_type = 'VIDEO_HELP_CALL'`,
        ')',
        'SELECT dt,',
        '  count(*) AS video_help_calls,',
        '  count_if(answered) AS answered_calls,',
        '  round(100.0 * count_if(answered) / count(*), 1) AS answer_rate_percent,',
        '  approx_percentile(call_time_seconds, 0.5) FILTER (WHERE answered) AS median_answered_seconds',
        'FROM video_help_calls',
        'GROUP BY dt',
        'ORDER BY dt DESC',
      ].join('\n'),
    );
  });

  test('live-help sessions escalated to calls of the same customer during the conversation, by day', () => {
    expect(sql('SessionsEscalatedToCalls')).toBe(
      [
        'SELECT h.dt,',
        '  count(DISTINCT h.online_help_id) AS sessions,',
        '  count(DISTINCT if(c.call_id IS NOT NULL, h.online_help_id)) AS escalated_sessions,',
        '  count(DISTINCT c.call_id) AS escalation_calls,',
        '  sum(c.call_time_seconds) AS total_call_seconds,',
        '  approx_percentile(c.call_time_seconds, 0.5) AS median_call_seconds',
        'FROM "diyalog"."online_help" AS h',
        'LEFT JOIN (',
        '  SELECT dt, call_id, call_started_at, call_time_seconds, party',
        '  FROM "diyalog"."calls"',
        '  CROSS JOIN UNNEST(array_distinct(ARRAY[initiator_id, receiver_id])) AS parties (party)',
        `  WHERE ${last30Days}`,
        ') AS c',
        '  ON c.dt = h.dt',
        '  AND c.party = h.customer_no',
        '  AND c.call_started_at BETWEEN h.help_started_at AND h.help_ended_at',
        `WHERE h.${last30Days}`,
        'GROUP BY h.dt',
        'ORDER BY h.dt DESC',
      ].join('\n'),
    );
    expect(queries.find((query) => query.name === 'SessionsEscalatedToCalls')?.description).toContain(
      "Calls are looked for on the session's own day (dt): a call that starts after midnight",
    );
  });

  test('are saved only where every table they read exists', () => {
    const names = (reports: readonly ReportDefinition[]): string[] =>
      namedQueries({ databaseName: 'diyalog', timeZone: 'UTC', reports }).map((query) => query.name);
    expect(names([ONLINE_HELP])).toEqual(['DailyVolumeByState', 'WaitTimePercentilesByHour', 'AgentWorkload']);
    expect(names([CALLS])).toEqual(['DailyCallsByUseType', 'VideoHelpAnswerRate']);
  });
});
