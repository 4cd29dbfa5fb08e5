import { ConfigError } from '../core/errors.js';

/**
 * The AWS SDK's own configuration failures, told apart from a service's answer: no region (`Region is missing`)
 * and no credentials (`CredentialsProviderError`). They are the operator's to fix, so the run reports them as a
 * {@link ConfigError} (exit status 2 in the CLI) naming what was being done and what to set.
 *
 * @param doing what the request was for, e.g. `S3 PutObject to s3://bucket/key`
 * @returns undefined when `error` is not such a failure
 */
export function awsConfigurationError(error: unknown, doing: string): ConfigError | undefined {
  if (!(error instanceof Error)) return undefined;
  if (error.message === 'Region is missing') {
    return new ConfigError(
      'AWS_REGION',
      `${doing} needs an AWS region: set AWS_REGION, or AWS_PROFILE to a profile with a region`,
      { cause: error },
    );
  }
  if (error.name === 'CredentialsProviderError') {
    return new ConfigError(
      'AWS credentials',
      `${doing} found no AWS credentials (${error.message}): set AWS_PROFILE, or AWS_ACCESS_KEY_ID and ` +
        'AWS_SECRET_ACCESS_KEY, or run where a role provides them',
      { cause: error },
    );
  }
  return undefined;
}
