import { Stack } from 'aws-cdk-lib';
import { CfnNamedQuery, CfnWorkGroup } from 'aws-cdk-lib/aws-athena';
import { CfnDatabase, CfnTable } from 'aws-cdk-lib/aws-glue';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { tableFolder } from '../../functions/contract/layout.js';
import type { PersonalDataPolicy } from '../../functions/contract/personal-data.js';
import { ONLINE_HELP, partitionColumn, type ReportDefinition } from '../../functions/contract/reports.js';
import { DT_FORMAT, PARTITION_KEY, glueColumns } from '../../functions/contract/schema.js';
import { namedQueries } from '../athena-queries.js';
import { columnComment } from '../column-comments.js';
import { reportId } from '../construct-ids.js';

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
  /** The reports exported: a table each, and the saved queries over those tables. */
  readonly reports: readonly ReportDefinition[];
  /** The personal-data policy the function applies, which the personal columns' comments name. */
  readonly personalData: PersonalDataPolicy;
}

/**
 * The Glue database with one table over each exported report's Parquet, and an Athena workgroup with saved
 * queries. A table's columns are generated from its report's definition, the writer's schema
 * (`glueColumns(report.columns)`, `partitionColumn(report)`), never restated; a personal column's comment adds
 * what the personal-data policy does with it. Partitions are not registered:
 * partition projection computes them from `dt`, so a freshly exported day is queryable at once, with no crawler
 * and no `MSCK REPAIR TABLE`.
 */
export class AthenaCatalog extends Construct {
  /** The Glue database, named after the `databaseName` setting. */
  readonly database: CfnDatabase;
  /** The table of each exported report, by the report's name. */
  readonly tables: ReadonlyMap<string, CfnTable>;
  /** The Athena workgroup, named like the database. */
  readonly workGroup: CfnWorkGroup;

  constructor(scope: Construct, id: string, props: AthenaCatalogProps) {
    super(scope, id);
    this.database = new CfnDatabase(this, 'Database', {
      catalogId: Stack.of(this).account,
      databaseInput: { name: props.databaseName, description: 'Diyalog reports exported nightly, a table each.' },
    });
    this.tables = new Map(props.reports.map((report) => [report.name, this.addTable(report, props)]));

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

    const { databaseName, timeZone, reports } = props;
    for (const query of namedQueries({ databaseName, timeZone, reports })) {
      const named = new CfnNamedQuery(this, query.name, {
        name: query.name,
        description: query.description,
        database: databaseName,
        workGroup: this.workGroup.ref,
        queryString: query.sql,
      });
      for (const table of query.tables.flatMap((report) => this.tables.get(report.name) ?? [])) {
        named.addResourceDependency(table);
      }
    }
  }

  /** The external Parquet table of a report at `<prefix>/<table>/`, partitioned by day with partition projection. */
  private addTable(report: ReportDefinition, props: AthenaCatalogProps): CfnTable {
    const tableRoot = `s3://${props.bucket.bucketName}/${props.prefix}/${tableFolder(report)}`;
    const dt = PARTITION_KEY.name;
    return new CfnTable(this, tableId(report), {
      catalogId: Stack.of(this).account,
      databaseName: this.database.ref,
      tableInput: {
        name: report.name,
        description: report.description,
        tableType: 'EXTERNAL_TABLE',
        partitionKeys: [partitionColumn(report)],
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
          columns: glueColumns(
            report.columns.map((column) => ({ ...column, comment: columnComment(column, props.personalData) })),
          ),
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
  }
}

/**
 * The construct id of a report's table. `online_help`'s keeps `Table`, its id from when it was the only table:
 * CloudFormation creates a resource under a new logical id before it deletes the old one, and Glue refuses a
 * second table of the same name, so a new id would fail the update of a deployed stack.
 */
function tableId(report: ReportDefinition): string {
  return report.name === ONLINE_HELP.name ? 'Table' : `${reportId(report)}Table`;
}
