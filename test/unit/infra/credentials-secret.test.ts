import { describe, expect, test } from 'vitest';
import { onlyResource, synth } from './support.js';

describe('the credentials secret', () => {
  test('is created with the JSON shape the exporter reads, and retained', () => {
    const { template } = synth();
    template.hasResource('AWS::SecretsManager::Secret', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    const [, secret] = onlyResource(template, 'AWS::SecretsManager::Secret', 'CredentialsSecret');
    expect(secret).toEqual({
      Description: 'Diyalog API keys for the nightly export: fill in accessKeyId, accessKeySecret, requesterUserId.',
      GenerateSecretString: {
        SecretStringTemplate: '{"accessKeyId":"","requesterUserId":""}',
        GenerateStringKey: 'accessKeySecret',
        ExcludePunctuation: true,
      },
    });
  });

  test.each([
    ['by name', 'diyalog/api-keys'],
    ['by complete ARN', 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:diyalog/api-keys-AbC123'],
  ])('is imported %s, not created', (_how, secretName) => {
    const { template } = synth({ secretName });
    expect(template.findResources('AWS::SecretsManager::Secret')).toEqual({});
  });
});
