import { Duration, Validations } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  Metric,
  TreatMissingData,
  type AlarmProps,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { AnyPrincipal, Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { REJECTS_FOLDER } from '../../functions/contract/layout.js';
import type { ReportDefinition } from '../../functions/contract/reports.js';
import { METRIC, METRICS_NAMESPACE, METRICS_SERVICE, REPORT_DIMENSION } from '../../functions/contract/telemetry.js';
import { reportId } from '../construct-ids.js';

/** How long without a landed day before the freshness alarm fires: a nightly run plus two hours of slack. */
export const FRESHNESS_WINDOW_HOURS = 26;

/** Properties of {@link ExportAlarms}. */
export interface ExportAlarmsProps {
  /** The exporter. */
  readonly function: IFunction;
  /** The exporter's on-failure destination. */
  readonly failureQueue: IQueue;
  /** The schedule's dead-letter queue. */
  readonly scheduleDeadLetterQueue: IQueue;
  /** The backfill state machine. */
  readonly backfill: IStateMachine;
  /** The reports exported: each has its own alarms on the export's metrics. */
  readonly reports: readonly ReportDefinition[];
  /** Where notifications are mailed. @default - no subscription; subscribe to {@link ExportAlarms.topic} */
  readonly email?: string;
}

/** The alarms on one report's export metrics (dimension `Report` = the report's name). */
export interface ReportAlarms {
  /** A day had records that failed validation. */
  readonly rejectedRecords: Alarm;
  /** A day had a tie overflow. */
  readonly tieOverflows: Alarm;
  /** No day landed for {@link FRESHNESS_WINDOW_HOURS} hours. */
  readonly stale: Alarm;
}

/**
 * Alarms that page an operator through one SNS topic, each on a failure mode the export can have: the
 * function threw, an invocation was given up (either dead-letter queue), a backfill execution failed, and, for
 * each report, records were rejected, a tie overflow lost rows, and — the catch-all — no day landed for
 * {@link FRESHNESS_WINDOW_HOURS} hours.
 *
 * The report alarms are one set per report rather than one metric-math alarm over all of them: each watches its
 * own metric, so a notification names the report at fault, one report's recovery is not hidden by another's
 * state, and a missing datapoint of one report (the freshness alarm's signal) is never filled in by another's.
 */
export class ExportAlarms extends Construct {
  /** Alarm and OK notifications. */
  readonly topic: Topic;
  /** The function threw (Lambda `Errors` > 0). */
  readonly functionErrors: Alarm;
  /** An invocation is in the function's on-failure queue. */
  readonly failedInvocations: Alarm;
  /** An invocation is in the schedule's dead-letter queue. */
  readonly undeliveredSchedules: Alarm;
  /** A backfill execution failed (a chunk failed after its retries, or the input was refused). */
  readonly backfillFailed: Alarm;
  /** The alarms of each exported report, by the report's name. */
  readonly perReport: ReadonlyMap<string, ReportAlarms>;

  constructor(scope: Construct, id: string, props: ExportAlarmsProps) {
    super(scope, id);
    // CloudWatch can publish only to topics encrypted with a customer managed key that lets it use the key.
    const key = new Key(this, 'TopicKey', {
      description: 'Encrypts the Diyalog export alarm topic.',
      enableKeyRotation: true,
    });
    key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    // Control Tower CT.KMS.PR.3: grants on the key only for AWS services' own use. Nothing here needs another:
    // CloudWatch and SNS use the key directly.
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'GrantsOnlyForAwsServices',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ['kms:CreateGrant'],
        resources: ['*'],
        conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
      }),
    );
    this.topic = new Topic(this, 'Topic', { masterKey: key, enforceSSL: true });
    if (props.email !== undefined) {
      const subscription = this.topic.addSubscription(new EmailSubscription(props.email));
      Validations.of(subscription).acknowledge({
        id: 'Serverless-SNSRedrivePolicy',
        reason: 'An e-mail subscription: SNS retries delivery itself, and every alarm stays in its history.',
      });
    }

    const anyInFiveMinutes = { period: Duration.minutes(5) };

    this.functionErrors = this.alarm('FunctionErrors', props.function.metricErrors(anyInFiveMinutes), {
      alarmDescription: 'The export Lambda threw: a day failed or the configuration is wrong. See its logs.',
    });
    this.failedInvocations = this.alarm(
      'FailedInvocations',
      props.failureQueue.metricApproximateNumberOfMessagesVisible({ ...anyInFiveMinutes, statistic: 'Maximum' }),
      {
        alarmDescription: 'An export invocation failed after all retries; its event is in the failure queue.',
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      },
    );
    this.undeliveredSchedules = this.alarm(
      'UndeliveredSchedules',
      props.scheduleDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
        ...anyInFiveMinutes,
        statistic: 'Maximum',
      }),
      {
        alarmDescription: 'EventBridge Scheduler could not invoke the export; the event is in its dead-letter queue.',
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      },
    );
    this.backfillFailed = this.alarm('BackfillFailed', props.backfill.metricFailed(anyInFiveMinutes), {
      alarmDescription:
        'A backfill execution failed; its cause lists the failed chunks and the input that re-runs exactly them.',
    });
    this.perReport = new Map(props.reports.map((report) => [report.name, this.addReportAlarms(report)]));
  }

  /** The alarms on the metrics the export function emits for `report`. */
  private addReportAlarms(report: ReportDefinition): ReportAlarms {
    const { name, rowNoun } = report;
    const metric = (metricName: string): Metric =>
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { service: METRICS_SERVICE, [REPORT_DIMENSION]: name },
        statistic: 'Sum',
        period: Duration.hours(1),
      });
    const id = reportId(report);
    return {
      rejectedRecords: this.alarm(`${id}RejectedRecords`, metric(METRIC.rejected), {
        alarmDescription:
          `Records of ${name} failed validation and are not in the table; ` +
          `see <prefix>/${REJECTS_FOLDER}/${name}/dt=<day>/.`,
      }),
      tieOverflows: this.alarm(`${id}TieOverflows`, metric(METRIC.tieOverflows), {
        alarmDescription:
          `A whole page of ${name} ${rowNoun}s shared one millisecond, so ${rowNoun}s beyond it may be missing; ` +
          'see the logs.',
      }),
      // Hourly datapoints, each missing one breaching: the alarm fires when none of the last 26 hours has a
      // landed day of the report, whatever the reason (no schedule, no invocation, a silent failure).
      stale: this.alarm(`${id}Stale`, metric(METRIC.succeeded), {
        alarmDescription: `No ${name} day has landed in the data lake for ${FRESHNESS_WINDOW_HOURS} hours.`,
        threshold: 1,
        comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: FRESHNESS_WINDOW_HOURS,
        datapointsToAlarm: FRESHNESS_WINDOW_HOURS,
        treatMissingData: TreatMissingData.BREACHING,
      }),
    };
  }

  /** An alarm on `metric` > 0 in one period unless overridden, notifying the topic on alarm and on recovery. */
  private alarm(id: string, metric: IMetric, overrides: Partial<AlarmProps> & { alarmDescription: string }): Alarm {
    const alarm = new Alarm(this, id, {
      metric,
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      ...overrides,
    });
    const action = new SnsAction(this.topic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    return alarm;
  }
}
