import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, test } from 'vitest';
import { manifestKey, partitionObjectKey, preflightKey, rejectsKey } from '../../../functions/contract/layout.js';
import { parseDay } from '../../../functions/contract/calendar.js';
import { CALLS, ONLINE_HELP, REPORTS, type ReportDefinition } from '../../../functions/contract/reports.js';
import { ESM_BANNER, PARQUETJS_IMPLICIT_GLOBALS } from '../../../infra/esm-banner.js';
import { arnOf, arnWithSuffix, onlyResource, synth } from './support.js';

const { template } = synth();
const [functionId, fn] = onlyResource(template, 'AWS::Lambda::Function', 'ExportFunction');
const [roleId, role] = onlyResource(template, 'AWS::IAM::Role', 'ExportRole');
const [logsId] = onlyResource(template, 'AWS::Logs::LogGroup', 'ExportLogs');
const [failureQueueId] = onlyResource(template, 'AWS::SQS::Queue', 'ExportFailureQueue');
const [dataBucketId] = onlyResource(template, 'AWS::S3::Bucket', 'BucketsData');
const [secretId] = onlyResource(template, 'AWS::SecretsManager::Secret', 'CredentialsSecret');

/** The backfill state machine's ARN as the function gets it: built from the name, no reference to the resource. */
const BACKFILL_ARN = {
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':states:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      ':stateMachine:DiyalogExport-Backfill',
    ],
  ],
};

/** The statements of the one policy attached to the export role. */
function roleStatements(t = template): unknown {
  const policies = Object.values(t.findResources('AWS::IAM::Policy')).filter((policy) =>
    JSON.stringify(policy).includes('"ExportRole'),
  );
  expect(policies).toHaveLength(1);
  return (policies[0] as { Properties: { PolicyDocument: { Statement: unknown } } }).Properties.PolicyDocument
    .Statement;
}

describe('the export function', () => {
  test('runtime, architecture, timeout, memory, reserved concurrency, role, log group', () => {
    // Code (the asset) and Environment (next test) aside, every property.
    const settings = Object.fromEntries(Object.entries(fn).filter(([key]) => key !== 'Code' && key !== 'Environment'));
    expect(settings).toEqual({
      Description: 'Exports yesterday’s Diyalog reports (and the lookback days) to the data lake.',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Timeout: 900,
      MemorySize: 1024,
      ReservedConcurrentExecutions: 1,
      Handler: 'index.handler',
      Role: arnOf(roleId),
      LoggingConfig: { LogGroup: { Ref: logsId } },
    });
  });

  test('environment: exactly the variables the Lambda reads', () => {
    expect(fn['Environment']).toEqual({
      Variables: {
        NODE_OPTIONS: '--enable-source-maps',
        DIYALOG_API_ENDPOINT: 'https://diyalog.example.com',
        EXPORT_TIMEZONE: 'Europe/Istanbul',
        EXPORT_LOOKBACK_DAYS: '1',
        EXPORT_FIRST_DAY: '2024-01-01',
        EXPORT_REPORTS: 'online_help,calls',
        EXPORT_PERSONAL_DATA: 'keep',
        DIYALOG_SECRET_ID: { Ref: secretId },
        EXPORT_BUCKET: { Ref: dataBucketId },
        EXPORT_PREFIX: 'diyalog',
        EXPORT_BACKFILL_STATE_MACHINE_ARN: BACKFILL_ARN,
      },
    });
  });

  test('optional settings become optional variables', () => {
    const variant = synth({ signatureVariant: 'concat', concurrency: 6, lookbackDays: 0, reports: 'calls' }).template;
    const [, props] = onlyResource(variant, 'AWS::Lambda::Function', 'ExportFunction');
    const [bucketId] = onlyResource(variant, 'AWS::S3::Bucket', 'BucketsData');
    const [secret] = onlyResource(variant, 'AWS::SecretsManager::Secret', 'CredentialsSecret');
    expect(props['Environment']).toEqual({
      Variables: {
        NODE_OPTIONS: '--enable-source-maps',
        DIYALOG_API_ENDPOINT: 'https://diyalog.example.com',
        EXPORT_TIMEZONE: 'Europe/Istanbul',
        EXPORT_LOOKBACK_DAYS: '0',
        EXPORT_FIRST_DAY: '2024-01-01',
        EXPORT_REPORTS: 'calls',
        EXPORT_PERSONAL_DATA: 'keep',
        DIYALOG_SIGNATURE_VARIANT: 'concat',
        DIYALOG_CONCURRENCY: '6',
        DIYALOG_SECRET_ID: { Ref: secret },
        EXPORT_BUCKET: { Ref: bucketId },
        EXPORT_PREFIX: 'diyalog',
        EXPORT_BACKFILL_STATE_MACHINE_ARN: BACKFILL_ARN,
      },
    });
  });

  test('EXPORT_FIRST_DAY is the first day of the Athena projection, so days Athena would not show are refused', () => {
    const moved = synth({ projectionStartDate: '2025-06-01' }).template;
    const [, props] = onlyResource(moved, 'AWS::Lambda::Function', 'ExportFunction');
    const [, table] = onlyResource(moved, 'AWS::Glue::Table', 'CatalogTable');
    const { Parameters } = table['TableInput'] as { Parameters: Record<string, unknown> };
    expect(props['Environment']).toMatchObject({ Variables: { EXPORT_FIRST_DAY: '2025-06-01' } });
    expect(Parameters['projection.dt.range']).toBe('2025-06-01,NOW');
  });

  test('its own log group, kept three months and retained', () => {
    expect(template.findResources('AWS::Logs::LogGroup')[logsId]).toEqual({
      Type: 'AWS::Logs::LogGroup',
      Properties: { RetentionInDays: 90 },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('asynchronous invocations: 2 retries, 6 hours, then the encrypted, TLS-only failure queue', () => {
    const [, invokeConfig] = onlyResource(
      template,
      'AWS::Lambda::EventInvokeConfig',
      'ExportFunctionEventInvokeConfig',
    );
    expect(invokeConfig).toEqual({
      FunctionName: { Ref: functionId },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 6 * 3600,
      DestinationConfig: { OnFailure: { Destination: arnOf(failureQueueId) } },
    });
    const [, failureQueue] = onlyResource(template, 'AWS::SQS::Queue', 'ExportFailureQueue');
    expect(failureQueue).toEqual({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86400 });
    const [, queuePolicy] = onlyResource(template, 'AWS::SQS::QueuePolicy', 'ExportFailureQueuePolicy');
    expect(queuePolicy).toEqual({
      Queues: [{ Ref: failureQueueId }],
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Resource: arnOf(failureQueueId),
          },
        ],
      },
    });
  });

  test('its role trusts Lambda only and has no managed policies', () => {
    expect(role).toEqual({
      AssumeRolePolicyDocument: {
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }],
        Version: '2012-10-17',
      },
      Description: 'Nightly Diyalog export: read the API keys, write the export prefix, write its own logs.',
    });
  });

  test('its role may do exactly this', () => {
    expect(roleStatements()).toEqual(
      expectedStatements(template, {
        secret: { Ref: secretId },
        bucketArn: (suffix) => (suffix === '' ? arnOf(dataBucketId) : arnWithSuffix(dataBucketId, suffix)),
        prefix: 'diyalog',
        reports: REPORTS,
      }),
    );
  });

  test('EXPORT_REPORTS names the reports of the context, and only their tables are granted', () => {
    for (const [reports, names] of [
      [[ONLINE_HELP], 'online_help'],
      [[CALLS], 'calls'],
    ] as const) {
      const only = synth({ reports: reports.map((report) => report.name) }).template;
      const [, props] = onlyResource(only, 'AWS::Lambda::Function', 'ExportFunction');
      const [bucketId] = onlyResource(only, 'AWS::S3::Bucket', 'BucketsData');
      const [secret] = onlyResource(only, 'AWS::SecretsManager::Secret', 'CredentialsSecret');
      expect(props['Environment']).toMatchObject({ Variables: { EXPORT_REPORTS: names } });
      expect(roleStatements(only)).toEqual(
        expectedStatements(only, {
          secret: { Ref: secret },
          bucketArn: (suffix) => (suffix === '' ? arnOf(bucketId) : arnWithSuffix(bucketId, suffix)),
          prefix: 'diyalog',
          reports,
        }),
      );
    }
  });

  describe.each([
    ['every report', REPORTS],
    ['online_help only', [ONLINE_HELP]],
    ['calls only', [CALLS]],
  ] as const)('the keys it may write and delete, %s', (_name, reports) => {
    const grants = objectGrants(
      synth({ bucketName: 'acme-lake', prefix: 'raw/diyalog', reports: reports.map((report) => report.name) }).template,
    );
    const day = parseDay('2025-11-24');
    const others = REPORTS.filter((report) => !reports.some(({ name }) => name === report.name));

    test('for each of its reports: the day’s object, stale objects and rejects; run manifests put, never deleted', () => {
      for (const report of reports) {
        for (const key of [
          partitionObjectKey(report, day),
          `${partitionObjectKey(report, day)}.stale-part`,
          rejectsKey(report, day),
        ]) {
          expect(grants.mayPut(key), key).toBe(true);
          expect(grants.mayDelete(key), key).toBe(true);
        }
        expect(grants.mayPut(manifestKey(report, day, 'run-1'))).toBe(true);
        expect(grants.mayDelete(manifestKey(report, day, 'run-1'))).toBe(false);
      }
      expect(grants.mayPut(preflightKey('run-1'))).toBe(true);
      expect(grants.mayDelete(preflightKey('run-1'))).toBe(true);
    });

    test('nothing of the reports it does not export, and nothing else below the prefix', () => {
      const keys = [
        ...others.flatMap((report) => [
          partitionObjectKey(report, day),
          rejectsKey(report, day),
          manifestKey(report, day, 'run-1'),
        ]),
        'README.txt',
        'other/dt=2025-11-24/x.parquet',
        '_rejects/dt=2025-11-24/rejects.jsonl',
        '_runs/dt=2025-11-24/run-1.json',
        '_runs/run-1.json',
        'online_helper/dt=2025-11-24/x.parquet',
      ];
      for (const key of keys) {
        expect(grants.mayPut(key), key).toBe(false);
        expect(grants.mayDelete(key), key).toBe(false);
      }
    });
  });

  test('an imported bucket and a secret imported by name are granted by ARN pattern', () => {
    const imported = synth({ bucketName: 'acme-lake', secretName: 'diyalog/api-keys', prefix: 'raw/diyalog' }).template;
    expect(roleStatements(imported)).toEqual(
      expectedStatements(imported, {
        secret: {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':secretsmanager:',
              { Ref: 'AWS::Region' },
              ':',
              { Ref: 'AWS::AccountId' },
              ':secret:diyalog/api-keys-??????',
            ],
          ],
        },
        bucketArn: (suffix) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::acme-lake${suffix}`]] }),
        prefix: 'raw/diyalog',
        reports: REPORTS,
      }),
    );
    const [, props] = onlyResource(imported, 'AWS::Lambda::Function', 'ExportFunction');
    expect(props['Environment']).toMatchObject({
      Variables: { DIYALOG_SECRET_ID: 'diyalog/api-keys', EXPORT_BUCKET: 'acme-lake', EXPORT_PREFIX: 'raw/diyalog' },
    });
  });

  test('a secret imported by complete ARN is granted and named by that ARN', () => {
    const arn = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:diyalog/api-keys-AbC123';
    const imported = synth({ secretName: arn }).template;
    const [bucketId] = onlyResource(imported, 'AWS::S3::Bucket', 'BucketsData');
    expect(roleStatements(imported)).toEqual(
      expectedStatements(imported, {
        secret: arn,
        bucketArn: (suffix) => (suffix === '' ? arnOf(bucketId) : arnWithSuffix(bucketId, suffix)),
        prefix: 'diyalog',
        reports: REPORTS,
      }),
    );
    const [, props] = onlyResource(imported, 'AWS::Lambda::Function', 'ExportFunction');
    expect(props['Environment']).toMatchObject({ Variables: { DIYALOG_SECRET_ID: arn } });
    expect(imported.findResources('AWS::SecretsManager::Secret')).toEqual({});
  });
});

/**
 * The export role's statements, for a template's log group and queue and the given secret, bucket, prefix and
 * reports: each report's table, rejects and manifests, and the preflight probes, each below the prefix.
 */
function expectedStatements(
  t: Template,
  grants: {
    secret: unknown;
    bucketArn: (suffix: string) => unknown;
    prefix: string;
    reports: readonly ReportDefinition[];
  },
): unknown[] {
  const [logs] = onlyResource(t, 'AWS::Logs::LogGroup', 'ExportLogs');
  const [queue] = onlyResource(t, 'AWS::SQS::Queue', 'ExportFailureQueue');
  const { bucketArn, prefix, reports } = grants;
  const replaced = reports.flatMap(({ name }) => [`${name}/*`, `_rejects/${name}/*`]);
  const manifests = reports.map(({ name }) => `_runs/${name}/*`);
  // CDK lists a statement's resources sorted.
  const objects = (paths: string[]): unknown[] => paths.sort().map((path) => bucketArn(`/${prefix}/${path}`));
  return [
    { Sid: 'WriteLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: arnOf(logs) },
    {
      Effect: 'Allow',
      Action: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
      Resource: arnOf(queue),
    },
    { Sid: 'ReadApiKeys', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: grants.secret },
    {
      Sid: 'WriteExport',
      Effect: 'Allow',
      Action: 's3:PutObject',
      Resource: objects([...replaced, ...manifests, '_runs/preflight/*']),
    },
    {
      Sid: 'ReplaceDays',
      Effect: 'Allow',
      Action: 's3:DeleteObject',
      Resource: objects([...replaced, '_runs/preflight/*']),
    },
    {
      Sid: 'ListExport',
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: bucketArn(''),
      Condition: { StringLike: { 's3:prefix': [`${prefix}/*`] } },
    },
  ];
}

/**
 * Whether the export role may put and delete a key below the export root, as IAM matches the object ARNs of its
 * statements (`*` any characters), for a template of the imported bucket `acme-lake` and prefix `raw/diyalog`.
 */
function objectGrants(t: Template): { mayPut(key: string): boolean; mayDelete(key: string): boolean } {
  const statements = roleStatements(t) as { Action: unknown; Resource: unknown }[];
  const patterns = (action: string): RegExp[] =>
    statements
      .filter((statement) => [statement.Action].flat().includes(action))
      .flatMap((statement) => [statement.Resource].flat())
      .map((resource) => {
        const arn = (resource as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1].at(-1);
        const path = String(arn).replace(/^:s3:::acme-lake\//, '');
        const escaped = path.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*');
        return new RegExp(`^${escaped}$`);
      });
  const allows = (action: string) => (key: string) =>
    patterns(action).some((pattern) => pattern.test(`raw/diyalog/${key}`));
  return { mayPut: allows('s3:PutObject'), mayDelete: allows('s3:DeleteObject') };
}

describe('the ESM banner', () => {
  test('declares every global that parquetjs-lite assigns without declaring it', () => {
    const root = fileURLToPath(new URL('../../../node_modules/parquetjs-lite/', import.meta.url));
    const sources = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter(
      (file) => file.endsWith('.js') && !file.includes('node_modules'),
    );
    const assigned = new Set<string>();
    for (const file of sources) {
      for (const match of readFileSync(join(root, file), 'utf8').matchAll(/^([A-Za-z_$][\w$]*) = /gm)) {
        assigned.add(match[1] ?? '');
      }
    }
    expect([...PARQUETJS_IMPLICIT_GLOBALS].sort()).toEqual([...assigned].sort());
    expect(ESM_BANNER).toContain(`var ${PARQUETJS_IMPLICIT_GLOBALS.join(', ')};`);
  });
});
