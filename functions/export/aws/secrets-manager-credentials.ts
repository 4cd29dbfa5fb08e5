import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { readSecretString } from './secret-string.js';
import { parseCredentialsJson, sameCredentials, type CredentialsProvider } from '../diyalog/credentials.js';
import type { Credentials } from '../diyalog/sign.js';

/** How long keys read from Secrets Manager are reused before they are read again. */
export const SECRET_CACHE_MS = 5 * 60_000;

/**
 * API keys from one Secrets Manager secret: read once, reused for {@link SECRET_CACHE_MS} (across warm
 * invocations too), and re-read when the server rejects a signature, in case the keys were rotated.
 */
export class SecretsManagerCredentials implements CredentialsProvider {
  private cached?: { credentials: Credentials; readAt: number };
  /** A read in progress, shared so that concurrent requests on a cold cache make one call. */
  private reading: Promise<Credentials> | undefined;

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly secretId: string,
    private readonly now: () => number = Date.now,
  ) {}

  async get(): Promise<Credentials> {
    if (this.cached && this.now() - this.cached.readAt < SECRET_CACHE_MS) return this.cached.credentials;
    return this.read();
  }

  async refresh(rejected: Credentials): Promise<boolean> {
    const current = this.cached?.credentials;
    if (current && !sameCredentials(current, rejected)) return true;
    return !sameCredentials(await this.read(), rejected);
  }

  private read(): Promise<Credentials> {
    this.reading ??= this.readSecret().finally(() => {
      this.reading = undefined;
    });
    return this.reading;
  }

  private async readSecret(): Promise<Credentials> {
    const text = await readSecretString(this.client, this.secretId);
    const credentials = parseCredentialsJson(text, this.secretId);
    this.cached = { credentials, readAt: this.now() };
    return credentials;
  }
}
