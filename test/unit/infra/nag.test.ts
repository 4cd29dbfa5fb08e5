import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import { describe, expect, test } from 'vitest';
import { build } from './support.js';

/** Every acknowledgement in the tree, as `path: rule id → reason`. */
function acknowledgements(root: IConstruct): Record<string, string> {
  const found: Record<string, string> = {};
  for (const construct of root.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        found[`${construct.node.path}: ${id.replace(/^Annotation::/, '')}`] = reason;
      }
    }
  }
  return found;
}

const VARIANTS: Record<string, Record<string, unknown>> = {
  'the cdk.json defaults': {},
  'a real endpoint': { apiEndpoint: 'https://diyalog.acme.com.tr' },
  'an imported bucket': { bucketName: 'acme-lake', prefix: 'raw/diyalog' },
  'a secret imported by name': { secretName: 'diyalog/api-keys' },
  'a secret imported by ARN': {
    secretName: 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:diyalog/api-keys-AbC123',
  },
  'every optional setting': { alarmEmail: 'ops@acme.com.tr', signatureVariant: 'concat', concurrency: 8 },
  'the backfill traced, in chunks of a week': { backfillTracing: true, backfillChunkDays: 7 },
  'one report': { reports: 'calls' },
  'a policy that pseudonymizes, with the key’s secret': {
    personalData: 'pseudonymize,agent_id=keep,conversation_detail_link=drop',
  },
  'a pseudonym key imported by name': { personalData: 'pseudonymize', pseudonymKeySecretName: 'diyalog/pseudonym-key' },
};

describe('cdk-nag (AwsSolutions and Serverless)', () => {
  test.each(Object.entries(VARIANTS))('%s: synthesizes with no unacknowledged finding', (_name, overrides) => {
    const { app } = build(overrides);
    const assembly = app.synth();
    const report: unknown = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8'));
    expect(report).toMatchObject({ pluginReports: [] });
  });

  test('every acknowledgement names its rule and says why', () => {
    const { app } = build({
      bucketName: 'acme-lake',
      secretName: 'diyalog/api-keys',
      alarmEmail: 'ops@acme.com.tr',
    });
    const found = acknowledgements(app);
    expect(Object.keys(found).sort()).toEqual([
      'DiyalogExport/Alarms/Topic/ops@acme.com.tr: Serverless-SNSRedrivePolicy',
      'DiyalogExport/Backfill/Planner: Serverless-LambdaDLQ',
      'DiyalogExport/Backfill/Planner: Serverless-LambdaTracing',
      'DiyalogExport/Backfill/StateMachine/Role: AwsSolutions-IAM5[Resource::*]',
      'DiyalogExport/Backfill/StateMachine/Role: AwsSolutions-IAM5[Resource::<BackfillPlannerAB91B692.Arn>:*]',
      'DiyalogExport/Backfill/StateMachine/Role: AwsSolutions-IAM5[Resource::<ExportFunctionC5F39E2E.Arn>:*]',
      'DiyalogExport/Backfill/StateMachine: AwsSolutions-SF2',
      'DiyalogExport/Backfill/StateMachine: Serverless-StepFunctionStateMachineXray',
      'DiyalogExport/Buckets/AccessLogs: AwsSolutions-S1',
      'DiyalogExport/Export/FailureQueue/Queue: AwsSolutions-SQS3',
      'DiyalogExport/Export/FailureQueue/Queue: Serverless-SQSRedrivePolicy',
      'DiyalogExport/Export/Function: Serverless-LambdaDLQ',
      'DiyalogExport/Export/Function: Serverless-LambdaTracing',
      'DiyalogExport/Export/Role: AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::acme-lake/diyalog/_rejects/calls/*]',
      'DiyalogExport/Export/Role: AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::acme-lake/diyalog/_rejects/online_help/*]',
      'DiyalogExport/Export/Role: AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::acme-lake/diyalog/_runs/calls/*]',
      'DiyalogExport/Export/Role: AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::acme-lake/diyalog/_runs/online_help/*]',
      'DiyalogExport/Export/Role: AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::acme-lake/diyalog/_runs/preflight/*]',
      'DiyalogExport/Export/Role: AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::acme-lake/diyalog/calls/*]',
      'DiyalogExport/Export/Role: AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::acme-lake/diyalog/online_help/*]',
      'DiyalogExport/Export/Role: AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:diyalog/api-keys-??????]',
      'DiyalogExport/Nightly/DeadLetterQueue/Queue: AwsSolutions-SQS3',
      'DiyalogExport/Nightly/DeadLetterQueue/Queue: Serverless-SQSRedrivePolicy',
      'DiyalogExport/Nightly/Role: AwsSolutions-IAM5[Resource::<ExportFunctionC5F39E2E.Arn>:*]',
    ]);
    for (const reason of Object.values(found)) expect(reason.length).toBeGreaterThan(40);
  });

  test('the created secret’s rotation finding is acknowledged with a reason', () => {
    const found = acknowledgements(build().app);
    expect(found['DiyalogExport/Credentials/Secret: AwsSolutions-SMG4']).toMatch(/Diyalog issues the API keys/);
  });

  test('the pseudonym key’s: rotation when created, the name pattern of the grant when imported', () => {
    const created = acknowledgements(build({ personalData: 'pseudonymize' }).app);
    expect(created['DiyalogExport/PseudonymKey/Secret: AwsSolutions-SMG4']).toMatch(
      /Rotating the pseudonym key would change every pseudonym/,
    );
    const imported = acknowledgements(
      build({ personalData: 'pseudonymize', pseudonymKeySecretName: 'diyalog/pseudonym-key' }).app,
    );
    expect(Object.keys(imported).filter((id) => id.includes('pseudonym'))).toEqual([
      'DiyalogExport/Export/Role: AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:diyalog/pseudonym-key-??????]',
    ]);
  });

  test('an unacknowledged error-level finding fails synthesis', () => {
    const { app, stack } = build();
    new Queue(stack, 'PlainQueue');
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS3[\s\S]*DiyalogExport\/PlainQueue\/Resource/);
  });

  test('an unacknowledged warning-level finding fails synthesis too', () => {
    const { app, stack } = build();
    new LogGroup(stack, 'KeptForever', { retention: RetentionDays.INFINITE });
    expect(() => app.synth()).toThrow(/Serverless-CloudWatchLogGroupRetentionPeriod/);
  });

  test('acknowledging that finding with a reason lets synthesis pass', () => {
    const { app, stack } = build();
    const logs = new LogGroup(stack, 'KeptForever', { retention: RetentionDays.INFINITE });
    Validations.of(logs).acknowledge({
      id: 'Serverless-CloudWatchLogGroupRetentionPeriod',
      reason: 'A test of the acknowledgement mechanism.',
    });
    expect(() => app.synth()).not.toThrow();
  });
});
