import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsManagerCredentials } from './aws/secrets-manager-credentials.js';
import type { ApiConfig } from './settings.js';
import type { ReportDefinition } from '../contract/reports.js';
import type { DayExportContext } from './core/export-day.js';
import type { ObjectStore } from './core/ports.js';
import { DiyalogClient, type DiyalogClientOptions, type RetryNotice } from './diyalog/client.js';
import type { CredentialsProvider } from './diyalog/credentials.js';
import { encodeParquet } from './parquet/encode.js';
import { LocalDirStore } from './store/local-dir.js';
import { S3Store } from './store/s3.js';
import { readSecretString } from './aws/secret-string.js';
import type { PersonalData } from './core/export-day.js';
import { ConfigError, rethrowAs } from './core/errors.js';
import { pseudonymKeySetting } from '../contract/personal-data.js';
import { EXPORT_ENV } from '../contract/settings.js';
import { EXPORTER_VERSION } from './version.js';

/**
 * The one composition root: configuration in, real adapters out. The Lambda handler and the CLI both build
 * their export from here, so that they run the very same code.
 */

/** An export root: a local folder or `s3://bucket/prefix`. */
export type ExportRoot =
  | { readonly kind: 'local'; readonly directory: string }
  | { readonly kind: 's3'; readonly bucket: string; readonly prefix: string };

/**
 * An S3 client for AWS, or for an S3-compatible store when `endpoint` is set: then path-style addressing, and
 * checksums only where required, because such stores (MinIO, s3rver…) often keep aws-chunked framing verbatim.
 */
export function createS3Client(endpoint: string | undefined): S3Client {
  return new S3Client(endpoint ? { endpoint, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED' } : {});
}

export function createStore(root: ExportRoot, s3Endpoint: string | undefined): ObjectStore {
  return root.kind === 'local'
    ? new LocalDirStore(root.directory)
    : new S3Store(createS3Client(s3Endpoint), root.bucket, root.prefix, s3Endpoint);
}

export function secretsManagerCredentials(
  secretId: string,
  client = new SecretsManagerClient({}),
): CredentialsProvider {
  return new SecretsManagerCredentials(client, secretId);
}

/** Where a run's pseudonym key may come from, besides `ApiConfig.pseudonymKeySecretId`. */
export interface PseudonymKeySources {
  /** The key's text and the variable it came from (the CLI's `EXPORT_PSEUDONYM_KEY`); never for the Lambda. */
  readonly text?: { readonly value: string; readonly setting: string };
  readonly secretsClient?: SecretsManagerClient;
}

/**
 * The personal data of a run: its policy and, when the policy pseudonymizes, the key, validated before any
 * request: from `text` if given, else from the secret `api.pseudonymKeySecretId`. No key is read for a policy that
 * does not pseudonymize. A missing or short key is a {@link ConfigError}; no message holds the key or a part of it.
 */
export async function personalDataFor(
  api: Pick<ApiConfig, 'personalData' | 'pseudonymKeySecretId'>,
  sources: PseudonymKeySources = {},
): Promise<PersonalData> {
  const policy = api.personalData;
  if (!policy.usesPseudonyms) return { policy };
  const { text } = sources;
  if (text !== undefined) {
    return { policy, key: rethrowAs(text.setting, () => pseudonymKeySetting(text.value, text.setting)) };
  }
  const secretId = api.pseudonymKeySecretId;
  if (secretId === undefined) {
    throw new ConfigError(
      'pseudonym key',
      `none is configured, and the personal-data policy "${policy.text}" pseudonymizes: set ` +
        `${EXPORT_ENV.pseudonymKeySecretId} (the Lambda, or --pseudonym-key-secret-id) or ${EXPORT_ENV.pseudonymKey} (the CLI)`,
    );
  }
  const value = await readSecretString(sources.secretsClient ?? new SecretsManagerClient({}), secretId);
  return { policy, key: rethrowAs(secretId, () => pseudonymKeySetting(value, secretId)) };
}

export interface ContextParts {
  readonly api: ApiConfig;
  readonly credentials: CredentialsProvider;
  readonly store: ObjectStore;
  readonly runId: string;
  /** The personal-data policy in force and its key (see {@link personalDataFor}). */
  readonly personalData: PersonalData;
  /** Whether `api.endpoint` is the built-in simulator serving demo data; manifests then record `demo`. */
  readonly demo?: boolean;
  readonly now?: () => number;
  readonly onRetry?: (notice: RetryNotice) => void;
  readonly onProgress?: DayExportContext['onProgress'];
  readonly signal?: AbortSignal;
  /** Transport settings of the Diyalog client (fetch, timeout, retry policy); production uses the defaults. */
  readonly transport?: Pick<DiyalogClientOptions, 'fetch' | 'timeoutMs' | 'retry'>;
}

export function exportContext(parts: ContextParts): DayExportContext {
  const now = parts.now ?? Date.now;
  const clients = new Map<ReportDefinition, DiyalogClient>();
  const sourceFor = (report: ReportDefinition): DiyalogClient => {
    let client = clients.get(report);
    if (client === undefined) {
      client = new DiyalogClient({
        endpoint: parts.api.endpoint,
        report,
        credentials: parts.credentials,
        signatureVariant: parts.api.signatureVariant,
        now,
        ...parts.transport,
        ...(parts.onRetry ? { onRetry: parts.onRetry } : {}),
      });
      clients.set(report, client);
    }
    return client;
  };
  return {
    sourceFor,
    store: parts.store,
    timeZone: parts.api.timeZone,
    concurrency: parts.api.concurrency,
    encode: encodeParquet,
    runId: parts.runId,
    now,
    provenance: {
      source: parts.demo === true ? 'demo' : new URL(parts.api.endpoint).origin,
      exporterVersion: EXPORTER_VERSION,
    },
    personalData: parts.personalData,
    ...(parts.signal ? { signal: parts.signal } : {}),
    ...(parts.onProgress ? { onProgress: parts.onProgress } : {}),
  };
}
