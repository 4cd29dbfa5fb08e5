import { describe, expect, test } from 'vitest';
import { CALLS, ONLINE_HELP, REPORTS } from '../../../functions/contract/reports.js';
import { METRIC, METRICS_NAMESPACE, METRICS_SERVICE, REPORT_DIMENSION } from '../../../functions/contract/telemetry.js';
import { arnOf, onlyResource, synth } from './support.js';

const { template } = synth();
const [topicId, topic] = onlyResource(template, 'AWS::SNS::Topic', 'AlarmsTopic');
const [keyId, key] = onlyResource(template, 'AWS::KMS::Key', 'AlarmsTopicKey');
const [functionId] = onlyResource(template, 'AWS::Lambda::Function', 'ExportFunction');
const [failureQueueId] = onlyResource(template, 'AWS::SQS::Queue', 'ExportFailureQueue');
const [scheduleDlqId] = onlyResource(template, 'AWS::SQS::Queue', 'NightlyDeadLetterQueue');

function alarm(name: string): Record<string, unknown> {
  return onlyResource(template, 'AWS::CloudWatch::Alarm', `Alarms${name}`)[1];
}

/** Alarm and OK notifications go to the topic. */
const notifies = { AlarmActions: [{ Ref: topicId }], OKActions: [{ Ref: topicId }] };
/** The dimensions of a report's EMF metrics, as CloudFormation lists them. */
const exportDimensions = (report: string): unknown[] => [
  { Name: REPORT_DIMENSION, Value: report },
  { Name: 'service', Value: METRICS_SERVICE },
];
/** Each report, the start of its alarms' ids (its name in PascalCase), and what its rows are. */
const REPORT_ALARMS = [
  ['online_help', 'OnlineHelp', 'sessions'],
  ['calls', 'Calls', 'calls'],
] as const;

describe('the alarms', () => {
  test('function errors > 0 in 5 minutes', () => {
    expect(alarm('FunctionErrors')).toEqual({
      ...notifies,
      AlarmDescription: 'The export Lambda threw: a day failed or the configuration is wrong. See its logs.',
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId } }],
      Statistic: 'Sum',
      Period: 300,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
  });

  test.each([
    [
      'FailedInvocations',
      () => failureQueueId,
      'An export invocation failed after all retries; its event is in the failure queue.',
    ],
    [
      'UndeliveredSchedules',
      () => scheduleDlqId,
      'EventBridge Scheduler could not invoke the export; the event is in its dead-letter queue.',
    ],
  ])('%s: a message in the dead-letter queue', (name, queueId, description) => {
    expect(alarm(name)).toEqual({
      ...notifies,
      AlarmDescription: description,
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId(), 'QueueName'] } }],
      Statistic: 'Maximum',
      Period: 300,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
  });

  test('backfill executions failed > 0 in 5 minutes', () => {
    const [stateMachineId] = onlyResource(template, 'AWS::StepFunctions::StateMachine', 'BackfillStateMachine');
    expect(alarm('BackfillFailed')).toEqual({
      ...notifies,
      AlarmDescription:
        'A backfill execution failed; its cause lists the failed chunks and the input that re-runs exactly them.',
      Namespace: 'AWS/States',
      MetricName: 'ExecutionsFailed',
      Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: stateMachineId } }],
      Statistic: 'Sum',
      Period: 300,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
  });

  describe.each(REPORT_ALARMS)('for %s', (report, id, rows) => {
    test('RejectedRecords > 0 in an hour of the report’s EMF metrics', () => {
      expect(alarm(`${id}RejectedRecords`)).toEqual({
        ...notifies,
        AlarmDescription: `Records of ${report} failed validation and are not in the table; see <prefix>/_rejects/${report}/dt=<day>/.`,
        Namespace: METRICS_NAMESPACE,
        MetricName: METRIC.rejected,
        Dimensions: exportDimensions(report),
        Statistic: 'Sum',
        Period: 3600,
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      });
    });

    test('TieOverflows > 0 in an hour of the report’s EMF metrics', () => {
      expect(alarm(`${id}TieOverflows`)).toEqual({
        ...notifies,
        AlarmDescription: `A whole page of ${report} ${rows} shared one millisecond, so ${rows} beyond it may be missing; see the logs.`,
        Namespace: METRICS_NAMESPACE,
        MetricName: METRIC.tieOverflows,
        Dimensions: exportDimensions(report),
        Statistic: 'Sum',
        Period: 3600,
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      });
    });

    test('freshness: no DaySucceeded of the report in 26 hours, missing data breaching', () => {
      expect(alarm(`${id}Stale`)).toEqual({
        ...notifies,
        AlarmDescription: `No ${report} day has landed in the data lake for 26 hours.`,
        Namespace: METRICS_NAMESPACE,
        MetricName: METRIC.succeeded,
        Dimensions: exportDimensions(report),
        Statistic: 'Sum',
        Period: 3600,
        EvaluationPeriods: 26,
        DatapointsToAlarm: 26,
        ComparisonOperator: 'LessThanThreshold',
        Threshold: 1,
        TreatMissingData: 'breaching',
      });
      expect(METRIC.succeeded).toBe('DaySucceeded');
    });
  });

  test('every alarm on the export’s own metrics is a report’s: none without the Report dimension', () => {
    const exportAlarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'))
      .map(
        (resource) => (resource as { Properties: { Namespace?: string; Dimensions?: { Name: string }[] } }).Properties,
      )
      .filter((properties) => properties.Namespace === METRICS_NAMESPACE);
    expect(exportAlarms).toHaveLength(3 * REPORTS.length);
    for (const properties of exportAlarms) {
      expect(properties.Dimensions?.map((dimension) => dimension.Name)).toEqual([REPORT_DIMENSION, 'service']);
    }
  });

  test.each([
    [['online_help'], [ONLINE_HELP]],
    [['calls'], [CALLS]],
  ])('reports %j: the report alarms of those reports only', (reports, expected) => {
    const only = synth({ reports }).template;
    const watched = Object.values(only.findResources('AWS::CloudWatch::Alarm')).flatMap((resource) => {
      const { Namespace, MetricName, Dimensions } = (
        resource as { Properties: { Namespace: string; MetricName: string; Dimensions: { Value: unknown }[] } }
      ).Properties;
      return Namespace === METRICS_NAMESPACE ? [`${String(Dimensions[0]?.Value)} ${MetricName}`] : [];
    });
    expect(watched.sort()).toEqual(
      expected
        .flatMap((report) => [METRIC.rejected, METRIC.tieOverflows, METRIC.succeeded].map((m) => `${report.name} ${m}`))
        .sort(),
    );
  });

  test('the topic is encrypted with a rotated key CloudWatch may use, and refuses plain HTTP', () => {
    expect(topic).toEqual({ KmsMasterKeyId: arnOf(keyId) });
    expect(key).toMatchObject({ EnableKeyRotation: true });
    expect((key['KeyPolicy'] as { Statement: unknown[] }).Statement).toContainEqual({
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Resource: '*',
    });
    // Control Tower CT.KMS.PR.3: no grants on the key but for AWS services.
    expect((key['KeyPolicy'] as { Statement: unknown[] }).Statement).toContainEqual({
      Sid: 'GrantsOnlyForAwsServices',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'kms:CreateGrant',
      Resource: '*',
      Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'AllowPublishThroughSSLOnly',
            Effect: 'Deny',
            Principal: '*',
            Action: 'sns:Publish',
            Resource: { Ref: topicId },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ],
      },
    });
  });

  test('no subscription unless alarmEmail is set', () => {
    expect(template.findResources('AWS::SNS::Subscription')).toEqual({});
    const subscribed = synth({ alarmEmail: 'ops@acme.com.tr' }).template;
    const [subscribedTopicId] = onlyResource(subscribed, 'AWS::SNS::Topic', 'AlarmsTopic');
    const [, subscription] = onlyResource(subscribed, 'AWS::SNS::Subscription', 'AlarmsTopic');
    expect(subscription).toEqual({
      Protocol: 'email',
      Endpoint: 'ops@acme.com.tr',
      TopicArn: { Ref: subscribedTopicId },
    });
  });
});
