import type { CloudFormationValidatePlugin, IPolicyValidationPlugin } from 'aws-cdk-lib';
import type { Bucket, IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';

/*
 * Under `exactOptionalPropertyTypes`, a few aws-cdk-lib classes are not assignable to their own interfaces:
 * their getters return `T | undefined` where the interface declares `x?: T` (`Bucket.isWebsite`,
 * `Secret.secretFullArn`, `CloudFormationValidatePlugin.version`). The classes do implement the interfaces, so these upcasts are sound.
 */

/** A created bucket as the {@link IBucket} that other constructs take. */
export function bucketRef(bucket: Bucket): IBucket {
  return bucket as IBucket;
}

/** A created secret as the {@link ISecret} that other constructs take. */
export function secretRef(secret: Secret): ISecret {
  return secret as ISecret;
}

/** CDK's CloudFormation Validate plugin as the {@link IPolicyValidationPlugin} that `Validations.addPlugins` takes. */
export function validationPluginRef(plugin: CloudFormationValidatePlugin): IPolicyValidationPlugin {
  return plugin as IPolicyValidationPlugin;
}
