import { App } from 'aws-cdk-lib';
import { describe, expect, test } from 'vitest';
import { KEEP_ALL, PERSONAL_COLUMNS, personalDataSetting } from '../../../functions/contract/personal-data.js';
import { CALLS, ONLINE_HELP, REPORTS } from '../../../functions/contract/reports.js';
import {
  ContextError,
  isPlaceholderEndpoint,
  settingsFromContext,
  type ExportSettings,
} from '../../../infra/settings.js';
import { cdkJsonContext } from './support.js';

function settings(overrides: Record<string, unknown> = {}): ExportSettings {
  return settingsFromContext(new App({ context: { ...cdkJsonContext(), ...overrides } }).node);
}

function contextError(overrides: Record<string, unknown>): ContextError {
  try {
    settings(overrides);
  } catch (error) {
    if (error instanceof ContextError) return error;
    throw error;
  }
  throw new Error(`no error for ${JSON.stringify(overrides)}`);
}

describe('settingsFromContext', () => {
  test('the cdk.json defaults', () => {
    expect(settings()).toEqual({
      apiEndpoint: 'https://diyalog.example.com',
      apiEndpointIsPlaceholder: true,
      secret: { kind: 'create' },
      bucket: { kind: 'create' },
      prefix: 'diyalog',
      timeZone: 'Europe/Istanbul',
      scheduleCron: 'cron(30 4 * * ? *)',
      lookbackDays: 1,
      projectionStartDate: '2024-01-01',
      databaseName: 'diyalog',
      reports: [ONLINE_HELP, CALLS],
      personalData: KEEP_ALL,
      backfillChunkDays: 3,
      backfillConcurrency: 1,
      backfillTracing: false,
    });
  });

  test('every optional key, as strings the way `-c key=value` passes them', () => {
    expect(
      settings({
        apiEndpoint: 'https://diyalog.acme.com.tr/api/',
        secretName: 'diyalog/api-keys',
        bucketName: 'acme-data-lake',
        prefix: '/exports/diyalog/',
        timezone: 'America/New_York',
        scheduleCron: 'cron(15 6 ? * MON-FRI *)',
        lookbackDays: '3',
        projectionStartDate: '2023-06-01',
        databaseName: 'acme_diyalog',
        reports: 'calls',
        personalData: 'pseudonymize, agent_id=keep',
        pseudonymKeySecretName: 'diyalog/pseudonym-key',
        alarmEmail: 'ops@acme.com.tr',
        signatureVariant: 'concat',
        concurrency: '8',
        backfillChunkDays: '7',
        backfillConcurrency: '1',
        backfillTracing: 'true',
      }),
    ).toEqual({
      apiEndpoint: 'https://diyalog.acme.com.tr/api/',
      apiEndpointIsPlaceholder: false,
      secret: { kind: 'name', name: 'diyalog/api-keys' },
      bucket: { kind: 'import', name: 'acme-data-lake' },
      prefix: 'exports/diyalog',
      timeZone: 'America/New_York',
      scheduleCron: 'cron(15 6 ? * MON-FRI *)',
      lookbackDays: 3,
      projectionStartDate: '2023-06-01',
      databaseName: 'acme_diyalog',
      reports: [CALLS],
      // Policies that act alike have the same canonical text.
      personalData: personalDataSetting('pseudonymize,agent_id=keep', 'personalData'),
      pseudonymKeySecret: { kind: 'name', name: 'diyalog/pseudonym-key' },
      alarmEmail: 'ops@acme.com.tr',
      signatureVariant: 'concat',
      concurrency: 8,
      backfillChunkDays: 7,
      backfillConcurrency: 1,
      backfillTracing: true,
    });
  });

  test('a complete secret ARN imports by ARN', () => {
    const arn = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:diyalog/api-keys-AbC123';
    expect(settings({ secretName: arn }).secret).toEqual({ kind: 'arn', arn });
  });

  test('reports: a list as cdk.json has it, or names separated by commas as `-c reports=…` gives them', () => {
    expect(settings({ reports: ['online_help'] }).reports).toEqual([ONLINE_HELP]);
    // In the contract's order, each once, whatever order the names come in.
    expect(settings({ reports: ['calls', 'online_help', 'calls'] }).reports).toEqual([ONLINE_HELP, CALLS]);
    expect(settings({ reports: ' calls , online_help ' }).reports).toEqual([ONLINE_HELP, CALLS]);
    // Not set: every report, like EXPORT_REPORTS.
    for (const unset of [undefined, null, '', '  ']) expect(settings({ reports: unset }).reports).toBe(REPORTS);
  });

  test('personalData: the contract’s policy spec, validated by its validator; not set, every column kept', () => {
    const policy = settings({ personalData: 'drop,customer_no=pseudonymize' }).personalData;
    expect(policy.text).toBe('drop,customer_no=pseudonymize');
    expect(policy.actionFor('customer_no')).toBe('pseudonymize');
    expect(policy.actionFor('agent_name')).toBe('drop');
    expect(policy.actionFor('help_state')).toBe('keep');
    for (const unset of [undefined, null, '', '  '])
      expect(settings({ personalData: unset }).personalData).toBe(KEEP_ALL);
    expect(settings({ personalData: 'keep' }).personalData.text).toBe(KEEP_ALL.text);
  });

  test('pseudonymKeySecret: only for a policy that pseudonymizes; created unless pseudonymKeySecretName names one', () => {
    expect(settings({ personalData: 'pseudonymize' }).pseudonymKeySecret).toEqual({ kind: 'create' });
    expect(settings({ personalData: 'keep,customer_no=pseudonymize' }).pseudonymKeySecret).toEqual({ kind: 'create' });
    expect(
      settings({ personalData: 'pseudonymize', pseudonymKeySecretName: 'diyalog/pseudonym-key' }).pseudonymKeySecret,
    ).toEqual({ kind: 'name', name: 'diyalog/pseudonym-key' });
    for (const personalData of ['keep', 'drop', 'drop,agent_id=keep']) {
      expect(settings({ personalData })).not.toHaveProperty('pseudonymKeySecret');
    }
  });

  test.each([
    ['keep', 'keep'],
    ['drop,agent_id=keep', 'drop,agent_id=keep'],
    ['', 'keep'],
  ])('pseudonymKeySecretName with the policy %j, which does not pseudonymize, is refused', (personalData, text) => {
    const error = contextError({ personalData, pseudonymKeySecretName: 'diyalog/pseudonym-key' });
    expect(error.key).toBe('pseudonymKeySecretName');
    expect(error.message).toContain(`the personalData policy "${text}" does not pseudonymize`);
  });

  test.each([
    ['key with spaces'],
    ['arn:aws:secretsmanager:eu-central-1:123456789012:secret:diyalog/pseudonym-key-AbC123'],
  ])('pseudonymKeySecretName %j is not a secret name', (name) => {
    const error = contextError({ personalData: 'pseudonymize', pseudonymKeySecretName: name });
    expect(error.message).toMatch(/^CDK context "pseudonymKeySecretName": .* is not a secret name/);
  });

  test('blank and null optional values mean "not set"', () => {
    const result = settings({ alarmEmail: '  ', secretName: null, bucketName: '', concurrency: null });
    expect(result.alarmEmail).toBeUndefined();
    expect(result.concurrency).toBeUndefined();
    expect(result.secret).toEqual({ kind: 'create' });
    expect(result.bucket).toEqual({ kind: 'create' });
  });

  test.each([
    ['timezone', 'Mars/Olympus_Mons', /CDK context "timezone": Unknown time zone "Mars\/Olympus_Mons"/],
    ['timezone', '+03:00', /CDK context "timezone": .*fixed UTC offset/],
    ['scheduleCron', 'cron(30 4 * * ?)', /CDK context "scheduleCron": .* is not cron\(minutes hours/],
    ['scheduleCron', 'rate(1 day)', /CDK context "scheduleCron"/],
    ['scheduleCron', 'cron(30 4 * * * *)', /exactly one of day-of-month and day-of-week must be "\?"/],
    ['scheduleCron', 'cron(30 4 ? * ? *)', /exactly one of day-of-month and day-of-week must be "\?"/],
    ['lookbackDays', -1, /CDK context "lookbackDays": "-1" is not a whole number from 0 to 30/],
    ['lookbackDays', 31, /CDK context "lookbackDays": "31" is not a whole number from 0 to 30/],
    ['lookbackDays', '1.5', /CDK context "lookbackDays": "1.5" is not a whole number/],
    ['lookbackDays', 'two', /CDK context "lookbackDays": "two" is not a whole number/],
    ['lookbackDays', true, /CDK context "lookbackDays": "true" is not a whole number/],
    ['lookbackDays', {}, /CDK context "lookbackDays": expected a string or a number, got object/],
    ['alarmEmail', 'ops@localhost', /CDK context "alarmEmail": "ops@localhost" is not an e-mail address/],
    ['alarmEmail', 'ops acme.com', /CDK context "alarmEmail": "ops acme.com" is not an e-mail address/],
    ['apiEndpoint', 'diyalog.acme.com', /CDK context "apiEndpoint": "diyalog.acme.com" is not a URL/],
    ['apiEndpoint', 'http://diyalog.acme.com', /CDK context "apiEndpoint": .* must use https:\/\//],
    ['apiEndpoint', 'https://u:p@diyalog.acme.com', /CDK context "apiEndpoint": must not contain credentials/],
    ['secretName', 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:keys', /not a complete secret ARN/],
    ['secretName', 'keys with spaces', /CDK context "secretName": .* is not a secret name/],
    ['bucketName', 'Acme_Lake', /CDK context "bucketName": "Acme_Lake" is not a valid S3 bucket name/],
    ['prefix', '/', /CDK context "prefix": "\/" must be non-empty path segments/],
    ['prefix', 'a/../b', /CDK context "prefix"/],
    ['prefix', 'exports/*', /CDK context "prefix"/],
    ['projectionStartDate', '2024-02-30', /CDK context "projectionStartDate": Invalid day "2024-02-30"/],
    ['databaseName', 'Diyalog-Export', /CDK context "databaseName": "Diyalog-Export" must be lower-case/],
    ['reports', 'chats', /^CDK context "reports": "chats" is not a report; known reports: online_help, calls$/],
    [
      'reports',
      ['calls', 'chats'],
      /^CDK context "reports": "chats" is not a report; known reports: online_help, calls$/,
    ],
    ['reports', [], /^CDK context "reports": names no report; known reports: online_help, calls$/],
    ['reports', 'calls,,online_help', /CDK context "reports": "calls,,online_help" has an empty name/],
    [
      'reports',
      ['calls', 1],
      /CDK context "reports": expected a list of report names, e\.g\. \["online_help","calls"\]/,
    ],
    ['reports', { calls: true }, /CDK context "reports": expected a string or a number, got object/],
    [
      'personalData',
      'hide',
      /^CDK context "personalData": "hide" is not an action; actions: keep, pseudonymize, drop \(or column=action for one column\)$/,
    ],
    [
      'personalData',
      'pseudonymize,help_state=keep',
      new RegExp(
        `^CDK context "personalData": "help_state=keep" does not name a personal column; personal columns: ${PERSONAL_COLUMNS.join(', ')}$`,
      ),
    ],
    [
      'personalData',
      'agent_id=hide',
      /^CDK context "personalData": "agent_id=hide" does not end in an action; actions: keep, pseudonymize, drop$/,
    ],
    ['personalData', 'keep,drop', /CDK context "personalData": "drop" is a second bare action/],
    ['personalData', ['pseudonymize'], /CDK context "personalData": expected a string or a number, got object/],
    [
      'pseudonymKeySecretName',
      'diyalog/pseudonym-key',
      /^CDK context "pseudonymKeySecretName": is set, but the personalData policy "keep" does not pseudonymize; remove it, or set a policy that pseudonymizes$/,
    ],
    ['signatureVariant', 'crlf', /CDK context "signatureVariant": "crlf" is not one of newline, concat/],
    ['concurrency', '0', /CDK context "concurrency": "0" is not a whole number from 1 to 16/],
    ['backfillChunkDays', 0, /CDK context "backfillChunkDays": "0" is not a whole number from 1 to 31/],
    ['backfillChunkDays', '32', /CDK context "backfillChunkDays": "32" is not a whole number from 1 to 31/],
    [
      'backfillConcurrency',
      2,
      /CDK context "backfillConcurrency": "2" is not a whole number from 1 to 1: the export function's reserved concurrency is 1/,
    ],
    ['backfillConcurrency', 0, /CDK context "backfillConcurrency": "0" is not a whole number from 1 to 1/],
    ['backfillTracing', 'yes', /CDK context "backfillTracing": "yes" is not true or false/],
    ['backfillTracing', 1, /CDK context "backfillTracing": "1" is not true or false/],
  ])('refuses %s = %j', (key, value, message) => {
    const error = contextError({ [key]: value });
    expect(error.key).toBe(key);
    expect(error.message).toMatch(message);
  });

  test('a key whose default was removed from cdk.json is named', () => {
    const error = contextError({ timezone: undefined });
    expect(error.key).toBe('timezone');
    expect(error.message).toBe(
      'CDK context "timezone": is not set; restore its default in cdk.json or pass -c timezone=…',
    );
  });
});

describe('isPlaceholderEndpoint', () => {
  test.each([
    'https://diyalog.example.com',
    'https://example.com',
    'https://api.example.org/v1',
    'https://EXAMPLE.NET.',
    'https://diyalog.example',
    'https://diyalog.test',
    'https://diyalog.invalid',
    'https://diyalog.localhost',
  ])('%s is a placeholder', (url) => {
    expect(isPlaceholderEndpoint(url)).toBe(true);
  });

  test.each(['https://diyalog.acme.com.tr', 'https://myexample.com', 'https://example.com.tr', 'https://testing.io'])(
    '%s is not',
    (url) => {
      expect(isPlaceholderEndpoint(url)).toBe(false);
    },
  );
});
