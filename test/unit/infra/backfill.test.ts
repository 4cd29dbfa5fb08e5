import aslValidator from 'asl-validator';
import { ExecutionError, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { describe, expect, test } from 'vitest';
import { handler as plannerHandler } from '../../../functions/backfill/handler.js';
import { BACKFILL_LIMITS } from '../../../functions/contract/backfill.js';
import { BACKFILL_DEFAULTS, BACKFILL_NAME_SUFFIX } from '../../../infra/constructs/backfill.js';
import { FUNCTION_DEFAULTS } from '../../../infra/constructs/export-function.js';
import { fakeFunctionArn, stateMachineDefinition, type StatesDefinition } from '../../support/state-machine.js';
import { arnOf, cdkJsonContext, onlyResource, synth } from './support.js';

const { template } = synth();
const [stateMachineId, stateMachine] = onlyResource(
  template,
  'AWS::StepFunctions::StateMachine',
  'BackfillStateMachine',
);
const [roleId] = onlyResource(template, 'AWS::IAM::Role', 'BackfillStateMachineRole');
const [, rolePolicy] = onlyResource(template, 'AWS::IAM::Policy', 'BackfillStateMachineRole');
const [plannerId, planner] = onlyResource(template, 'AWS::Lambda::Function', 'BackfillPlanner');
const [plannerRoleId] = onlyResource(template, 'AWS::IAM::Role', 'BackfillPlannerRole');
const [, plannerPolicy] = onlyResource(template, 'AWS::IAM::Policy', 'BackfillPlannerRole');
const [logsId] = onlyResource(template, 'AWS::Logs::LogGroup', 'BackfillLogs');
const [plannerLogsId] = onlyResource(template, 'AWS::Logs::LogGroup', 'BackfillPlannerLogs');
const [exportLogsId] = onlyResource(template, 'AWS::Logs::LogGroup', 'ExportLogs');
const [functionId, exportFunction] = onlyResource(template, 'AWS::Lambda::Function', 'ExportFunction');
const definition = stateMachineDefinition(template, 'BackfillStateMachine');

/** The one retry policy of every task: Lambda's refusals, for an hour. */
const RETRY = [
  {
    ErrorEquals: [
      'Lambda.TooManyRequestsException',
      'Lambda.ServiceException',
      'Lambda.AWSLambdaException',
      'Lambda.SdkClientException',
      'Lambda.ClientExecutionTimeoutException',
    ],
    IntervalSeconds: 20,
    BackoffRate: 2,
    MaxDelaySeconds: 300,
    MaxAttempts: 15,
  },
];

/** The definition without comments: what each state does. */
function withoutComments(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutComments);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== 'Comment')
      .map(([key, inner]) => [key, withoutComments(inner)]),
  );
}

describe('the backfill state machine', () => {
  test('definition: plan, refuse an invalid input, export each chunk, report, fail if a chunk failed', () => {
    expect(withoutComments(definition)).toEqual({
      StartAt: 'Plan',
      States: {
        Plan: {
          Type: 'Task',
          Resource: fakeFunctionArn(plannerId),
          Parameters: {
            step: 'plan',
            'input.$': '$',
            chunkDays: 3,
            firstDay: '2024-01-01',
            reports: ['online_help', 'calls'],
          },
          Retry: RETRY,
          Next: 'IsInputValid',
        },
        IsInputValid: {
          Type: 'Choice',
          Choices: [{ Variable: '$.invalid', IsPresent: true, Next: 'InvalidInput' }],
          Default: 'ExportChunks',
        },
        InvalidInput: { Type: 'Fail', Error: 'Backfill.InvalidInput', CausePath: '$.invalid' },
        ExportChunks: {
          Type: 'Map',
          ItemsPath: '$.chunks',
          MaxConcurrency: 1,
          ItemProcessor: {
            ProcessorConfig: { Mode: 'INLINE' },
            StartAt: 'ExportChunk',
            States: {
              ExportChunk: {
                Type: 'Task',
                Resource: fakeFunctionArn(functionId),
                // No Parameters: the chunk, as the planner made it, is the export function's event.
                ResultPath: null,
                TimeoutSeconds: 16 * 60,
                Retry: RETRY,
                Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'RecordFailure' }],
                End: true,
              },
              // The chunk, its error replaced by the error's name.
              RecordFailure: { Type: 'Pass', InputPath: '$.error.Error', ResultPath: '$.error', End: true },
            },
          },
          Next: 'Report',
        },
        Report: {
          Type: 'Task',
          Resource: fakeFunctionArn(plannerId),
          Parameters: { step: 'report', 'results.$': '$' },
          Retry: RETRY,
          Next: 'DidAnyChunkFail',
        },
        DidAnyChunkFail: {
          Type: 'Choice',
          Choices: [{ Variable: '$.rerun', IsPresent: true, Next: 'DescribeFailure' }],
          Default: 'Done',
        },
        DescribeFailure: { Type: 'Pass', Parameters: { 'cause.$': 'States.JsonToString($)' }, Next: 'ChunksFailed' },
        ChunksFailed: { Type: 'Fail', Error: 'Backfill.ChunksFailed', CausePath: '$.cause' },
        Done: { Type: 'Succeed' },
      },
    });
  });

  test('is valid Amazon States Language (asl-validator), which does catch a broken definition', () => {
    const { isValid, errorsText } = aslValidator(definition);
    expect(errorsText('\n')).toBe('');
    expect(isValid).toBe(true);
    const broken: StatesDefinition = {
      ...definition,
      States: { ...definition.States, Report: { ...definition.States['Report'], Next: 'Nowhere' } },
    };
    expect(aslValidator(broken).isValid).toBe(false);
  });

  test('retries Lambda’s refusals for an hour before a chunk counts as failed', () => {
    const [retry] = RETRY as [(typeof RETRY)[0]];
    const waits = Array.from({ length: retry.MaxAttempts }, (_, attempt) =>
      Math.min(retry.IntervalSeconds * retry.BackoffRate ** attempt, retry.MaxDelaySeconds),
    );
    expect(waits.reduce((sum, wait) => sum + wait, 0)).toBe(3600);
    // Longer than the nightly run can hold the function's one slot.
    expect(retry.MaxDelaySeconds).toBeLessThan(FUNCTION_DEFAULTS.timeout.toSeconds());
    expect(waits.reduce((sum, wait) => sum + wait, 0)).toBeGreaterThan(FUNCTION_DEFAULTS.timeout.toSeconds());
  });

  test('chunk days, first day, reports and map concurrency come from the context; the chunk default is the construct’s', () => {
    expect(cdkJsonContext()['backfillChunkDays']).toBe(BACKFILL_DEFAULTS.chunkDays);
    expect(cdkJsonContext()['backfillConcurrency']).toBe(FUNCTION_DEFAULTS.reservedConcurrentExecutions);
    const weekly = stateMachineDefinition(
      synth({ backfillChunkDays: '7', projectionStartDate: '2025-06-01', reports: 'calls' }).template,
      'BackfillStateMachine',
    );
    expect(weekly.States['Plan']?.['Parameters']).toEqual({
      step: 'plan',
      'input.$': '$',
      chunkDays: 7,
      // The first day the export function takes: an input starting earlier fails at once.
      firstDay: '2025-06-01',
      // The reports it exports: an input naming another fails at once.
      reports: ['calls'],
    });
    expect(weekly.States['ExportChunks']?.['MaxConcurrency']).toBe(1);
    expect(BACKFILL_DEFAULTS.chunkDays * BACKFILL_LIMITS.maxChunks).toBeGreaterThanOrEqual(BACKFILL_LIMITS.maxDays);
  });

  test('standard, named after the stack, every event logged to its own log group, X-Ray off', () => {
    const properties = Object.fromEntries(Object.entries(stateMachine).filter(([key]) => key !== 'DefinitionString'));
    expect(properties).toEqual({
      StateMachineName: `DiyalogExport${BACKFILL_NAME_SUFFIX}`,
      StateMachineType: 'STANDARD',
      RoleArn: arnOf(roleId),
      LoggingConfiguration: {
        Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: arnOf(logsId) } }],
        IncludeExecutionData: true,
        Level: 'ALL',
      },
      TracingConfiguration: { Enabled: false },
    });
  });

  test('X-Ray when the context asks for it: the state machine and the planner', () => {
    const traced = synth({ backfillTracing: true }).template;
    const [, tracedMachine] = onlyResource(traced, 'AWS::StepFunctions::StateMachine', 'BackfillStateMachine');
    const [, tracedPlanner] = onlyResource(traced, 'AWS::Lambda::Function', 'BackfillPlanner');
    expect(tracedMachine['TracingConfiguration']).toEqual({ Enabled: true });
    expect(tracedPlanner['TracingConfig']).toEqual({ Mode: 'Active' });
    expect(planner['TracingConfig']).toBeUndefined();
  });

  test('the export function knows its ARN by name, without a reference back (no circular dependency)', () => {
    const environment = (exportFunction['Environment'] as { Variables: Record<string, unknown> }).Variables;
    expect(environment['EXPORT_BACKFILL_STATE_MACHINE_ARN']).toEqual({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':states:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          `:stateMachine:${String(stateMachine['StateMachineName'])}`,
        ],
      ],
    });
    expect(JSON.stringify(template.findResources('AWS::Lambda::Function')[functionId])).not.toContain(stateMachineId);
  });

  test('its role may invoke the export function and the planner, and deliver its logs; nothing else', () => {
    expect(rolePolicy['PolicyDocument']).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Action: 'lambda:InvokeFunction',
          Effect: 'Allow',
          Resource: [
            arnOf(plannerId),
            arnOf(functionId),
            { 'Fn::Join': ['', [arnOf(plannerId), ':*']] },
            { 'Fn::Join': ['', [arnOf(functionId), ':*']] },
          ],
        },
        {
          // CloudWatch Logs' delivery API takes no resource-level permissions.
          Action: [
            'logs:CreateLogDelivery',
            'logs:DeleteLogDelivery',
            'logs:DescribeLogGroups',
            'logs:DescribeResourcePolicies',
            'logs:GetLogDelivery',
            'logs:ListLogDeliveries',
            'logs:PutResourcePolicy',
            'logs:UpdateLogDelivery',
          ],
          Effect: 'Allow',
          Resource: '*',
        },
      ],
    });
    expect(rolePolicy['Roles']).toEqual([{ Ref: roleId }]);
  });

  test('the planner: house runtime, its own role that writes only its own logs, nothing in its environment', () => {
    const properties = Object.fromEntries(Object.entries(planner).filter(([key]) => key !== 'Code'));
    expect(properties).toEqual({
      Description: 'Plans the chunks of a Diyalog export backfill and reports the failed ones.',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 256,
      Timeout: 30,
      Handler: 'index.handler',
      Role: arnOf(plannerRoleId),
      LoggingConfig: { LogGroup: { Ref: plannerLogsId } },
      Environment: { Variables: { NODE_OPTIONS: '--enable-source-maps' } },
    });
    expect(plannerPolicy['PolicyDocument']).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'WriteLogs',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Effect: 'Allow',
          Resource: arnOf(plannerLogsId),
        },
      ],
    });
  });

  test('the stack’s log groups: the function’s, the state machine’s and the planner’s, three months, retained', () => {
    const kept = {
      Type: 'AWS::Logs::LogGroup',
      Properties: { RetentionInDays: 90 },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    };
    expect(template.findResources('AWS::Logs::LogGroup')).toEqual({
      [exportLogsId]: kept,
      [logsId]: kept,
      [plannerLogsId]: kept,
    });
  });
});

type Json = Parameters<StateMachine['run']>[0];

/** An execution of the synthesized definition: the real planner, and an export function that records its events. */
async function execute(
  input: unknown,
  failing: (event: Json) => boolean = () => false,
): Promise<{ events: Json[]; output?: unknown; error?: { name: string; cause: string } }> {
  const machine = new StateMachine(JSON.parse(JSON.stringify(definition)) as StateMachineDefinition);
  const events: Json[] = [];
  const exportChunk = (event: Json): Promise<Json> => {
    events.push(event);
    return failing(event)
      ? Promise.reject(Object.assign(new Error('{"errorType":"ExportError"}'), { name: 'ExportError' }))
      : Promise.resolve({ exported: true });
  };
  const planner = async (event: Json): Promise<Json> => JSON.parse(JSON.stringify(await plannerHandler(event))) as Json;
  try {
    const output = await machine.run(input as Json, {
      overrides: { taskResourceLocalHandlers: { Plan: planner, ExportChunk: exportChunk, Report: planner } },
    }).result;
    return { events, output };
  } catch (error) {
    if (!(error instanceof ExecutionError) || !(error.cause instanceof Error)) throw error;
    return { events, error: { name: error.cause.name, cause: error.cause.message } };
  }
}

describe('the backfill state machine, executed locally (aws-local-stepfunctions)', () => {
  test('without "reports", each chunk is exactly {"from","to"}: the function exports its configured reports', async () => {
    const run = await execute({ from: '2025-01-01', to: '2025-01-04' });
    expect(run.events).toEqual([
      { from: '2025-01-02', to: '2025-01-04' },
      { from: '2025-01-01', to: '2025-01-01' },
    ]);
    expect(run.output).toEqual({ chunks: 2, days: 4, failedChunks: 0, failed: [] });
  });

  test('with "reports", every chunk carries them to the function', async () => {
    const run = await execute({ from: '2025-01-01', to: '2025-01-04', reports: ['calls'] });
    expect(run.events).toEqual([
      { from: '2025-01-02', to: '2025-01-04', reports: ['calls'] },
      { from: '2025-01-01', to: '2025-01-01', reports: ['calls'] },
    ]);
    expect(run.output).toEqual({ chunks: 2, days: 4, failedChunks: 0, failed: [] });
  });

  test('a failed chunk: the cause’s re-run input names the same reports, and re-runs just that chunk', async () => {
    const input = { ranges: [{ from: '2025-01-01', to: '2025-01-06' }], reports: ['calls', 'online_help'] };
    const run = await execute(input, (event) => JSON.stringify(event).includes('"from":"2025-01-04"'));
    expect(run.error?.name).toBe('Backfill.ChunksFailed');
    const cause = JSON.parse(run.error?.cause ?? '') as { rerun: unknown };
    expect(cause).toEqual({
      chunks: 2,
      days: 6,
      failedChunks: 1,
      failed: [{ from: '2025-01-04', to: '2025-01-06', error: 'ExportError' }],
      rerun: { ranges: [{ from: '2025-01-04', to: '2025-01-06' }], reports: ['online_help', 'calls'] },
    });
    const rerun = await execute(cause.rerun);
    expect(rerun.events).toEqual([{ from: '2025-01-04', to: '2025-01-06', reports: ['online_help', 'calls'] }]);
    expect(rerun.output).toEqual({ chunks: 1, days: 3, failedChunks: 0, failed: [] });
  });

  test('a failed chunk of an input without "reports": the re-run input has none either', async () => {
    const run = await execute({ from: '2025-01-01', to: '2025-01-03' }, () => true);
    expect(JSON.parse(run.error?.cause ?? '')).toMatchObject({
      rerun: { ranges: [{ from: '2025-01-01', to: '2025-01-03' }] },
    });
    expect(JSON.parse(run.error?.cause ?? '')).not.toHaveProperty('rerun.reports');
  });

  test.each([
    [
      { from: '2025-01-01', to: '2025-01-02', reports: ['chats'] },
      '"reports": "chats" is not a report; known reports: online_help, calls.',
    ],
    [
      { from: '2025-01-01', to: '2025-01-02', reports: [] },
      '"reports": names no report; known reports: online_help, calls.',
    ],
    [{ from: '2025-01-01', to: '2025-01-02', reports: 'calls' }, '"reports" is not a non-empty array of report names'],
  ])('refuses %j at once, invoking nothing', async (input, reason) => {
    const run = await execute(input);
    expect(run.error?.name).toBe('Backfill.InvalidInput');
    expect(run.error?.cause).toContain(reason);
    expect(run.events).toEqual([]);
  });
});
