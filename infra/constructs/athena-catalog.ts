import { Stack } from 'aws-cdk-lib';
import { CfnNamedQuery, CfnWorkGroup } from 'aws-cdk-lib/aws-athena';
import { CfnDatabase, CfnTable } from 'aws-cdk-lib/aws-glue';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { TABLE_NAME } from '../../functions/contract/layout.js';
import { DT_FORMAT, PARTITION_KEY, glueColumns } from '../../functions/contract/schema.js';
import { namedQueries } from '../athena-queries.js';

/** Largest scan one query of the workgroup may make: a guard against a query that forgets the `dt` filter. */
export const BYTES_SCANNED_CUTOFF = 10 * 1024 ** 3;

/** Properties of {@link AthenaCatalog}. */
export interface AthenaCatalogProps {
  /** The data lake bucket. */
  readonly bucket: IBucket;
  /** Export root inside the bucket. */
  readonly prefix: string;
  /** Where the workgroup writes query results. */
  readonly resultsBucket: IBucket;
  /** Name of the Glue database and the Athena workgroup. */
  readonly databaseName: string;
  /** First `dt` that partition projection generates, `YYYY-MM-DD`. */
  readonly projectionStartDate: string;
  /** Zone of the export's calendar days, for the saved queries' hour of day. */
  readonly timeZone: string;
}

/**
 * The Glue database and the `online_help` table over the exported Parquet, and an Athena workgroup with saved
 * queries. The table's columns are generated from the writer's schema (`glueColumns()`, `PARTITION_KEY`), never
 * restated. Partitions are not registered: partition projection computes them from `dt`, so a freshly exported
 * day is queryable at once, with no crawler and no `MSCK REPAIR TABLE`.
 */
export class AthenaCatalog extends Construct {
  /** The Glue database, named after the `databaseName` setting. */
  readonly database: CfnDatabase;
  /** The `online_help` table. */
  readonly table: CfnTable;
  /** The Athena workgroup, named like the database. */
  readonly workGroup: CfnWorkGroup;

  constructor(scope: Construct, id: string, props: AthenaCatalogProps) {
    super(scope, id);
    const account = Stack.of(this).account;
    const tableRoot = `s3://${props.bucket.bucketName}/${props.prefix}/${TABLE_NAME}/`;
    const dt = PARTITION_KEY.name;

    this.database = new CfnDatabase(this, 'Database', {
      catalogId: account,
      databaseInput: { name: props.databaseName, description: 'Diyalog live-help sessions exported nightly.' },
    });

    this.table = new CfnTable(this, 'Table', {
      catalogId: account,
      databaseName: this.database.ref,
      tableInput: {
        name: TABLE_NAME,
        description: 'One row per Diyalog live-help session; one partition (dt) per exported day.',
        tableType: 'EXTERNAL_TABLE',
        partitionKeys: [PARTITION_KEY],
        parameters: {
          classification: 'parquet',
          'projection.enabled': 'true',
          [`projection.${dt}.type`]: 'date',
          [`projection.${dt}.format`]: DT_FORMAT,
          [`projection.${dt}.range`]: `${props.projectionStartDate},NOW`,
          [`projection.${dt}.interval`]: '1',
          [`projection.${dt}.interval.unit`]: 'DAYS',
          // `${dt}` is for Athena to fill in, not a template literal of ours.
          'storage.location.template': `${tableRoot}${dt}=\${${dt}}/`,
        },
        storageDescriptor: {
          columns: glueColumns(),
          location: tableRoot,
          inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
          serdeInfo: {
            serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
            parameters: { 'serialization.format': '1' },
          },
        },
      },
    });

    this.workGroup = new CfnWorkGroup(this, 'WorkGroup', {
      name: props.databaseName,
      description: 'Queries over the Diyalog export: engine v3, encrypted results, scan limit per query.',
      state: 'ENABLED',
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: BYTES_SCANNED_CUTOFF,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: `s3://${props.resultsBucket.bucketName}/`,
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
        },
      },
    });

    for (const query of namedQueries({ databaseName: props.databaseName, timeZone: props.timeZone })) {
      const named = new CfnNamedQuery(this, query.name, {
        name: query.name,
        description: query.description,
        database: props.databaseName,
        workGroup: this.workGroup.ref,
        queryString: query.sql,
      });
      named.addResourceDependency(this.table);
    }
  }
}
