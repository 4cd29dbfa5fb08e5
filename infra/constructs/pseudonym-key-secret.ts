import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Secret, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { PSEUDONYM_KEY_MIN_BYTES } from '../../functions/contract/personal-data.js';
import type { PseudonymKeySecretSource } from '../settings.js';
import { secretRef } from '../upcast.js';

/** Characters of a generated key: letters and digits, a UTF-8 byte each, twice the bytes a key needs. */
export const GENERATED_KEY_LENGTH = 2 * PSEUDONYM_KEY_MIN_BYTES;

/** The name of the secret a stack creates: fixed, so that a second one cannot be created (see the class). */
function createdPseudonymKeySecretName(stack: Stack): string {
  return `${stack.stackName}/pseudonym-key`;
}

/** Properties of {@link PseudonymKeySecret}. */
export interface PseudonymKeySecretProps {
  /** Create the secret, or import an existing one by name. */
  readonly source: PseudonymKeySecretSource;
}

/**
 * The pseudonym key: a Secrets Manager secret whose whole value is the key (not JSON), read by the exporter only
 * when its personal-data policy pseudonymizes. Every pseudonym ever exported was made with it, so joins with the
 * history hold only while it stays the same.
 *
 * A created secret holds a random key of {@link GENERATED_KEY_LENGTH} letters and digits, is encrypted with the
 * account's `aws/secretsmanager` key like the API keys' secret, and is retained: deleting it with the stack would
 * make every exported pseudonym unjoinable with the next ones. Retaining has a trap: a stack that stops
 * pseudonymizing drops the secret from its template (CloudFormation leaves it, orphaned), and a stack that starts
 * again would create a new secret with a new key, changing every pseudonym without a word. The fixed name
 * ({@link createdPseudonymKeySecretName}) turns that into a failed deploy, since Secrets Manager refuses a second
 * secret of the same name; the operator then names the orphan in the context `pseudonymKeySecretName`, and the
 * old key goes on. The same holds when the stack is deleted and deployed again, or its first deploy rolled back.
 * A long-lived deployment had best create its key secret outside the stack and name it from the start.
 */
export class PseudonymKeySecret extends Construct {
  /** The secret. */
  readonly secret: ISecret;
  /** What an operator must know about the secret: the stack output's description. */
  readonly note: string;

  constructor(scope: Construct, id: string, props: PseudonymKeySecretProps) {
    super(scope, id);
    const { source } = props;
    if (source.kind === 'name') {
      this.secret = Secret.fromSecretNameV2(this, 'Secret', source.name);
      this.note = 'The pseudonym key (the whole secret value), imported by name; the stack never changes it.';
      return;
    }
    const secretName = createdPseudonymKeySecretName(Stack.of(this));
    const created = new Secret(this, 'Secret', {
      secretName,
      description:
        'Pseudonym key of the Diyalog export (HMAC-SHA256 of the personal columns); the whole value is the key. ' +
        'Never change or delete it: pseudonyms made with another key do not join with the exported history.',
      generateSecretString: { passwordLength: GENERATED_KEY_LENGTH, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(created).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotating the pseudonym key would change every pseudonym, so new rows would no longer join the exported ' +
        'history; a new key is a deliberate break, made by naming another secret in pseudonymKeySecretName.',
    });
    this.secret = secretRef(created);
    this.note =
      'The pseudonym key (the whole secret value), retained: a stack that stops pseudonymizing leaves it behind. ' +
      `To pseudonymize again with this key, set -c pseudonymKeySecretName=${secretName}; a deploy that would ` +
      'create a second key of this name fails.';
  }
}
