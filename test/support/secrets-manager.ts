import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the stand-in answered. */
export interface SecretsManagerRequest {
  /** The `X-Amz-Target` header, e.g. `secretsmanager.GetSecretValue`. */
  readonly target: string;
  /** `SecretId` from the JSON body, if any. */
  readonly secretId: string | undefined;
  /** The access key id of the SigV4 `Authorization` header (proof that a real SDK client signed it), if any. */
  readonly accessKeyId: string | undefined;
}

/**
 * A Secrets Manager stand-in on 127.0.0.1: `GetSecretValue` over the AWS JSON 1.1 protocol, as the AWS SDK
 * speaks it, for the secrets it was given. Point a client at it with `AWS_ENDPOINT_URL_SECRETS_MANAGER`.
 */
export interface LocalSecretsManager {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** Every request received, in order. */
  readonly requests: readonly SecretsManagerRequest[];
  stop(): Promise<void>;
}

/** Starts the stand-in; `secrets` maps a secret id (name or ARN) to its `SecretString`. */
export async function startLocalSecretsManager(
  secrets: Readonly<Record<string, string>>,
): Promise<LocalSecretsManager> {
  const requests: SecretsManagerRequest[] = [];
  const server = createServer((request, response) => {
    void answer(request, response);
  });
  async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const target = request.headers['x-amz-target'];
    const body = parseJson(Buffer.concat(chunks).toString('utf8'));
    const secretId = typeof body?.['SecretId'] === 'string' ? body['SecretId'] : undefined;
    const accessKeyId = /Credential=([^/]+)\//.exec(request.headers.authorization ?? '')?.[1];
    requests.push({ target: typeof target === 'string' ? target : '', secretId, accessKeyId });

    const reply = (status: number, payload: Record<string, unknown>): void => {
      response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify(payload));
    };
    if (request.method !== 'POST' || target !== 'secretsmanager.GetSecretValue') {
      reply(400, { __type: 'UnknownOperationException', message: `unsupported: ${String(target)}` });
    } else if (secretId === undefined || !(secretId in secrets)) {
      reply(400, {
        __type: 'ResourceNotFoundException',
        message: "Secrets Manager can't find the specified secret.",
      });
    } else {
      reply(200, {
        ARN: `arn:aws:secretsmanager:eu-central-1:123456789012:secret:${secretId}-AbCdEf`,
        Name: secretId,
        SecretString: secrets[secretId],
        VersionId: '00000000-0000-4000-8000-000000000001',
        VersionStages: ['AWSCURRENT'],
        CreatedDate: 1_700_000_000,
      });
    }
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => {
        server.close((error) => {
          if (error) reject(error);
          else resolve();
        });
      });
    },
  };
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
