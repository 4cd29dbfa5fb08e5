import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../functions/export/core/errors.js';
import { parseCredentialsJson, staticCredentials } from '../../../functions/export/diyalog/credentials.js';

const SECRET_ID = 'diyalog/export/keys';
const CANARY = 'canary-SECRET-123';
const FIELDS = ['accessKeyId', 'accessKeySecret', 'requesterUserId'] as const;
const VALID = { accessKeyId: 'AKID-1', accessKeySecret: 's3cr3t-value', requesterUserId: 'etl-export' };

function refusal(text: string): ConfigError {
  try {
    parseCredentialsJson(text, SECRET_ID);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected a ConfigError for ${text}`);
}

/** Everything an error would show in a log: message, stack and the causes'. */
function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return `${error.message}\n${error.stack ?? ''}\n${error.cause === undefined ? '' : errorText(error.cause)}`;
}

/** The part of the message that says what is wrong, before the generic "expected {...}" shape. */
function complaint(error: ConfigError): string {
  return error.message.split('; expected')[0] ?? '';
}

describe('parseCredentialsJson', () => {
  it('reads a valid secret value', () => {
    expect(parseCredentialsJson(JSON.stringify(VALID), SECRET_ID)).toStrictEqual(VALID);
  });

  it('trims the values and ignores extra fields', () => {
    const text = JSON.stringify({
      accessKeyId: ' AKID-1 ',
      accessKeySecret: '\ts3cr3t-value\n',
      requesterUserId: ' etl-export',
      comment: 'rotated 2025-11-01',
    });
    expect(parseCredentialsJson(text, SECRET_ID)).toStrictEqual(VALID);
  });

  it.each(['', 'not json', '{"accessKeyId":', "{'accessKeyId':'x'}"])('refuses the non-JSON value %j', (text) => {
    const error = refusal(text);
    expect(error.setting).toBe(SECRET_ID);
    expect(error.message).toContain(`${SECRET_ID}: the secret value is not JSON`);
    expect(error.message).toContain('"accessKeyId"');
  });

  it.each(['[]', '"text"', '42', 'null', 'true', JSON.stringify([VALID])])(
    'refuses the non-object value %s',
    (text) => {
      const error = refusal(text);
      expect(error.setting).toBe(SECRET_ID);
      expect(error.message).toContain('is not a JSON object');
    },
  );

  describe.each(FIELDS)('field %s', (field) => {
    const others = FIELDS.filter((name) => name !== field);

    it.each<[string, unknown]>([
      ['missing', undefined],
      ['empty', ''],
      ['blank', '   '],
      ['a number', 12345],
      ['null', null],
      ['an object', { value: 'x' }],
    ])('is named when %s', (_label, value) => {
      const error = refusal(JSON.stringify({ ...VALID, [field]: value }));
      expect(error.setting).toBe(SECRET_ID);
      expect(complaint(error)).toContain(`lacks a non-empty string ${field}`);
      for (const other of others) expect(complaint(error)).not.toContain(other);
    });
  });

  it('names every missing field at once', () => {
    const error = refusal('{}');
    expect(complaint(error)).toContain('accessKeyId, accessKeySecret, requesterUserId');
  });

  describe('never quotes the secret value', () => {
    it.each([
      ['broken JSON', `{"accessKeyId":"AKID-1","accessKeySecret":"${CANARY}","requesterUserId":}`],
      ['broken JSON that starts with the secret', `${CANARY}"}`],
      ['the bare secret', CANARY],
      ['a JSON string of the secret', JSON.stringify(CANARY)],
      ['an array holding the secret', JSON.stringify([CANARY])],
      ['JSON missing another field', JSON.stringify({ accessKeyId: 'AKID-1', accessKeySecret: CANARY })],
      [
        'JSON with an empty requesterUserId',
        JSON.stringify({ ...VALID, accessKeySecret: CANARY, requesterUserId: '' }),
      ],
      [
        'JSON whose id is the secret and whose secret is empty',
        JSON.stringify({ ...VALID, accessKeyId: CANARY, accessKeySecret: '' }),
      ],
    ])('in %s', (_label, text) => {
      expect(text).toContain(CANARY);
      const error = refusal(text);
      expect(errorText(error)).not.toContain(CANARY);
      expect(errorText(error)).not.toContain('SECRET-123');
    });
  });
});

describe('staticCredentials', () => {
  it('gives the same keys every time and cannot refresh them', async () => {
    const provider = staticCredentials(VALID);
    await expect(provider.get()).resolves.toBe(VALID);
    await expect(provider.refresh(VALID)).resolves.toBe(false);
    await expect(provider.get()).resolves.toBe(VALID);
  });
});
