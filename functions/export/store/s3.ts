import { DeleteObjectsCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { awsConfigurationError } from '../aws/configuration-errors.js';
import { StoreError } from '../core/errors.js';
import type { ObjectStore } from '../core/ports.js';

/** The export root as `s3://bucket/prefix`; every key is written below the prefix. */
export class S3Store implements ObjectStore {
  private readonly prefix: string;

  /**
   * @param endpoint the S3-compatible endpoint the client talks to, if not AWS: named in errors, so that a
   *   failure says where the request went
   */
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    prefix: string,
    private readonly endpoint?: string,
  ) {
    const trimmed = prefix.replace(/^\/+|\/+$/g, '');
    this.prefix = trimmed === '' ? '' : `${trimmed}/`;
  }

  async put(key: string, body: Uint8Array, contentType: string): Promise<void> {
    const objectKey = this.objectKey(key);
    // One PutObject with a SHA-256 checksum, verified by S3: the object appears whole or not at all.
    await this.described(`PutObject to ${this.where(objectKey)}`, () =>
      this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: objectKey,
          Body: body,
          ContentType: contentType,
          ChecksumAlgorithm: 'SHA256',
        }),
      ),
    );
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    const listed = this.objectKey(prefix);
    do {
      const page = await this.described(`ListObjectsV2 of ${this.where(listed)}`, () =>
        this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: listed, ContinuationToken: token })),
      );
      for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key.slice(this.prefix.length));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000).map((key) => this.objectKey(key));
      const result = await this.described(`DeleteObjects in ${this.where(this.prefix)}`, () =>
        this.client.send(
          new DeleteObjectsCommand({
            Bucket: this.bucket,
            Delete: { Objects: batch.map((key) => ({ Key: key })), Quiet: true },
          }),
        ),
      );
      const [failure] = result.Errors ?? [];
      if (failure) {
        throw new StoreError(
          `S3 DeleteObjects could not delete ${this.where(failure.Key ?? '?')}: ` +
            (failure.Message ?? failure.Code ?? 'unknown error'),
        );
      }
    }
  }

  locate(key: string): string {
    return `s3://${this.bucket}/${this.objectKey(key)}`;
  }

  /** Runs one request, reporting its failure as a {@link StoreError} that names the operation and the target. */
  private async described<T>(doing: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw (
        awsConfigurationError(error, `S3 ${doing}`) ??
        new StoreError(`S3 ${doing}: ${describe(error)}`, { cause: error })
      );
    }
  }

  /** `s3://bucket/key`, and the custom endpoint when there is one. */
  private where(objectKey: string): string {
    const url = `s3://${this.bucket}/${objectKey}`;
    return this.endpoint ? `${url} at ${this.endpoint}` : url;
  }

  private objectKey(key: string): string {
    if (key.split('/').some((segment) => segment === '..')) throw new StoreError(`key "${key}" escapes the prefix`);
    return this.prefix + key;
  }
}

/** The SDK's error name and message, and the network cause's (`connect ECONNREFUSED …`) when the SDK hides it. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error && !error.message.includes(error.cause.message) ? error.cause.message : '';
  const code =
    'code' in error && typeof error.code === 'string' && !error.message.includes(error.code) ? error.code : '';
  return [`${error.name}: ${error.message}`, code, cause].filter(Boolean).join('; ');
}
