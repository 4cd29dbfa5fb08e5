import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Secret, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { SecretSource } from '../settings.js';
import { secretRef } from '../upcast.js';

/**
 * How the exporter and an operator name `secret` in Secrets Manager calls: its complete ARN, or its name when it
 * was imported by name (a partial ARN could match another secret whose name ends in `-` and six characters).
 */
export function secretIdOf(secret: ISecret): string {
  return secret.secretFullArn ?? secret.secretName;
}

/** Properties of {@link CredentialsSecret}. */
export interface CredentialsSecretProps {
  /** Create the secret, or import an existing one by name or complete ARN. */
  readonly source: SecretSource;
}

/**
 * The Diyalog API keys: a Secrets Manager secret whose value is
 * `{"accessKeyId":"…","accessKeySecret":"…","requesterUserId":"…"}`.
 *
 * A created secret starts with empty `accessKeyId` and `requesterUserId` (the exporter refuses them with an
 * error naming the secret) and a random `accessKeySecret`; the operator puts the real keys in after the first
 * deploy. It is encrypted with the account's `aws/secretsmanager` key.
 */
export class CredentialsSecret extends Construct {
  /** The secret. */
  readonly secret: ISecret;

  constructor(scope: Construct, id: string, props: CredentialsSecretProps) {
    super(scope, id);
    const { source } = props;
    if (source.kind === 'name') {
      this.secret = Secret.fromSecretNameV2(this, 'Secret', source.name);
      return;
    }
    if (source.kind === 'arn') {
      this.secret = Secret.fromSecretCompleteArn(this, 'Secret', source.arn);
      return;
    }
    const created = new Secret(this, 'Secret', {
      description: 'Diyalog API keys for the nightly export: fill in accessKeyId, accessKeySecret, requesterUserId.',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ accessKeyId: '', requesterUserId: '' }),
        generateStringKey: 'accessKeySecret',
        excludePunctuation: true,
      },
      // The keys are issued by the Diyalog administrator; losing them with the stack would break the export.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(created).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Diyalog issues the API keys in its admin console; no rotation Lambda can create new ones. The operator ' +
        'rotates them there and updates the secret; the exporter re-reads it when a signature is rejected.',
    });
    this.secret = secretRef(created);
  }
}
