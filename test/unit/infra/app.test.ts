import { Stack, Token } from 'aws-cdk-lib';
import { describe, expect, test } from 'vitest';
import { STACK_NAME } from '../../../infra/app.js';
import { PERSONAL_COLUMNS } from '../../../functions/contract/personal-data.js';
import { ContextError } from '../../../infra/settings.js';
import { build, onlyResource, synth } from './support.js';

describe('buildApp', () => {
  test('one environment-agnostic stack: synthesis needs no credentials', () => {
    const { app, stack } = synth();
    expect(app.node.children.filter((child) => Stack.isStack(child)).map((child) => child.node.id)).toEqual([
      STACK_NAME,
    ]);
    expect(stack.stackName).toBe('DiyalogExport');
    expect(Token.isUnresolved(stack.account)).toBe(true);
    expect(Token.isUnresolved(stack.region)).toBe(true);
    expect(stack.templateOptions.description).toBe(
      'Nightly export of Diyalog reports into an S3 data lake queried with Athena.',
    );
  });

  test('invalid context stops the build before any construct exists', () => {
    expect(() => build({ timezone: 'Europe/Atlantis' })).toThrow(ContextError);
    expect(() => build({ timezone: 'Europe/Atlantis' })).toThrow(/CDK context "timezone"/);
  });

  test('an unknown report is refused with the names of the known ones', () => {
    expect(() => build({ reports: ['online_help', 'chats'] })).toThrow(
      new ContextError('reports', '"chats" is not a report; known reports: online_help, calls'),
    );
    expect(() => build({ reports: 'chats' })).toThrow(
      'CDK context "reports": "chats" is not a report; known reports: online_help, calls',
    );
  });

  test('an unknown action or personal column of personalData is refused with the valid ones', () => {
    expect(() => build({ personalData: 'hash' })).toThrow(
      new ContextError(
        'personalData',
        '"hash" is not an action; actions: keep, pseudonymize, drop (or column=action for one column)',
      ),
    );
    expect(() => build({ personalData: 'pseudonymize,help_state=drop' })).toThrow(
      `CDK context "personalData": "help_state=drop" does not name a personal column; personal columns: ${PERSONAL_COLUMNS.join(', ')}`,
    );
    expect(PERSONAL_COLUMNS).toEqual([
      'customer_no',
      'customer_name',
      'agent_id',
      'agent_name',
      'conversation_detail_link',
      'initiator_id',
      'initiator_name',
      'receiver_id',
      'receiver_name',
      'call_view_url',
    ]);
  });
});

describe('the stack outputs', () => {
  test('name what an operator needs after a deploy', () => {
    const { template } = synth({ secretName: 'diyalog/api-keys', bucketName: 'acme-lake' });
    const [functionId] = onlyResource(template, 'AWS::Lambda::Function', 'ExportFunction');
    const [workGroupId] = onlyResource(template, 'AWS::Athena::WorkGroup', 'CatalogWorkGroup');
    const [topicId] = onlyResource(template, 'AWS::SNS::Topic', 'AlarmsTopic');
    const [stateMachineId] = onlyResource(template, 'AWS::StepFunctions::StateMachine', 'BackfillStateMachine');
    expect(template.toJSON()['Outputs']).toEqual({
      CredentialsSecretId: { Description: 'Put the Diyalog API keys in this secret.', Value: 'diyalog/api-keys' },
      ExportFunctionName: {
        Description: 'Invoke with {"date"} or {"from","to"} of at most 31 days, optionally with "reports":[…].',
        Value: { Ref: functionId },
      },
      BackfillStateMachineArn: {
        Description:
          'Start an execution with {"from","to"} (optionally "reports":[…]) to load up to ten years of history in chunks.',
        Value: { Ref: stateMachineId },
      },
      DataBucketName: { Description: 'The export is below s3://<bucket>/diyalog/.', Value: 'acme-lake' },
      AthenaWorkGroup: { Description: 'Query the tables in this workgroup.', Value: { Ref: workGroupId } },
      AlarmTopicArn: { Description: 'Subscribe to receive the alarms.', Value: { Ref: topicId } },
    });
  });
});
