import { Duration, Stack, TimeZone } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { ContextAttribute, Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import { acknowledgeWildcardResource } from '../nag.js';
import { DeadLetterQueue } from './dead-letter-queue.js';

/** How EventBridge Scheduler retries an invocation that Lambda refused (throttling, service errors). */
export const SCHEDULE_RETRY = Object.freeze({ maxEventAge: Duration.hours(1), retryAttempts: 3 });

/** Properties of {@link NightlySchedule}. */
export interface NightlyScheduleProps {
  /** The exporter. */
  readonly target: IFunction;
  /** `cron(…)` in {@link timeZone}, already validated. */
  readonly cron: string;
  /** IANA zone the cron expression is read in. */
  readonly timeZone: string;
}

/**
 * The nightly trigger: an EventBridge Scheduler schedule that invokes the exporter asynchronously with
 * `{"scheduledTime": "<the schedule's time>"}`, so that "yesterday" is fixed by the schedule, not by when the
 * invocation happens to run (a retry after midnight still exports the intended day). Invocations Scheduler
 * cannot deliver end in {@link deadLetterQueue}.
 */
export class NightlySchedule extends Construct {
  /** The schedule. */
  readonly schedule: Schedule;
  /** Invocations that could not be delivered after {@link SCHEDULE_RETRY}. */
  readonly deadLetterQueue: DeadLetterQueue;
  /** The role Scheduler assumes to invoke the exporter and to send to {@link deadLetterQueue}. */
  readonly role: Role;

  constructor(scope: Construct, id: string, props: NightlyScheduleProps) {
    super(scope, id);
    this.deadLetterQueue = new DeadLetterQueue(this, 'DeadLetterQueue', {
      description: 'scheduled invocations EventBridge Scheduler could not deliver',
    });
    const stack = Stack.of(this);
    // The trust policy CDK would give a role of its own: only schedules of this account's default group.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: {
            'aws:SourceAccount': stack.account,
            'aws:SourceArn': stack.formatArn({
              service: 'scheduler',
              resource: 'schedule-group',
              resourceName: 'default',
            }),
          },
        },
      }),
      description: 'Lets EventBridge Scheduler invoke the nightly Diyalog export.',
    });
    acknowledgeWildcardResource(
      this.role,
      `${props.target.functionArn}:*`,
      'LambdaInvoke grants the function and its qualified ARNs together; the schedule invokes only the function.',
    );
    this.schedule = new Schedule(this, 'Schedule', {
      description: 'Nightly Diyalog export of the previous day(s).',
      schedule: ScheduleExpression.expression(props.cron, TimeZone.of(props.timeZone)),
      target: new LambdaInvoke(props.target, {
        role: this.role,
        input: ScheduleTargetInput.fromObject({ scheduledTime: ContextAttribute.scheduledTime }),
        deadLetterQueue: this.deadLetterQueue.queue,
        maxEventAge: SCHEDULE_RETRY.maxEventAge,
        retryAttempts: SCHEDULE_RETRY.retryAttempts,
      }),
    });
  }
}
