import { fileURLToPath } from 'node:url';
import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Tracing, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import {
  Choice,
  Condition,
  DefinitionBody,
  Fail,
  JsonPath,
  LogLevel,
  Map as MapState,
  Pass,
  StateMachine,
  StateMachineType,
  Succeed,
  TaskInput,
  Timeout,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { ReportDefinition } from '../../functions/contract/reports.js';
import { acknowledgeWildcardResource } from '../nag.js';
import { FUNCTION_DEFAULTS, PROJECT_ROOT } from './export-function.js';

/** The helper Lambda's entry: planning and reporting, the steps JSONPath cannot do (functions/backfill/). */
const PLANNER_ENTRY = fileURLToPath(new URL('../../functions/backfill/handler.ts', import.meta.url));

/** The state machine's name after the stack's: the export function is told its ARN before it exists. */
export const BACKFILL_NAME_SUFFIX = '-Backfill';

/** The backfill's settings the stack relies on; tests pin them. */
export const BACKFILL_DEFAULTS = Object.freeze({
  /**
   * Days per chunk, the `backfillChunkDays` default in cdk.json. A chunk must fit one run of the export function:
   * 15 minutes, of which the handler stops 60 s early. From docs/benchmarks.md, a large day of 100,000 sessions
   * takes 5,267 requests, 42 s at 25 ms latency; at a WAN-like 150 ms a request takes ~153 ms, so four pagers
   * page it in ~3.5 min, and encoding (4 s on a full core) takes ~7 s on the function's ~0.6 vCPU: ~3.7 min a
   * day. Three such days (~11 min) fit the 14 minutes with a margin, four (~14.8 min) do not. Smaller days make
   * a chunk shorter, never longer; a chunk more costs one state transition and one invocation.
   */
  chunkDays: 3,
  /**
   * Retries of an invocation that Lambda refused: throttling (the export function's one slot is held by the
   * nightly run for up to 15 minutes, or by another execution) and Lambda's own faults. 20 s doubling to at most
   * 5 min, 15 attempts: waits of 20 + 40 + 80 + 160 + 11 × 300 s, one hour in all, enough to outlast a nightly
   * run. An error the function itself threw (a day failed) is not retried here: the function already retried
   * what was transient, and the chunk is recorded as failed instead.
   */
  retry: Object.freeze({
    errors: Object.freeze([
      'Lambda.TooManyRequestsException',
      'Lambda.ServiceException',
      'Lambda.AWSLambdaException',
      'Lambda.SdkClientException',
      'Lambda.ClientExecutionTimeoutException',
    ]),
    interval: Duration.seconds(20),
    backoffRate: 2,
    maxDelay: Duration.minutes(5),
    maxAttempts: 15,
  }),
  logRetention: FUNCTION_DEFAULTS.logRetention,
});

/** Properties of {@link Backfill}. */
export interface BackfillProps {
  /**
   * The export function; each chunk is one synchronous invocation of it, with `{"from","to"}` and the input's
   * `"reports"`, if any, as its event.
   */
  readonly exportFunction: IFunction;
  /** Days per chunk, from 1 to the function's limit (validated with the context). */
  readonly chunkDays: number;
  /** The first day the export function takes (`EXPORT_FIRST_DAY`): an input starting earlier is refused at once. */
  readonly firstDay: string;
  /** The reports the export function exports (`EXPORT_REPORTS`): an input naming another is refused at once. */
  readonly reports: readonly ReportDefinition[];
  /** Chunks exported at once; at most the export function's reserved concurrency (validated with the context). */
  readonly concurrency: number;
  /** Send traces to X-Ray (state machine and helper function). */
  readonly tracing: boolean;
}

/**
 * Loads history of any length up to ten years: a standard Step Functions workflow (JSONPath) that takes
 * `{"from","to"}` (or the `{"ranges"}` a failed execution gives to re-run), either optionally with the reports to
 * export, `"reports":["calls"]` (else the function's configured ones), and
 *
 * 1. **Plan**: a small helper Lambda validates the input and splits it into chunks of {@link BackfillProps.chunkDays}
 *    days, newest first, each the export function's event; an invalid input (or one that starts before
 *    {@link BackfillProps.firstDay}, or names a report not in {@link BackfillProps.reports}) fails the
 *    execution at once (`Backfill.InvalidInput`, the reason as cause). The local executor the tests run the definition on (aws-local-stepfunctions) has no JSONata, and
 *    JSONPath's intrinsic functions have no date arithmetic, hence the function.
 * 2. **ExportChunks**: a map, {@link BackfillProps.concurrency} at a time, invokes the export function for each
 *    chunk. Refusals by Lambda are retried ({@link BACKFILL_DEFAULTS}`.retry`); a chunk that still fails is
 *    recorded with its error name, and the map goes on.
 * 3. **Report**: the helper lists the failed chunks and the input that re-runs exactly them. If any failed, the
 *    execution fails (`Backfill.ChunksFailed`) with that report as its cause; otherwise it succeeds with it.
 *
 * The state machine logs every event to its own log group. Its name is the stack's plus
 * {@link BACKFILL_NAME_SUFFIX}, so that {@link stateMachineArn} is known without referring to it.
 */
export class Backfill extends Construct {
  /** The state machine. */
  readonly stateMachine: StateMachine;
  /**
   * The state machine's ARN built from its name, not a reference to the resource: the export function can carry
   * it in its environment although the state machine depends on the function.
   */
  readonly stateMachineArn: string;
  /** The helper Lambda (plan and report steps). */
  readonly planner: NodejsFunction;
  /** The state machine's log group. */
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: BackfillProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const stateMachineName = `${stack.stackName}${BACKFILL_NAME_SUFFIX}`;
    this.stateMachineArn = stack.formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: stateMachineName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.planner = this.createPlanner(props.tracing);

    const retried = (task: LambdaInvoke): LambdaInvoke => {
      task.addRetry({ ...BACKFILL_DEFAULTS.retry, errors: [...BACKFILL_DEFAULTS.retry.errors] });
      return task;
    };
    const plan = retried(
      new LambdaInvoke(this, 'Plan', {
        comment: 'Validate the input and split it into chunks, newest first.',
        lambdaFunction: this.planner,
        payloadResponseOnly: true,
        payload: TaskInput.fromObject({
          step: 'plan',
          input: JsonPath.entirePayload,
          chunkDays: props.chunkDays,
          firstDay: props.firstDay,
          reports: props.reports.map((report) => report.name),
        }),
        retryOnServiceExceptions: false,
      }),
    );
    const exportChunk = retried(
      new LambdaInvoke(this, 'ExportChunk', {
        comment:
          'One run of the export function with the chunk as its event; its result is dropped, the chunk passed on.',
        lambdaFunction: props.exportFunction,
        payloadResponseOnly: true,
        resultPath: JsonPath.DISCARD,
        retryOnServiceExceptions: false,
        // The function ends itself by its timeout; this only guards against an invocation that never returns.
        taskTimeout: Timeout.duration(FUNCTION_DEFAULTS.timeout.plus(Duration.minutes(1))),
      }),
    );
    exportChunk.addCatch(
      new Pass(this, 'RecordFailure', {
        comment: 'The chunk with only its error name: the map output of every chunk must stay within 256 KB.',
        inputPath: '$.error.Error',
        resultPath: '$.error',
      }),
      { errors: ['States.ALL'], resultPath: '$.error' },
    );
    const report = retried(
      new LambdaInvoke(this, 'Report', {
        comment: 'List the failed chunks and the input that re-runs them.',
        lambdaFunction: this.planner,
        payloadResponseOnly: true,
        payload: TaskInput.fromObject({ step: 'report', results: JsonPath.entirePayload }),
        retryOnServiceExceptions: false,
      }),
    );

    const definition = plan.next(
      new Choice(this, 'IsInputValid')
        .when(
          Condition.isPresent('$.invalid'),
          new Fail(this, 'InvalidInput', { error: 'Backfill.InvalidInput', causePath: '$.invalid' }),
        )
        .otherwise(
          new MapState(this, 'ExportChunks', { itemsPath: '$.chunks', maxConcurrency: props.concurrency })
            .itemProcessor(exportChunk)
            .next(report)
            .next(
              new Choice(this, 'DidAnyChunkFail')
                .when(
                  Condition.isPresent('$.rerun'),
                  new Pass(this, 'DescribeFailure', {
                    parameters: { cause: JsonPath.jsonToString(JsonPath.objectAt('$')) },
                  }).next(new Fail(this, 'ChunksFailed', { error: 'Backfill.ChunksFailed', causePath: '$.cause' })),
                )
                .otherwise(new Succeed(this, 'Done')),
            ),
        ),
    );

    this.logGroup = new LogGroup(this, 'Logs', { retention: BACKFILL_DEFAULTS.logRetention });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineName,
      stateMachineType: StateMachineType.STANDARD,
      comment: 'Exports a range of days of any length up to ten years in chunks, one export invocation each.',
      definitionBody: DefinitionBody.fromChainable(definition),
      logs: { destination: this.logGroup, level: LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: props.tracing,
    });
    this.acknowledgeFindings(props);
  }

  /** The helper Lambda with the house runtime, its own role and log group. */
  private createPlanner(tracing: boolean): NodejsFunction {
    const logGroup = new LogGroup(this, 'PlannerLogs', { retention: BACKFILL_DEFAULTS.logRetention });
    const role = new Role(this, 'PlannerRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Diyalog export backfill: plan chunks and report failures; writes only its own logs.',
    });
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'WriteLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    if (tracing) acknowledgeWildcardResource(role, '*', 'X-Ray takes no resource-level permissions.');
    return new NodejsFunction(this, 'Planner', {
      description: 'Plans the chunks of a Diyalog export backfill and reports the failed ones.',
      entry: PLANNER_ENTRY,
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: `${PROJECT_ROOT}package-lock.json`,
      runtime: FUNCTION_DEFAULTS.runtime,
      architecture: FUNCTION_DEFAULTS.architecture,
      memorySize: 256,
      timeout: Duration.seconds(30),
      role,
      logGroup,
      tracing: tracing ? Tracing.ACTIVE : Tracing.DISABLED,
      environment: { NODE_OPTIONS: '--enable-source-maps' },
      bundling: { format: OutputFormat.ESM, minify: true, sourceMap: true, sourcesContent: false },
    });
  }

  private acknowledgeFindings(props: BackfillProps): void {
    Validations.of(this.planner).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason: 'Only the state machine invokes it, synchronously: a failure fails that step, and no event is lost.',
    });
    const invokes =
      'The state machine invokes only this function; CDK grants the function and its qualified ARNs together.';
    acknowledgeWildcardResource(this.stateMachine.role, `${props.exportFunction.functionArn}:*`, invokes);
    acknowledgeWildcardResource(this.stateMachine.role, `${this.planner.functionArn}:*`, invokes);
    acknowledgeWildcardResource(
      this.stateMachine.role,
      '*',
      'Log delivery to CloudWatch Logs (and X-Ray, when traced) takes no resource-level permissions.',
    );
    if (props.tracing) return;
    const untraced =
      'X-Ray is off unless the backfillTracing context asks for it: the execution history already shows every ' +
      'state, input, output, error and duration, and the export function logs each day.';
    Validations.of(this.stateMachine).acknowledge(
      { id: 'AwsSolutions-SF2', reason: untraced },
      { id: 'Serverless-StepFunctionStateMachineXray', reason: untraced },
    );
    Validations.of(this.planner).acknowledge({ id: 'Serverless-LambdaTracing', reason: untraced });
  }
}
