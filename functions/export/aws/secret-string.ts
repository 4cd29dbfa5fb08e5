import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError } from '../core/errors.js';
import { awsConfigurationError } from './configuration-errors.js';

/**
 * The string value of a Secrets Manager secret. A secret that cannot be read, or has no string value, is a
 * {@link ConfigError} naming the secret (never its value), so that the run stops before any request.
 */
export async function readSecretString(client: SecretsManagerClient, secretId: string): Promise<string> {
  let text: string | undefined;
  try {
    text = (await client.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;
  } catch (error) {
    const configuration = awsConfigurationError(error, `reading the secret ${secretId} from Secrets Manager`);
    if (configuration) throw configuration;
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new ConfigError(secretId, `could not read the secret (${reason})`, { cause: error });
  }
  if (text === undefined) throw new ConfigError(secretId, 'the secret has no string value');
  return text;
}
