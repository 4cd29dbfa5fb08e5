import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  ObjectOwnership,
  type BucketProps,
  type IBucket,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { BucketSource } from '../settings.js';
import { bucketRef } from '../upcast.js';

/** How long S3 keeps an overwritten or deleted export object (a re-exported day's previous file). */
export const NONCURRENT_VERSION_EXPIRY = Duration.days(30);
/** How long Athena query results are kept. */
export const ATHENA_RESULTS_EXPIRY = Duration.days(30);
/** How long S3 server access logs are kept. */
export const ACCESS_LOG_EXPIRY = Duration.days(365);

/** Properties of {@link ExportBuckets}. */
export interface ExportBucketsProps {
  /** Create the data lake bucket, or import an existing one by name. */
  readonly bucket: BucketSource;
}

/**
 * The stack's storage: the data lake bucket (created or imported), a bucket for Athena query results, and a
 * bucket that receives the server access logs of both. Every created bucket is private, encrypted with S3
 * managed keys (SSE-S3, so that Athena users need no KMS grants), TLS-only, and retained when the stack is
 * deleted.
 */
export class ExportBuckets extends Construct {
  /** Where the exporter writes `<prefix>/online_help/…`, `<prefix>/_runs/…` and `<prefix>/_rejects/…`. */
  readonly data: IBucket;
  /** Athena's query result location. */
  readonly athenaResults: IBucket;
  /** Server access logs of the created buckets. */
  readonly accessLogs: IBucket;

  constructor(scope: Construct, id: string, props: ExportBucketsProps) {
    super(scope, id);
    const accessLogs = new Bucket(this, 'AccessLogs', {
      ...privateBucket(),
      lifecycleRules: [{ id: 'ExpireAccessLogs', expiration: ACCESS_LOG_EXPIRY }],
    });
    this.accessLogs = bucketRef(accessLogs);
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log target bucket; logging its own access into itself would recurse.',
    });

    this.data =
      props.bucket.kind === 'import'
        ? Bucket.fromBucketName(this, 'Data', props.bucket.name)
        : bucketRef(
            new Bucket(this, 'Data', {
              ...privateBucket(),
              // A re-export overwrites a day; the previous version stays recoverable for a while.
              versioned: true,
              lifecycleRules: [
                {
                  id: 'ExpireNoncurrentVersions',
                  noncurrentVersionExpiration: NONCURRENT_VERSION_EXPIRY,
                  expiredObjectDeleteMarker: true,
                  abortIncompleteMultipartUploadAfter: Duration.days(7),
                },
              ],
              serverAccessLogsBucket: this.accessLogs,
              serverAccessLogsPrefix: 'data/',
            }),
          );

    this.athenaResults = bucketRef(
      new Bucket(this, 'AthenaResults', {
        ...privateBucket(),
        lifecycleRules: [
          {
            id: 'ExpireQueryResults',
            expiration: ATHENA_RESULTS_EXPIRY,
            abortIncompleteMultipartUploadAfter: Duration.days(1),
          },
        ],
        serverAccessLogsBucket: this.accessLogs,
        serverAccessLogsPrefix: 'athena-results/',
      }),
    );
  }
}

/** The settings every bucket of this stack shares. */
function privateBucket(): BucketProps {
  return {
    encryption: BucketEncryption.S3_MANAGED,
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
    enforceSSL: true,
    removalPolicy: RemovalPolicy.RETAIN,
  };
}
