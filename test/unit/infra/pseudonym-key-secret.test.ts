import type { Template } from 'aws-cdk-lib/assertions';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { describe, expect, test } from 'vitest';
import { PSEUDONYM_KEY_MIN_BYTES, pseudonymKeySetting } from '../../../functions/contract/personal-data.js';
import { ExportFunction } from '../../../infra/constructs/export-function.js';
import { GENERATED_KEY_LENGTH } from '../../../infra/constructs/pseudonym-key-secret.js';
import { settingsFromContext } from '../../../infra/settings.js';
import { build, onlyResource, synth } from './support.js';

const IMPORTED = 'diyalog/pseudonym-key';

/** The export function's environment variables in a template. */
function environmentOf(t: Template): Record<string, unknown> {
  const [, fn] = onlyResource(t, 'AWS::Lambda::Function', 'ExportFunction');
  return (fn['Environment'] as { Variables: Record<string, unknown> }).Variables;
}

/** The statements of the export role's policy in a template. */
function roleStatements(t: Template): { Sid?: string; Action: unknown; Resource: unknown }[] {
  const [, policy] = onlyResource(t, 'AWS::IAM::Policy', 'ExportRoleDefaultPolicy');
  return (policy['PolicyDocument'] as { Statement: { Sid?: string; Action: unknown; Resource: unknown }[] }).Statement;
}

/** A template's outputs, by id. */
function outputsOf(t: Template): Record<string, unknown> {
  return t.toJSON()['Outputs'] as Record<string, unknown>;
}

/** The secrets a template creates, by logical id. */
function secretsOf(t: Template): string[] {
  return Object.keys(t.findResources('AWS::SecretsManager::Secret'));
}

describe.each(['keep', 'drop', 'drop,agent_id=keep'])('a policy that does not pseudonymize: %s', (personalData) => {
  const { template } = synth({ personalData });

  test('no pseudonym key: no secret, no variable, no grant, no output', () => {
    expect(secretsOf(template)).toEqual([expect.stringMatching(/^CredentialsSecret/)]);
    expect(environmentOf(template)).not.toHaveProperty('EXPORT_PSEUDONYM_KEY_SECRET_ID');
    expect(roleStatements(template).map((statement) => statement.Sid)).not.toContain('ReadPseudonymKey');
    expect(JSON.stringify(roleStatements(template).filter((s) => s.Sid !== 'ReadApiKeys'))).not.toContain(
      'secretsmanager',
    );
    expect(outputsOf(template)).not.toHaveProperty('PseudonymKeySecretId');
  });

  test('EXPORT_PERSONAL_DATA is the policy’s canonical text', () => {
    expect(environmentOf(template)['EXPORT_PERSONAL_DATA']).toBe(personalData);
  });
});

describe.each([
  ['pseudonymize', 'pseudonymize'],
  ['keep,customer_no=pseudonymize', 'keep,customer_no=pseudonymize'],
  [' agent_id = keep , pseudonymize ', 'pseudonymize,agent_id=keep'],
])('a policy that pseudonymizes: %j', (personalData, canonical) => {
  const { template } = synth({ personalData });
  const [keyId, key] = onlyResource(template, 'AWS::SecretsManager::Secret', 'PseudonymKeySecret');

  test('a second secret, generated: its whole value is a key of letters and digits', () => {
    expect(secretsOf(template)).toHaveLength(2);
    expect(key).toEqual({
      Name: 'DiyalogExport/pseudonym-key',
      Description:
        'Pseudonym key of the Diyalog export (HMAC-SHA256 of the personal columns); the whole value is the ' +
        'key. Never change or delete it: pseudonyms made with another key do not join with the exported history.',
      // No SecretStringTemplate: the value is the key itself, not JSON. No KmsKeyId: aws/secretsmanager, like
      // the API keys' secret.
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
    });
  });

  test('retained on deletion and replacement', () => {
    template.hasResource('AWS::SecretsManager::Secret', {
      Properties: { Name: 'DiyalogExport/pseudonym-key' },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('the function may read that secret only, and finds it by ARN', () => {
    const reads = roleStatements(template).filter((statement) => statement.Sid === 'ReadPseudonymKey');
    expect(reads).toEqual([
      { Sid: 'ReadPseudonymKey', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: { Ref: keyId } },
    ]);
    expect(environmentOf(template)['EXPORT_PSEUDONYM_KEY_SECRET_ID']).toEqual({ Ref: keyId });
  });

  test('EXPORT_PERSONAL_DATA is the policy’s canonical text', () => {
    expect(environmentOf(template)['EXPORT_PERSONAL_DATA']).toBe(canonical);
  });

  test('an output names the secret and says how to keep the key across a switch off and on', () => {
    expect(outputsOf(template)['PseudonymKeySecretId']).toEqual({
      Description:
        'The pseudonym key (the whole secret value), retained: a stack that stops pseudonymizing leaves it ' +
        'behind. To pseudonymize again with this key, set -c pseudonymKeySecretName=DiyalogExport/pseudonym-key; ' +
        'a deploy that would create a second key of this name fails.',
      Value: { Ref: keyId },
    });
  });
});

describe('a pseudonym key imported by name', () => {
  const { template } = synth({ personalData: 'pseudonymize', pseudonymKeySecretName: IMPORTED });

  test('no secret is created but the API keys’ one', () => {
    expect(secretsOf(template)).toEqual([expect.stringMatching(/^CredentialsSecret/)]);
  });

  test('the function may read that secret only, matched by its name and the 6-character suffix, and finds it by name', () => {
    const reads = roleStatements(template).filter((statement) => statement.Sid === 'ReadPseudonymKey');
    expect(reads).toEqual([
      {
        Sid: 'ReadPseudonymKey',
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':secretsmanager:',
              { Ref: 'AWS::Region' },
              ':',
              { Ref: 'AWS::AccountId' },
              `:secret:${IMPORTED}-??????`,
            ],
          ],
        },
      },
    ]);
    expect(environmentOf(template)['EXPORT_PSEUDONYM_KEY_SECRET_ID']).toBe(IMPORTED);
    expect(outputsOf(template)['PseudonymKeySecretId']).toEqual({
      Description: 'The pseudonym key (the whole secret value), imported by name; the stack never changes it.',
      Value: IMPORTED,
    });
  });
});

test.each([
  ['created', {}],
  ['imported by name', { pseudonymKeySecretName: IMPORTED }],
])('no secret grant of the export role has a "*" in its resource: the key %s', (_how, key) => {
  const { template } = synth({ personalData: 'pseudonymize', ...key });
  const secretReads = roleStatements(template).filter((s) => JSON.stringify(s.Action).includes('secretsmanager'));
  expect(secretReads.map((statement) => statement.Sid)).toEqual(['ReadApiKeys', 'ReadPseudonymKey']);
  for (const statement of secretReads) {
    expect(statement.Action).toBe('secretsmanager:GetSecretValue');
    expect(JSON.stringify(statement.Resource)).not.toContain('*');
  }
});

test('a generated key is long enough for the exporter', () => {
  expect(GENERATED_KEY_LENGTH).toBeGreaterThanOrEqual(PSEUDONYM_KEY_MIN_BYTES);
  // Letters and digits are one UTF-8 byte each.
  expect(() =>
    pseudonymKeySetting('aZ9'.repeat(GENERATED_KEY_LENGTH).slice(0, GENERATED_KEY_LENGTH), 'key'),
  ).not.toThrow();
});

describe('the export function cannot get the key wrong', () => {
  test('a policy that pseudonymizes without a key fails synthesis', () => {
    const { app, stack } = build({ personalData: 'pseudonymize' });
    new ExportFunction(stack, 'Unkeyed', settingsFromContext(app.node));
    expect(() => app.synth()).toThrow(/the personal-data policy "pseudonymize" pseudonymizes, and no pseudonym key/);
  });

  test('a policy that does not pseudonymize gets no key', () => {
    const { stack } = build({ personalData: 'drop' });
    const exporter = stack.node.findAll().find((child) => child instanceof ExportFunction);
    const key = Secret.fromSecretNameV2(stack, 'Key', IMPORTED);
    expect(() => {
      exporter?.bindPseudonymKey(key);
    }).toThrow(/"drop" does not pseudonymize; it needs no key/);
  });
});
