import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, test } from 'vitest';
import { arnOf, arnWithSuffix, onlyResource, synth } from './support.js';

const { template } = synth();
const buckets = template.findResources('AWS::S3::Bucket');
const [dataId] = onlyResource(template, 'AWS::S3::Bucket', 'BucketsData');
const [logsId] = onlyResource(template, 'AWS::S3::Bucket', 'BucketsAccessLogs');
const [resultsId] = onlyResource(template, 'AWS::S3::Bucket', 'BucketsAthenaResults');

const privateEncrypted = {
  BucketEncryption: {
    ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
  },
  PublicAccessBlockConfiguration: {
    BlockPublicAcls: true,
    BlockPublicPolicy: true,
    IgnorePublicAcls: true,
    RestrictPublicBuckets: true,
  },
  OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
};

describe('the buckets', () => {
  test('the data lake bucket: private, SSE-S3, versioned, old versions expire after 30 days, logged, retained', () => {
    expect(buckets[dataId]).toEqual({
      Type: 'AWS::S3::Bucket',
      Properties: {
        ...privateEncrypted,
        VersioningConfiguration: { Status: 'Enabled' },
        LifecycleConfiguration: {
          Rules: [
            {
              Id: 'ExpireNoncurrentVersions',
              Status: 'Enabled',
              NoncurrentVersionExpiration: { NoncurrentDays: 30 },
              ExpiredObjectDeleteMarker: true,
              AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
            },
          ],
        },
        LoggingConfiguration: { DestinationBucketName: { Ref: logsId }, LogFilePrefix: 'data/' },
      },
      UpdateReplacePolicy: 'Retain',
      DeletionPolicy: 'Retain',
    });
  });

  test('Athena results: private, SSE-S3, expire after 30 days, logged, retained', () => {
    expect(buckets[resultsId]).toEqual({
      Type: 'AWS::S3::Bucket',
      Properties: {
        ...privateEncrypted,
        LifecycleConfiguration: {
          Rules: [
            {
              Id: 'ExpireQueryResults',
              Status: 'Enabled',
              ExpirationInDays: 30,
              AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
            },
          ],
        },
        LoggingConfiguration: { DestinationBucketName: { Ref: logsId }, LogFilePrefix: 'athena-results/' },
      },
      UpdateReplacePolicy: 'Retain',
      DeletionPolicy: 'Retain',
    });
  });

  test('access logs: private, SSE-S3 (what log delivery supports), kept a year, retained', () => {
    expect(buckets[logsId]).toEqual({
      Type: 'AWS::S3::Bucket',
      Properties: {
        ...privateEncrypted,
        LifecycleConfiguration: { Rules: [{ Id: 'ExpireAccessLogs', Status: 'Enabled', ExpirationInDays: 365 }] },
      },
      UpdateReplacePolicy: 'Retain',
      DeletionPolicy: 'Retain',
    });
  });

  test.each([
    ['data', () => dataId],
    ['Athena results', () => resultsId],
    ['access logs', () => logsId],
  ])('the %s bucket refuses requests without TLS', (_name, id) => {
    const bucketId = id();
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Resource: [arnOf(bucketId), arnWithSuffix(bucketId, '/*')],
          },
        ]),
      },
    });
  });

  test('S3 log delivery may write each bucket’s logs below its own prefix of the access-log bucket', () => {
    const logDelivery = (source: string, prefix: string): unknown => ({
      Action: 's3:PutObject',
      Effect: 'Allow',
      Principal: { Service: 'logging.s3.amazonaws.com' },
      Condition: {
        ArnLike: { 'aws:SourceArn': arnOf(source) },
        StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      },
      Resource: arnWithSuffix(logsId, `/${prefix}/*`),
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logsId },
      PolicyDocument: {
        Statement: [
          Match.objectLike({ Effect: 'Deny' }),
          logDelivery(dataId, 'data'),
          logDelivery(resultsId, 'athena-results'),
        ],
      },
    });
  });

  test('an existing bucket is imported, not created', () => {
    const imported = synth({ bucketName: 'acme-lake' }).template;
    expect(Object.keys(imported.findResources('AWS::S3::Bucket')).map((id) => id.replace(/[0-9A-F]{8}$/, ''))).toEqual([
      'BucketsAccessLogs',
      'BucketsAthenaResults',
    ]);
  });
});
