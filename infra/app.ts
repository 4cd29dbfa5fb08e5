import type { App } from 'aws-cdk-lib';
import { ExportStack } from './export-stack.js';
import { enableNag } from './nag.js';
import { settingsFromContext } from './settings.js';

/** The stack's name (and id in the app). */
export const STACK_NAME = 'DiyalogExport';

/**
 * Builds the CDK app: reads the context once into validated settings, turns on cdk-nag, and adds the stack.
 * The stack is environment-agnostic, so synthesis needs neither credentials nor network; `cdk deploy` deploys
 * it to the account and region of the credentials in use.
 *
 * @throws {@link ContextError} if a context value is missing or invalid.
 */
export function buildApp(app: App): ExportStack {
  const settings = settingsFromContext(app.node);
  enableNag(app);
  return new ExportStack(app, STACK_NAME, {
    settings,
    description: 'Nightly export of Diyalog live-help sessions into an S3 data lake queried with Athena.',
  });
}
