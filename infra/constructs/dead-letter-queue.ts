import { Duration, Validations } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** How long a failed event waits in a dead-letter queue for an operator: SQS's maximum. */
export const DEAD_LETTER_RETENTION = Duration.days(14);

/** Properties of a {@link DeadLetterQueue}. */
export interface DeadLetterQueueProps {
  /** What the queue collects, for the console and the nag acknowledgement. */
  readonly description: string;
}

/**
 * An SQS queue that keeps events which could not be processed: encrypted at rest, TLS only, retained for
 * {@link DEAD_LETTER_RETENTION}. It is never consumed by code; an alarm tells an operator to look.
 */
export class DeadLetterQueue extends Construct {
  /** The queue. */
  readonly queue: Queue;

  constructor(scope: Construct, id: string, props: DeadLetterQueueProps) {
    super(scope, id);
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: DEAD_LETTER_RETENTION,
    });
    Validations.of(this.queue).acknowledge(
      {
        id: 'AwsSolutions-SQS3',
        reason: `This queue is itself a dead-letter target (${props.description}); nothing consumes it, so it needs no DLQ of its own.`,
      },
      {
        id: 'Serverless-SQSRedrivePolicy',
        reason: `This queue is itself a dead-letter target (${props.description}); a redrive policy would have nowhere to go.`,
      },
    );
  }
}
