import { describe, expect, test } from 'vitest';
import { arnOf, arnWithSuffix, onlyResource, synth } from './support.js';

const { template } = synth();
const [, schedule] = onlyResource(template, 'AWS::Scheduler::Schedule', 'NightlySchedule');
const [functionId] = onlyResource(template, 'AWS::Lambda::Function', 'ExportFunction');
const [roleId, role] = onlyResource(template, 'AWS::IAM::Role', 'NightlyRole');
const [, policy] = onlyResource(template, 'AWS::IAM::Policy', 'NightlyRoleDefaultPolicy');
const [dlqId, dlq] = onlyResource(template, 'AWS::SQS::Queue', 'NightlyDeadLetterQueue');

describe('the nightly schedule', () => {
  test('runs at 04:30 Istanbul time and invokes the exporter with the scheduled time', () => {
    expect(schedule).toEqual({
      Description: 'Nightly Diyalog export of the previous day(s).',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ScheduleExpression: 'cron(30 4 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Istanbul',
      State: 'ENABLED',
      Target: {
        Arn: arnOf(functionId),
        RoleArn: arnOf(roleId),
        Input: '{"scheduledTime":"<aws.scheduler.scheduled-time>"}',
        RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 3 },
        DeadLetterConfig: { Arn: arnOf(dlqId) },
      },
    });
  });

  test('the input is the event the handler reads', () => {
    const { Input } = schedule['Target'] as { Input: string };
    expect(JSON.parse(Input)).toEqual({ scheduledTime: '<aws.scheduler.scheduled-time>' });
  });

  test('cron and zone come from context', () => {
    const other = synth({ scheduleCron: 'cron(0 5 ? * MON-FRI *)', timezone: 'America/New_York' }).template;
    other.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 5 ? * MON-FRI *)',
      ScheduleExpressionTimezone: 'America/New_York',
    });
  });

  test('its dead-letter queue is encrypted and keeps messages 14 days', () => {
    expect(dlq).toEqual({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86400 });
  });

  test('its role is assumable by this account’s default schedule group only', () => {
    expect(role['AssumeRolePolicyDocument']).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'scheduler.amazonaws.com' },
          Condition: {
            StringEquals: {
              'aws:SourceAccount': { Ref: 'AWS::AccountId' },
              'aws:SourceArn': {
                'Fn::Join': [
                  '',
                  [
                    'arn:',
                    { Ref: 'AWS::Partition' },
                    ':scheduler:',
                    { Ref: 'AWS::Region' },
                    ':',
                    { Ref: 'AWS::AccountId' },
                    ':schedule-group/default',
                  ],
                ],
              },
            },
          },
        },
      ],
    });
  });

  test('its role may invoke the exporter and send to its dead-letter queue, nothing else', () => {
    expect(policy['PolicyDocument']).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'lambda:InvokeFunction',
          Resource: [arnOf(functionId), arnWithSuffix(functionId, ':*')],
        },
        { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: arnOf(dlqId) },
      ],
    });
  });
});
