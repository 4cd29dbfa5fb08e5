import type { Template } from 'aws-cdk-lib/assertions';

/** The account, region and partition the tokens of a definition are replaced with. */
export const FAKE_ENV = Object.freeze({ partition: 'aws', region: 'eu-central-1', account: '123456789012' });

/** What a function's `Fn::GetAtt [<logicalId>, Arn]` becomes in {@link stateMachineDefinition}. */
export function fakeFunctionArn(logicalId: string): string {
  return `arn:${FAKE_ENV.partition}:lambda:${FAKE_ENV.region}:${FAKE_ENV.account}:function:${logicalId}`;
}

/** An Amazon States Language document, as far as these tests read it. */
export interface StatesDefinition {
  readonly StartAt: string;
  readonly States: Record<string, Record<string, unknown>>;
  readonly [field: string]: unknown;
}

/**
 * The definition of the one state machine in `template` whose logical id starts with `prefix`, parsed, with every
 * function ARN replaced by {@link fakeFunctionArn} and the pseudo parameters by {@link FAKE_ENV}: a document an
 * ASL validator or a local executor takes as it is.
 */
export function stateMachineDefinition(template: Template, prefix: string): StatesDefinition {
  const machines = Object.entries(template.findResources('AWS::StepFunctions::StateMachine')).filter(([id]) =>
    id.startsWith(prefix),
  );
  if (machines.length !== 1) throw new Error(`expected one state machine ${prefix}*, found ${machines.length}`);
  const definition = (machines[0]?.[1] as { Properties: { DefinitionString: unknown } }).Properties.DefinitionString;
  return JSON.parse(resolveTokens(definition)) as StatesDefinition;
}

/**
 * A template value with its `Fn::Join`, function `Fn::GetAtt … Arn` and pseudo parameter `Ref` tokens resolved as
 * in {@link stateMachineDefinition}, e.g. an ARN the stack builds from its account and region.
 */
export function resolveTokens(value: unknown): string {
  if (typeof value === 'string') return value;
  const token = value as Record<string, unknown>;
  const join = token['Fn::Join'] as [string, unknown[]] | undefined;
  if (join) return join[1].map(resolveTokens).join(join[0]);
  const getAtt = token['Fn::GetAtt'] as [string, string] | undefined;
  if (getAtt?.[1] === 'Arn') return fakeFunctionArn(getAtt[0]);
  const pseudo: Record<string, string> = {
    'AWS::Partition': FAKE_ENV.partition,
    'AWS::Region': FAKE_ENV.region,
    'AWS::AccountId': FAKE_ENV.account,
  };
  const ref = pseudo[String(token['Ref'])];
  if (ref !== undefined) return ref;
  throw new Error(`cannot resolve ${JSON.stringify(value)} in a definition`);
}
