import { describe, expect, it } from 'vitest';
import { lambdaConfigFromEnv, type Environment, type LambdaConfig } from '../../functions/export/settings.js';
import { SettingError } from '../../functions/contract/errors.js';
import { CALLS, ONLINE_HELP } from '../../functions/contract/reports.js';
import { KEEP_ALL, personalDataSetting } from '../../functions/contract/personal-data.js';
import { ConfigError, ExportError } from '../../functions/export/core/errors.js';

const BASE: Environment = {
  DIYALOG_API_ENDPOINT: 'https://diyalog.example.com',
  DIYALOG_SECRET_ID: 'diyalog/export/keys',
  EXPORT_BUCKET: 'acme-data-lake',
};

function config(overrides: Environment): LambdaConfig {
  return lambdaConfigFromEnv({ ...BASE, ...overrides });
}

/** The ConfigError that the environment is refused with. */
function refusal(env: Environment): ConfigError {
  try {
    lambdaConfigFromEnv(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

/** Asserts that `overrides` on top of a valid environment are refused, naming `setting`. */
function expectRefused(overrides: Environment, setting: string, detail?: string | RegExp): ConfigError {
  const error = refusal({ ...BASE, ...overrides });
  expect(error).toBeInstanceOf(ExportError);
  expect(error.name).toBe('ConfigError');
  expect(error.setting).toBe(setting);
  expect(error.message.startsWith(`${setting}: `)).toBe(true);
  if (typeof detail === 'string') expect(error.message).toContain(detail);
  else if (detail) expect(error.message).toMatch(detail);
  return error;
}

function without(name: string): Environment {
  return Object.fromEntries(Object.entries(BASE).filter(([key]) => key !== name));
}

describe('lambdaConfigFromEnv', () => {
  it('applies every default to a minimal environment', () => {
    const result = lambdaConfigFromEnv(BASE);
    expect(result).toEqual({
      endpoint: 'https://diyalog.example.com',
      signatureVariant: 'newline',
      concurrency: 4,
      timeZone: 'Europe/Istanbul',
      reports: [ONLINE_HELP, CALLS],
      personalData: KEEP_ALL,
      secretId: 'diyalog/export/keys',
      bucket: 'acme-data-lake',
      prefix: '',
      lookbackDays: 1,
    });
    expect('s3Endpoint' in result).toBe(false);
    expect('firstDay' in result).toBe(false);
  });

  it('reads every variable when all are set', () => {
    const result = lambdaConfigFromEnv({
      DIYALOG_API_ENDPOINT: ' https://diyalog.example.com/gateway ',
      DIYALOG_SECRET_ID: ' arn:aws:secretsmanager:eu-central-1:123456789012:secret:diyalog-AbCdEf ',
      EXPORT_BUCKET: 'acme.data-lake.2025',
      EXPORT_PREFIX: '/raw/diyalog/',
      EXPORT_TIMEZONE: 'America/New_York',
      EXPORT_LOOKBACK_DAYS: '3',
      EXPORT_FIRST_DAY: ' 2024-01-01 ',
      DIYALOG_SIGNATURE_VARIANT: 'concat',
      DIYALOG_CONCURRENCY: '8',
      EXPORT_REPORTS: ' calls ',
      EXPORT_PERSONAL_DATA: 'pseudonymize, agent_id=keep',
      EXPORT_PSEUDONYM_KEY_SECRET_ID: ' diyalog/export/pseudonym-key ',
      AWS_ENDPOINT_URL_S3: 'http://localhost:4568',
      UNRELATED: 'ignored',
    });
    expect(result).toEqual({
      endpoint: 'https://diyalog.example.com/gateway',
      signatureVariant: 'concat',
      concurrency: 8,
      timeZone: 'America/New_York',
      reports: [CALLS],
      personalData: personalDataSetting('pseudonymize,agent_id=keep', 'test'),
      pseudonymKeySecretId: 'diyalog/export/pseudonym-key',
      secretId: 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:diyalog-AbCdEf',
      bucket: 'acme.data-lake.2025',
      prefix: 'raw/diyalog',
      lookbackDays: 3,
      firstDay: '2024-01-01',
      s3Endpoint: 'http://localhost:4568',
    });
  });

  it('returns a frozen object', () => {
    const result = lambdaConfigFromEnv(BASE);
    expect(Object.isFrozen(result)).toBe(true);
    expect(() => {
      (result as { concurrency: number }).concurrency = 16;
    }).toThrow(TypeError);
    expect(result.concurrency).toBe(4);
  });

  describe('DIYALOG_API_ENDPOINT', () => {
    it.each([undefined, '', '   '])('is required (%j)', (value) => {
      const env = value === undefined ? without('DIYALOG_API_ENDPOINT') : { ...BASE, DIYALOG_API_ENDPOINT: value };
      const error = refusal(env);
      expect(error.setting).toBe('DIYALOG_API_ENDPOINT');
      expect(error.message).toBe('DIYALOG_API_ENDPOINT: is not set');
    });

    it.each([
      ['https://diyalog.example.com', 'https://diyalog.example.com'],
      ['https://diyalog.example.com/', 'https://diyalog.example.com/'],
      ['https://diyalog.example.com:8443/mount', 'https://diyalog.example.com:8443/mount'],
      ['http://localhost:4010', 'http://localhost:4010'],
      ['http://127.0.0.1:4010', 'http://127.0.0.1:4010'],
      ['http://127.0.0.2', 'http://127.0.0.2'],
      ['http://[::1]:4010', 'http://[::1]:4010'],
    ])('accepts %s', (value, expected) => {
      expect(config({ DIYALOG_API_ENDPOINT: value }).endpoint).toBe(expected);
    });

    it.each([
      'http://diyalog.example.com',
      'http://10.0.0.5:8080',
      'http://localhost.example.com',
      'http://127.0.0.1.nip.io',
    ])('refuses plain http:// to the non-loopback host of %s', (value) => {
      expectRefused(
        { DIYALOG_API_ENDPOINT: value },
        'DIYALOG_API_ENDPOINT',
        /plain http:\/\/ is refused.*use https:\/\//,
      );
    });

    it.each([
      ['diyalog.example.com', 'is not a URL'],
      ['ftp://diyalog.example.com', 'unsupported scheme "ftp:"'],
      ['https://etl:pw@diyalog.example.com', 'must not contain credentials'],
      ['https://diyalog.example.com/?tenant=1', 'query string'],
      ['https://diyalog.example.com/#x', 'fragment'],
    ])('refuses %s', (value, detail) => {
      expectRefused({ DIYALOG_API_ENDPOINT: value }, 'DIYALOG_API_ENDPOINT', detail);
    });

    it('does not echo credentials embedded in the URL', () => {
      const error = expectRefused(
        { DIYALOG_API_ENDPOINT: 'https://etl:canary-SECRET-123@diyalog.example.com' },
        'DIYALOG_API_ENDPOINT',
      );
      expect(error.message).not.toContain('canary-SECRET-123');
    });
  });

  describe('DIYALOG_SECRET_ID', () => {
    it.each([undefined, '', ' \t '])('is required (%j)', (value) => {
      const env = value === undefined ? without('DIYALOG_SECRET_ID') : { ...BASE, DIYALOG_SECRET_ID: value };
      const error = refusal(env);
      expect(error.setting).toBe('DIYALOG_SECRET_ID');
      expect(error.message).toBe('DIYALOG_SECRET_ID: is not set');
    });

    it('is trimmed', () => {
      expect(config({ DIYALOG_SECRET_ID: '  diyalog/keys\n' }).secretId).toBe('diyalog/keys');
    });
  });

  describe('EXPORT_BUCKET', () => {
    it.each([undefined, '', '  '])('is required (%j)', (value) => {
      const env = value === undefined ? without('EXPORT_BUCKET') : { ...BASE, EXPORT_BUCKET: value };
      const error = refusal(env);
      expect(error.setting).toBe('EXPORT_BUCKET');
      expect(error.message).toBe('EXPORT_BUCKET: is not set');
    });

    it.each(['abc', 'a'.repeat(63), 'acme-data-lake', 'acme.data.lake', '0bucket9'])('accepts %s', (value) => {
      expect(config({ EXPORT_BUCKET: value }).bucket).toBe(value);
    });

    it('is trimmed before validation', () => {
      expect(config({ EXPORT_BUCKET: ' acme-data-lake ' }).bucket).toBe('acme-data-lake');
    });

    it.each([
      'ab',
      'a'.repeat(64),
      'Acme-Data-Lake',
      'acme_data_lake',
      '-acme',
      'acme-',
      '.acme',
      'acme.',
      'acme..lake',
      's3://acme-data-lake',
      'acme/raw',
    ])('refuses %s', (value) => {
      expectRefused({ EXPORT_BUCKET: value }, 'EXPORT_BUCKET', `"${value}" is not a valid S3 bucket name`);
    });
  });

  describe('EXPORT_PREFIX', () => {
    it.each([
      [undefined, ''],
      ['', ''],
      ['   ', ''],
      ['/', ''],
      ['///', ''],
      ['exports', 'exports'],
      ['/exports/', 'exports'],
      ['//raw/diyalog//', 'raw/diyalog'],
      [' raw/diyalog/ ', 'raw/diyalog'],
      ['raw/v1.2/..hidden', 'raw/v1.2/..hidden'],
    ])('%j becomes %j', (value, expected) => {
      const env = value === undefined ? BASE : { ...BASE, EXPORT_PREFIX: value };
      expect(lambdaConfigFromEnv(env).prefix).toBe(expected);
    });

    it.each(['..', '../escape', 'raw/../other', 'raw/..', 'raw//diyalog', './raw', 'raw/./diyalog'])(
      'refuses %j',
      (value) => {
        expectRefused({ EXPORT_PREFIX: value }, 'EXPORT_PREFIX', 'empty, "." or ".." path segment');
      },
    );
  });

  describe('EXPORT_TIMEZONE', () => {
    it.each([undefined, '', '  '])('defaults to Europe/Istanbul (%j)', (value) => {
      const env = value === undefined ? BASE : { ...BASE, EXPORT_TIMEZONE: value };
      expect(lambdaConfigFromEnv(env).timeZone).toBe('Europe/Istanbul');
    });

    it.each(['UTC', 'Asia/Tokyo', ' Europe/Berlin '])('accepts %j', (value) => {
      expect(config({ EXPORT_TIMEZONE: value }).timeZone).toBe(value.trim());
    });

    it.each([
      ['Mars/Olympus_Mons', 'Unknown time zone "Mars/Olympus_Mons"'],
      ['+03:00', 'fixed UTC offset'],
      ['Etc/GMT-3', 'fixed UTC offset'],
    ])('refuses %j', (value, detail) => {
      const error = expectRefused({ EXPORT_TIMEZONE: value }, 'EXPORT_TIMEZONE', detail);
      expect(error.cause).toBeInstanceOf(SettingError);
    });
  });

  describe('EXPORT_REPORTS', () => {
    it.each([undefined, '', '  '])('defaults to every report (%j)', (value) => {
      const env = value === undefined ? BASE : { ...BASE, EXPORT_REPORTS: value };
      expect(lambdaConfigFromEnv(env).reports).toEqual([ONLINE_HELP, CALLS]);
    });

    it.each([
      ['online_help', [ONLINE_HELP]],
      ['calls, online_help', [ONLINE_HELP, CALLS]],
    ])('reads %j', (value, expected) => {
      expect(config({ EXPORT_REPORTS: value }).reports).toEqual(expected);
    });

    it.each([
      ['chats', '"chats" is not a report; known reports: online_help, calls'],
      ['calls,,online_help', 'has an empty name'],
    ])('refuses %j with the known reports', (value, detail) => {
      expectRefused({ EXPORT_REPORTS: value }, 'EXPORT_REPORTS', detail);
    });
  });

  describe('EXPORT_PERSONAL_DATA', () => {
    it('reads the policy with the contract validator, default keep', () => {
      expect(lambdaConfigFromEnv(BASE).personalData).toBe(KEEP_ALL);
      expect(config({ EXPORT_PERSONAL_DATA: 'drop,customer_no=pseudonymize' }).personalData.text).toBe(
        'drop,customer_no=pseudonymize',
      );
    });

    it.each([
      ['hide', '"hide" is not an action; actions: keep, pseudonymize, drop'],
      ['keep,help_state=drop', 'does not name a personal column; personal columns: customer_no'],
    ])('refuses %j with the valid values', (value, detail) => {
      expectRefused({ EXPORT_PERSONAL_DATA: value }, 'EXPORT_PERSONAL_DATA', detail);
    });
  });

  describe('EXPORT_LOOKBACK_DAYS', () => {
    it.each([
      [undefined, 1],
      ['', 1],
      [' ', 1],
      ['0', 0],
      ['1', 1],
      ['7', 7],
      [' 30 ', 30],
    ])('%j gives %d', (value, expected) => {
      const env = value === undefined ? BASE : { ...BASE, EXPORT_LOOKBACK_DAYS: value };
      expect(lambdaConfigFromEnv(env).lookbackDays).toBe(expected);
    });

    it.each(['31', '-1', '1.5', 'one', '1e1', '+2', '99999999999999999999'])('refuses %j', (value) => {
      expectRefused(
        { EXPORT_LOOKBACK_DAYS: value },
        'EXPORT_LOOKBACK_DAYS',
        `"${value}" is not a whole number from 0 to 30`,
      );
    });
  });

  describe('EXPORT_FIRST_DAY', () => {
    it.each([undefined, '', '  '])('is optional (%j): no first day', (value) => {
      const env = value === undefined ? BASE : { ...BASE, EXPORT_FIRST_DAY: value };
      expect('firstDay' in lambdaConfigFromEnv(env)).toBe(false);
    });

    it.each([
      ['2024-01-01', '2024-01-01'],
      [' 2024-02-29\n', '2024-02-29'],
    ])('%j gives %s', (value, expected) => {
      expect(config({ EXPORT_FIRST_DAY: value }).firstDay).toBe(expected);
    });

    it.each([
      ['2025-02-30', '2025-02 has days 01–28'],
      ['2024-1-1', 'expected YYYY-MM-DD'],
      ['yesterday', 'expected YYYY-MM-DD'],
    ])('refuses %j, naming the variable', (value, detail) => {
      const error = expectRefused({ EXPORT_FIRST_DAY: value }, 'EXPORT_FIRST_DAY', detail);
      expect(error.cause).toBeInstanceOf(SettingError);
    });
  });

  describe('DIYALOG_SIGNATURE_VARIANT', () => {
    it.each([
      [undefined, 'newline'],
      ['', 'newline'],
      ['newline', 'newline'],
      ['concat', 'concat'],
      [' concat ', 'concat'],
    ])('%j gives %s', (value, expected) => {
      const env = value === undefined ? BASE : { ...BASE, DIYALOG_SIGNATURE_VARIANT: value };
      expect(lambdaConfigFromEnv(env).signatureVariant).toBe(expected);
    });

    it.each(['Concat', 'no-newline', 'both'])('refuses %j and lists the variants', (value) => {
      expectRefused(
        { DIYALOG_SIGNATURE_VARIANT: value },
        'DIYALOG_SIGNATURE_VARIANT',
        `"${value}" is not one of newline, concat`,
      );
    });
  });

  describe('DIYALOG_CONCURRENCY', () => {
    it.each([
      [undefined, 4],
      ['', 4],
      ['1', 1],
      ['7', 7],
      ['16', 16],
      ['016', 16],
    ])('%j gives %d', (value, expected) => {
      const env = value === undefined ? BASE : { ...BASE, DIYALOG_CONCURRENCY: value };
      expect(lambdaConfigFromEnv(env).concurrency).toBe(expected);
    });

    it.each(['0', '17', '-4', '2.5', 'four', '0x4'])('refuses %j', (value) => {
      expectRefused(
        { DIYALOG_CONCURRENCY: value },
        'DIYALOG_CONCURRENCY',
        `"${value}" is not a whole number from 1 to 16`,
      );
    });
  });

  describe('AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL', () => {
    it('uses AWS_ENDPOINT_URL_S3', () => {
      expect(config({ AWS_ENDPOINT_URL_S3: ' http://localhost:9000 ' }).s3Endpoint).toBe('http://localhost:9000');
    });

    it('falls back to AWS_ENDPOINT_URL', () => {
      expect(config({ AWS_ENDPOINT_URL: 'http://localhost:4566' }).s3Endpoint).toBe('http://localhost:4566');
    });

    it('prefers AWS_ENDPOINT_URL_S3 over AWS_ENDPOINT_URL', () => {
      const result = config({ AWS_ENDPOINT_URL_S3: 'http://s3.local:9000', AWS_ENDPOINT_URL: 'http://all.local:4566' });
      expect(result.s3Endpoint).toBe('http://s3.local:9000');
    });

    it('falls back when AWS_ENDPOINT_URL_S3 is blank', () => {
      expect(config({ AWS_ENDPOINT_URL_S3: '  ', AWS_ENDPOINT_URL: 'http://localhost:4566' }).s3Endpoint).toBe(
        'http://localhost:4566',
      );
    });

    it('leaves s3Endpoint out when both are blank', () => {
      expect('s3Endpoint' in config({ AWS_ENDPOINT_URL_S3: '', AWS_ENDPOINT_URL: ' ' })).toBe(false);
    });

    it.each(['AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL'])('refuses a %s that is not a URL', (name) => {
      expectRefused({ [name]: 'minio at port 9000' }, name, '"minio at port 9000" is not an http(s):// URL');
    });

    it.each(['192.168.1.1', 'xn--bucket', 'bucket-s3alias'])(
      'refuses the bucket name %s, which AWS forbids',
      (name) => {
        expectRefused({ EXPORT_BUCKET: name }, 'EXPORT_BUCKET', 'is not a valid S3 bucket name');
      },
    );

    it.each(['localhost:9000', 'ftp://files.example.com'])('refuses %s, which lacks an http(s) scheme', (value) => {
      expectRefused({ AWS_ENDPOINT_URL_S3: value }, 'AWS_ENDPOINT_URL_S3', 'is not an http(s):// URL');
    });

    it('refuses an invalid AWS_ENDPOINT_URL_S3 even when AWS_ENDPOINT_URL is valid', () => {
      expectRefused(
        { AWS_ENDPOINT_URL_S3: 'not a url', AWS_ENDPOINT_URL: 'http://localhost:4566' },
        'AWS_ENDPOINT_URL_S3',
      );
    });
  });
});
