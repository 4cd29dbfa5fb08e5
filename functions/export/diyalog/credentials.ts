import { ConfigError } from '../core/errors.js';
import { jsonObject } from '../core/json.js';
import type { Credentials } from './sign.js';

/** Supplies the API keys. Production reads them from Secrets Manager and caches them. */
export interface CredentialsProvider {
  get(): Promise<Credentials>;
  /**
   * Called after the server rejected a signature made with `rejected`: re-reads the keys (they may have been
   * rotated) unless keys other than `rejected` are already at hand, e.g. re-read for a concurrent request.
   * @returns whether keys other than `rejected` are now available, i.e. whether another attempt can succeed
   */
  refresh(rejected: Credentials): Promise<boolean>;
}

/** Keys given once (CLI flags or environment); refreshing cannot change them. */
export function staticCredentials(credentials: Credentials): CredentialsProvider {
  return {
    get: () => Promise.resolve(credentials),
    refresh: () => Promise.resolve(false),
  };
}

export function sameCredentials(a: Credentials, b: Credentials): boolean {
  return (
    a.accessKeyId === b.accessKeyId &&
    a.accessKeySecret === b.accessKeySecret &&
    a.requesterUserId === b.requesterUserId
  );
}

const CREDENTIAL_FIELDS = ['accessKeyId', 'accessKeySecret', 'requesterUserId'] as const;

/**
 * Validates a secret value `{"accessKeyId","accessKeySecret","requesterUserId"}`. Errors name the secret and the
 * field, and never quote the value.
 */
export function parseCredentialsJson(text: string, secretId: string): Credentials {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ConfigError(secretId, `the secret value is not JSON; expected ${SHAPE}`);
  }
  const fields = jsonObject(value);
  if (!fields) throw new ConfigError(secretId, `the secret value is not a JSON object; expected ${SHAPE}`);
  const missing = CREDENTIAL_FIELDS.filter((name) => {
    const field = fields[name];
    return typeof field !== 'string' || field.trim() === '';
  });
  if (missing.length > 0) {
    throw new ConfigError(
      secretId,
      `the secret value lacks a non-empty string ${missing.join(', ')}; expected ${SHAPE}`,
    );
  }
  const [accessKeyId, accessKeySecret, requesterUserId] = CREDENTIAL_FIELDS.map((name) => String(fields[name]).trim());
  return {
    accessKeyId: accessKeyId ?? '',
    accessKeySecret: accessKeySecret ?? '',
    requesterUserId: requesterUserId ?? '',
  };
}

const SHAPE = '{"accessKeyId":"…","accessKeySecret":"…","requesterUserId":"…"}';
