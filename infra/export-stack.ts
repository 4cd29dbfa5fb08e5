import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { AthenaCatalog } from './constructs/athena-catalog.js';
import { Backfill } from './constructs/backfill.js';
import { CredentialsSecret, secretIdOf } from './constructs/credentials-secret.js';
import { ExportAlarms } from './constructs/export-alarms.js';
import { ExportBuckets } from './constructs/export-buckets.js';
import { ExportFunction } from './constructs/export-function.js';
import { NightlySchedule } from './constructs/nightly-schedule.js';
import { PlaceholderEndpointGuard } from './constructs/placeholder-endpoint-guard.js';
import { PseudonymKeySecret } from './constructs/pseudonym-key-secret.js';
import type { ExportSettings } from './settings.js';

/** Properties of {@link ExportStack}. */
export interface ExportStackProps extends StackProps {
  /** The validated deployment settings. */
  readonly settings: ExportSettings;
}

/**
 * The nightly Diyalog export: schedule → Lambda → S3 data lake ← Glue/Athena, with alarms, and a backfill state
 * machine that runs the same Lambda over longer ranges. Composes one
 * construct per concern; every resource detail lives in the constructs.
 */
export class ExportStack extends Stack {
  constructor(scope: Construct, id: string, props: ExportStackProps) {
    super(scope, id, props);
    const { settings } = props;

    if (settings.apiEndpointIsPlaceholder) {
      new PlaceholderEndpointGuard(this, 'PlaceholderEndpointGuard', { endpoint: settings.apiEndpoint });
    }

    const buckets = new ExportBuckets(this, 'Buckets', { bucket: settings.bucket });
    const credentials = new CredentialsSecret(this, 'Credentials', { source: settings.secret });

    const exporter = new ExportFunction(this, 'Export', settings);
    exporter.bindSecret(credentials.secret);
    exporter.bindBucket(buckets.data, settings.prefix);
    // Only a policy that pseudonymizes has a key: with any other, no secret, and the function has no access to one.
    const pseudonymKey =
      settings.pseudonymKeySecret === undefined
        ? undefined
        : new PseudonymKeySecret(this, 'PseudonymKey', { source: settings.pseudonymKeySecret });
    if (pseudonymKey !== undefined) exporter.bindPseudonymKey(pseudonymKey.secret);

    const backfill = new Backfill(this, 'Backfill', {
      exportFunction: exporter.function,
      chunkDays: settings.backfillChunkDays,
      firstDay: settings.projectionStartDate,
      reports: settings.reports,
      concurrency: settings.backfillConcurrency,
      tracing: settings.backfillTracing,
    });
    exporter.bindBackfill(backfill.stateMachineArn);

    const schedule = new NightlySchedule(this, 'Nightly', {
      target: exporter.function,
      cron: settings.scheduleCron,
      timeZone: settings.timeZone,
    });

    const catalog = new AthenaCatalog(this, 'Catalog', {
      bucket: buckets.data,
      prefix: settings.prefix,
      resultsBucket: buckets.athenaResults,
      databaseName: settings.databaseName,
      projectionStartDate: settings.projectionStartDate,
      timeZone: settings.timeZone,
      reports: settings.reports,
      personalData: settings.personalData,
    });

    const alarms = new ExportAlarms(this, 'Alarms', {
      function: exporter.function,
      failureQueue: exporter.failureQueue.queue,
      scheduleDeadLetterQueue: schedule.deadLetterQueue.queue,
      backfill: backfill.stateMachine,
      reports: settings.reports,
      ...(settings.alarmEmail === undefined ? {} : { email: settings.alarmEmail }),
    });

    // What an operator needs after a deploy: where to put the keys, what to invoke, where the data is.
    const outputs: Record<string, [string, string]> = {
      CredentialsSecretId: [secretIdOf(credentials.secret), 'Put the Diyalog API keys in this secret.'],
      ExportFunctionName: [
        exporter.function.functionName,
        'Invoke with {"date"} or {"from","to"} of at most 31 days, optionally with "reports":[…].',
      ],
      BackfillStateMachineArn: [
        backfill.stateMachine.stateMachineArn,
        'Start an execution with {"from","to"} (optionally "reports":[…]) to load up to ten years of history in chunks.',
      ],
      DataBucketName: [buckets.data.bucketName, `The export is below s3://<bucket>/${settings.prefix}/.`],
      AthenaWorkGroup: [catalog.workGroup.ref, 'Query the tables in this workgroup.'],
      AlarmTopicArn: [alarms.topic.topicArn, 'Subscribe to receive the alarms.'],
    };
    if (pseudonymKey !== undefined) {
      outputs['PseudonymKeySecretId'] = [secretIdOf(pseudonymKey.secret), pseudonymKey.note];
    }
    for (const [id, [value, description]] of Object.entries(outputs)) new CfnOutput(this, id, { value, description });
  }
}
