import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError } from '../core/errors.js';
import { parseCredentialsJson, type CredentialsProvider } from '../diyalog/credentials.js';
import type { Credentials } from '../diyalog/sign.js';

/** How long keys read from Secrets Manager are reused before they are read again. */
export const SECRET_CACHE_MS = 5 * 60_000;

/**
 * API keys from one Secrets Manager secret: read once, reused for {@link SECRET_CACHE_MS} (across warm
 * invocations too), and re-read when the server rejects a signature, in case the keys were rotated.
 */
export class SecretsManagerCredentials implements CredentialsProvider {
  private cached?: { credentials: Credentials; readAt: number };

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly secretId: string,
    private readonly now: () => number = Date.now,
  ) {}

  async get(): Promise<Credentials> {
    if (this.cached && this.now() - this.cached.readAt < SECRET_CACHE_MS) return this.cached.credentials;
    return this.read();
  }

  async refresh(): Promise<boolean> {
    const before = this.cached?.credentials;
    const after = await this.read();
    return (
      before === undefined ||
      before.accessKeyId !== after.accessKeyId ||
      before.accessKeySecret !== after.accessKeySecret ||
      before.requesterUserId !== after.requesterUserId
    );
  }

  private async read(): Promise<Credentials> {
    let text: string | undefined;
    try {
      text = (await this.client.send(new GetSecretValueCommand({ SecretId: this.secretId }))).SecretString;
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new ConfigError(this.secretId, `could not read the secret (${reason})`, { cause: error });
    }
    if (text === undefined) throw new ConfigError(this.secretId, 'the secret has no string value');
    const credentials = parseCredentialsJson(text, this.secretId);
    this.cached = { credentials, readAt: this.now() };
    return credentials;
  }
}
