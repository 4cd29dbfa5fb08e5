import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  SECRET_CACHE_MS,
  SecretsManagerCredentials,
} from '../../../functions/export/aws/secrets-manager-credentials.js';
import { ConfigError } from '../../../functions/export/core/errors.js';
import type { Credentials } from '../../../functions/export/diyalog/sign.js';

const SECRET_ID = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:diyalog/export-AbCdEf';
const CANARY = 'canary-SECRET-123';
const KEYS_1: Credentials = { accessKeyId: 'AKID-1', accessKeySecret: 'secret-one', requesterUserId: 'etl-export' };
const KEYS_2: Credentials = { accessKeyId: 'AKID-2', accessKeySecret: 'secret-two', requesterUserId: 'etl-export' };

const secretsManager = mockClient(SecretsManagerClient);

afterAll(() => {
  secretsManager.restore();
});

beforeEach(() => {
  secretsManager.reset();
});

/** A provider with a clock the test moves by hand. */
function provider(): { credentials: SecretsManagerCredentials; clock: { now: number } } {
  const clock = { now: 1_763_937_000_000 };
  const client = new SecretsManagerClient({ region: 'eu-central-1' });
  return { credentials: new SecretsManagerCredentials(client, SECRET_ID, () => clock.now), clock };
}

/** Answers successive reads of the secret with these values (objects as JSON). */
function answer(...values: readonly (Credentials | string)[]): void {
  let behaviour = secretsManager.on(GetSecretValueCommand, { SecretId: SECRET_ID });
  for (const value of values) {
    behaviour = behaviour.resolvesOnce({ SecretString: typeof value === 'string' ? value : JSON.stringify(value) });
  }
}

function reads(): number {
  return secretsManager.commandCalls(GetSecretValueCommand).length;
}

async function configError(promise: Promise<unknown>): Promise<ConfigError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return `${error.message}\n${error.stack ?? ''}\n${error.cause === undefined ? '' : errorText(error.cause)}`;
}

describe('SecretsManagerCredentials', () => {
  it('reads the secret once and reuses it within the cache time', async () => {
    answer(KEYS_1, KEYS_2);
    const { credentials, clock } = provider();

    await expect(credentials.get()).resolves.toStrictEqual(KEYS_1);
    clock.now += SECRET_CACHE_MS - 1;
    await expect(credentials.get()).resolves.toStrictEqual(KEYS_1);

    expect(reads()).toBe(1);
    expect(secretsManager.commandCalls(GetSecretValueCommand)[0]?.args[0].input).toStrictEqual({ SecretId: SECRET_ID });
  });

  it('caches for five minutes', () => {
    expect(SECRET_CACHE_MS).toBe(300_000);
  });

  it('reads again once the cache time has passed, counted from the last read', async () => {
    answer(KEYS_1, KEYS_2, KEYS_1);
    const { credentials, clock } = provider();

    await expect(credentials.get()).resolves.toStrictEqual(KEYS_1);
    clock.now += SECRET_CACHE_MS;
    await expect(credentials.get()).resolves.toStrictEqual(KEYS_2);
    expect(reads()).toBe(2);

    clock.now += SECRET_CACHE_MS - 1;
    await expect(credentials.get()).resolves.toStrictEqual(KEYS_2);
    expect(reads()).toBe(2);
  });

  describe('refresh', () => {
    it('reports true without re-reading when a concurrent request already re-read rotated keys', async () => {
      answer(KEYS_1, KEYS_2);
      const { credentials } = provider();
      await credentials.get();
      await expect(credentials.refresh(KEYS_1)).resolves.toBe(true);
      // A second request signed with the old keys got its 401 after the first one re-read.
      await expect(credentials.refresh(KEYS_1)).resolves.toBe(true);
      expect(reads()).toBe(2);
    });

    it('shares one read between concurrent cold gets', async () => {
      answer(KEYS_1);
      const { credentials } = provider();
      const all = await Promise.all([credentials.get(), credentials.get(), credentials.get(), credentials.get()]);
      expect(all).toEqual([KEYS_1, KEYS_1, KEYS_1, KEYS_1]);
      expect(reads()).toBe(1);
    });

    it('re-reads and reports unchanged keys as false', async () => {
      answer(KEYS_1, KEYS_1);
      const { credentials } = provider();
      await credentials.get();

      await expect(credentials.refresh(KEYS_1)).resolves.toBe(false);
      expect(reads()).toBe(2);
    });

    it('re-reads within the cache time and reports rotated keys as true', async () => {
      answer(KEYS_1, KEYS_2);
      const { credentials } = provider();
      await credentials.get();

      await expect(credentials.refresh(KEYS_1)).resolves.toBe(true);
      expect(reads()).toBe(2);
      await expect(credentials.get()).resolves.toStrictEqual(KEYS_2);
      expect(reads()).toBe(2);
    });

    it.each<[keyof Credentials]>([['accessKeyId'], ['accessKeySecret'], ['requesterUserId']])(
      'reports a change of %s alone',
      async (field) => {
        answer(KEYS_1, { ...KEYS_1, [field]: 'changed' });
        const { credentials } = provider();
        await credentials.get();
        await expect(credentials.refresh(KEYS_1)).resolves.toBe(true);
      },
    );

    it('restarts the cache time', async () => {
      answer(KEYS_1, KEYS_2, KEYS_1);
      const { credentials, clock } = provider();
      await credentials.get();
      clock.now += SECRET_CACHE_MS - 10;
      await credentials.refresh(KEYS_1);
      clock.now += SECRET_CACHE_MS - 10;
      await expect(credentials.get()).resolves.toStrictEqual(KEYS_2);
      expect(reads()).toBe(2);
    });

    it('reports true when nothing was read before and the keys differ from the rejected ones', async () => {
      answer(KEYS_1);
      const { credentials } = provider();
      await expect(credentials.refresh({ ...KEYS_1, accessKeySecret: 'rejected' })).resolves.toBe(true);
      await expect(credentials.get()).resolves.toStrictEqual(KEYS_1);
      expect(reads()).toBe(1);
    });

    it('keeps the cached keys when the re-read fails', async () => {
      secretsManager
        .on(GetSecretValueCommand)
        .resolvesOnce({ SecretString: JSON.stringify(KEYS_1) })
        .rejectsOnce(new Error('throttled'));
      const { credentials } = provider();
      await credentials.get();

      await expect(credentials.refresh(KEYS_1)).rejects.toBeInstanceOf(ConfigError);
      await expect(credentials.get()).resolves.toStrictEqual(KEYS_1);
      expect(reads()).toBe(2);
    });
  });

  describe('errors', () => {
    it('turns an SDK error into a ConfigError that names the secret', async () => {
      const sdkError = new ResourceNotFoundException({
        message: "Secrets Manager can't find the specified secret.",
        $metadata: { httpStatusCode: 400 },
      });
      secretsManager.on(GetSecretValueCommand).rejects(sdkError);
      const { credentials } = provider();

      const error = await configError(credentials.get());
      expect(error.setting).toBe(SECRET_ID);
      expect(error.message).toContain(SECRET_ID);
      expect(error.message).toContain('could not read the secret');
      expect(error.message).toContain('ResourceNotFoundException');
      expect(error.cause).toBe(sdkError);
    });

    it('does not cache a failure', async () => {
      secretsManager
        .on(GetSecretValueCommand)
        .rejectsOnce(new Error('network down'))
        .resolvesOnce({ SecretString: JSON.stringify(KEYS_1) });
      const { credentials } = provider();

      await expect(credentials.get()).rejects.toBeInstanceOf(ConfigError);
      await expect(credentials.get()).resolves.toStrictEqual(KEYS_1);
    });

    it('refuses a secret without a string value (binary secret)', async () => {
      secretsManager.on(GetSecretValueCommand).resolves({ SecretBinary: new Uint8Array([1, 2, 3]) });
      const { credentials } = provider();

      const error = await configError(credentials.get());
      expect(error.setting).toBe(SECRET_ID);
      expect(error.message).toBe(`${SECRET_ID}: the secret has no string value`);
    });

    it.each([
      ['malformed JSON', `{"accessKeyId":"AKID-1","accessKeySecret":"${CANARY}"`],
      ['a value that is only the secret', CANARY],
      ['JSON missing a field', JSON.stringify({ accessKeyId: 'AKID-1', accessKeySecret: CANARY })],
    ])('refuses %s without quoting the value', async (_label, text) => {
      answer(text);
      const { credentials } = provider();

      const error = await configError(credentials.get());
      expect(error.setting).toBe(SECRET_ID);
      expect(error.message).toContain('the secret value');
      expect(errorText(error)).not.toContain(CANARY);
    });

    it('does not cache a malformed value', async () => {
      answer('{', KEYS_1);
      const { credentials } = provider();
      await expect(credentials.get()).rejects.toBeInstanceOf(ConfigError);
      await expect(credentials.get()).resolves.toStrictEqual(KEYS_1);
      expect(reads()).toBe(2);
    });
  });
});
