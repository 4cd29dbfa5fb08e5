import type { App } from 'aws-cdk-lib';
import { ExportStack } from './export-stack.js';
import { enableNag } from './nag.js';
import { settingsFromContext } from './settings.js';
import { acknowledgeTemplateFindings, enableTemplateValidators } from './validators.js';

/** The stack's name (and id in the app). */
export const STACK_NAME = 'DiyalogExport';

/** Options of {@link buildApp}. */
export interface BuildAppOptions {
  /**
   * Run CloudFormation Validate and the Control Tower controls (./validators.ts) at synthesis, beside cdk-nag.
   * Only tests that assert other things turn them off, for speed: the CloudFormation engine takes seconds to
   * start in each process, and the controls about a second each synth.
   *
   * @default true
   */
  readonly templateValidators?: boolean;
}

/**
 * Builds the CDK app: reads the context once into validated settings, turns on cdk-nag and the template
 * validators, and adds the stack. The stack is environment-agnostic, so synthesis needs neither credentials nor
 * network; `cdk deploy` deploys it to the account and region of the credentials in use.
 *
 * @throws {@link ContextError} if a context value is missing or invalid.
 */
export function buildApp(app: App, options: BuildAppOptions = {}): ExportStack {
  const settings = settingsFromContext(app.node);
  const validators = options.templateValidators ?? true;
  enableNag(app);
  if (validators) enableTemplateValidators(app);
  const stack = new ExportStack(app, STACK_NAME, {
    settings,
    description: 'Nightly export of Diyalog reports into an S3 data lake queried with Athena.',
  });
  if (validators) acknowledgeTemplateFindings(stack);
  return stack;
}
