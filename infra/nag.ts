import { Stack, Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';

/** Makes warning-level validation findings fail synthesis, as error-level ones do. */
const STRICT_VALIDATION = '@aws-cdk/core:strictCfnValidateErrors';

/**
 * Runs the cdk-nag AwsSolutions and Serverless packs as CDK validation plugins. Synthesis then fails on any
 * finding not acknowledged with `Validations.of(construct).acknowledge({ id, reason })`: the packs report
 * unacknowledged findings as violations, a violation fails synthesis (an exception in tests, exit status 1
 * under `cdk synth`), and {@link STRICT_VALIDATION} makes warning-level findings count too.
 *
 * Call it before the app has children: it sets context.
 */
export function enableNag(app: App): void {
  app.node.setContext(STRICT_VALIDATION, true);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
}

/**
 * Acknowledges the AwsSolutions-IAM5 finding that a wildcard `resource` (which may hold tokens) raises in a
 * policy below `scope`. The finding id spells tokens the way cdk-nag does, e.g. `<DataBucket1234.Arn>/x/*`.
 */
export function acknowledgeWildcardResource(scope: IConstruct, resource: string, reason: string): void {
  const flat = flattenCfnReference(Stack.of(scope).resolve(resource));
  Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Resource::${flat}]`, reason });
}
