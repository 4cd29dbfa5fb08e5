import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FUNCTION_DEFAULTS } from '../../infra/constructs/export-function.js';

/** The Node.js major version of the deployed function's runtime (`nodejs24.x` → 24). */
export const LAMBDA_NODE_MAJOR = Number(/^nodejs(\d+)\.x$/.exec(FUNCTION_DEFAULTS.runtime.name)?.[1]);

const INSTALLER = fileURLToPath(new URL('../../.ci/lambda-node', import.meta.url));

/**
 * A Node.js binary of the Lambda runtime's major version: this process's own when the tests run on it (as CI
 * does), else the one `.ci/lambda-node` keeps in its cache, installing it from the npm registry the first time.
 */
export function lambdaNode(): string {
  if (Number(process.versions.node.split('.')[0]) === LAMBDA_NODE_MAJOR) return process.execPath;
  const bin = execFileSync('bash', [INSTALLER, String(LAMBDA_NODE_MAJOR)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  return join(bin, 'node');
}
