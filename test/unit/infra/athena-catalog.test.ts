import { describe, expect, test } from 'vitest';
import { parseDay } from '../../../functions/contract/calendar.js';
import { partitionPrefix, TABLE_NAME } from '../../../functions/contract/layout.js';
import { DT_FORMAT, glueColumns, PARTITION_KEY, SESSION_COLUMNS } from '../../../functions/contract/schema.js';
import { namedQueries } from '../../../infra/athena-queries.js';
import { onlyResource, synth } from './support.js';

const { template } = synth();
const [databaseId, database] = onlyResource(template, 'AWS::Glue::Database', 'CatalogDatabase');
const [tableId, table] = onlyResource(template, 'AWS::Glue::Table', 'CatalogTable');
const [workGroupId, workGroup] = onlyResource(template, 'AWS::Athena::WorkGroup', 'CatalogWorkGroup');
const [dataBucketId] = onlyResource(template, 'AWS::S3::Bucket', 'BucketsData');
const [resultsBucketId] = onlyResource(template, 'AWS::S3::Bucket', 'BucketsAthenaResults');

interface TableInput {
  Name: string;
  TableType: string;
  PartitionKeys: unknown;
  Parameters: Record<string, unknown>;
  StorageDescriptor: { Columns: unknown; Location: unknown; [key: string]: unknown };
}
const tableInput = table['TableInput'] as TableInput;

/** A column as CloudFormation spells it. */
function cfnColumn(column: { name: string; type: string; comment: string }): unknown {
  return { Name: column.name, Type: column.type, Comment: column.comment };
}

/** `s3://<data bucket>/diyalog/<rest>` as the template renders it for the created bucket. */
function s3Url(rest: string): unknown {
  return { 'Fn::Join': ['', ['s3://', { Ref: dataBucketId }, `/diyalog/${rest}`]] };
}

describe('the Glue database and table', () => {
  test('the database', () => {
    expect(database).toEqual({
      CatalogId: { Ref: 'AWS::AccountId' },
      DatabaseInput: { Name: 'diyalog', Description: 'Diyalog live-help sessions exported nightly.' },
    });
    expect(table['DatabaseName']).toEqual({ Ref: databaseId });
    expect(table['CatalogId']).toEqual({ Ref: 'AWS::AccountId' });
  });

  test('columns are the writer’s schema, in file order, and dt is the partition key', () => {
    expect(tableInput.StorageDescriptor.Columns).toEqual(glueColumns().map(cfnColumn));
    expect(tableInput.StorageDescriptor.Columns).toHaveLength(SESSION_COLUMNS.length);
    expect(tableInput.PartitionKeys).toEqual([cfnColumn(PARTITION_KEY)]);
  });

  test('an external Parquet table at <prefix>/online_help/', () => {
    expect(tableInput).toMatchObject({ Name: TABLE_NAME, TableType: 'EXTERNAL_TABLE' });
    expect(tableInput.StorageDescriptor).toEqual({
      Columns: glueColumns().map(cfnColumn),
      Location: s3Url('online_help/'),
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
      'storage.location.template': s3Url('online_help/dt=${dt}/'),
    });
    expect(DT_FORMAT).toBe('yyyy-MM-dd');
  });

  test('the location template resolves to the writer’s partition folder for any day', () => {
    const imported = synth({ bucketName: 'acme-lake', prefix: 'raw/diyalog', projectionStartDate: '2023-06-01' });
    const [, props] = onlyResource(imported.template, 'AWS::Glue::Table', 'CatalogTable');
    const { Parameters, StorageDescriptor } = props['TableInput'] as TableInput;
    const day = parseDay('2025-11-24');
    const locationTemplate = Parameters['storage.location.template'];
    expect(typeof locationTemplate === 'string' && locationTemplate.replace('${dt}', day)).toBe(
      `s3://acme-lake/raw/diyalog/${partitionPrefix(day)}`,
    );
    expect(StorageDescriptor.Location).toBe(`s3://acme-lake/raw/diyalog/${TABLE_NAME}/`);
    expect(Parameters['projection.dt.range']).toBe('2023-06-01,NOW');
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

  test('the saved queries run in the workgroup against the database', () => {
    const queries = namedQueries({ databaseName: 'diyalog', timeZone: 'Europe/Istanbul' });
    expect(queries.map((query) => query.name)).toEqual([
      'DailyVolumeByState',
      'WaitTimePercentilesByHour',
      'AgentWorkload',
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
        DependsOn: [tableId],
      });
    }
  });
});

describe('the saved queries', () => {
  const queries = namedQueries({ databaseName: 'diyalog', timeZone: 'Europe/Istanbul' });
  const sql = (name: string): string => queries.find((query) => query.name === name)?.sql ?? '';
  const columns = new Set([...glueColumns().map((column) => column.name), PARTITION_KEY.name]);

  test('read the table and prune partitions to the last 30 days', () => {
    for (const { sql: text } of queries) {
      expect(text).toContain('FROM "diyalog"."online_help"');
      expect(text).toContain("dt >= date_format(current_date - INTERVAL '30' DAY, '%Y-%m-%d')");
    }
  });

  test('name only columns of the table', () => {
    for (const { sql: text } of queries) {
      const snakeCase = text.match(/\b[a-z]+(?:_[a-z]+)+\b/g) ?? [];
      const aliases = [...text.matchAll(/\bAS ([a-z_0-9]+)/g)].map((match) => match[1]);
      const functions = ['approx_percentile', 'max_by', 'date_format', 'current_date', 'online_help'];
      const unknown = snakeCase.filter(
        (word) => !columns.has(word) && !aliases.includes(word) && !functions.includes(word),
      );
      expect(unknown).toEqual([]);
    }
  });

  test('daily volume by state', () => {
    expect(sql('DailyVolumeByState')).toBe(
      [
        'SELECT dt, help_state, count(*) AS sessions',
        'FROM "diyalog"."online_help"',
        "WHERE dt >= date_format(current_date - INTERVAL '30' DAY, '%Y-%m-%d')",
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
        "WHERE dt >= date_format(current_date - INTERVAL '30' DAY, '%Y-%m-%d') AND wait_time_seconds IS NOT NULL",
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
        "WHERE dt >= date_format(current_date - INTERVAL '30' DAY, '%Y-%m-%d') AND agent_id IS NOT NULL",
        'GROUP BY agent_id',
        'ORDER BY sessions DESC',
      ].join('\n'),
    );
  });
});
