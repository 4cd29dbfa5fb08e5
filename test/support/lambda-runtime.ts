import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, parse } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The packages the Lambda Node.js runtime provides to a function: the AWS SDK for JavaScript v3. */
export const RUNTIME_SCOPES = Object.freeze(['@aws-sdk', '@smithy']);

const PROJECT_NODE_MODULES = fileURLToPath(new URL('../../node_modules/', import.meta.url));

/** A function's code laid out as Lambda runs it. */
export interface LambdaSandbox {
  /** Like `/var/task`: a copy of the asset. */
  readonly task: string;
  /** The only `node_modules` above {@link task}: {@link RUNTIME_SCOPES}, as the runtime provides them. */
  readonly runtimeModules: string;
  /** The invoker, like Lambda's own runtime client: it imports the handler and calls it with each event. */
  readonly invoker: string;
}

/**
 * Lays out `asset` below `root` as Lambda does: the asset as `var/task`, and in `var/node_modules` only the
 * packages of {@link RUNTIME_SCOPES} (links to this project's copies, which bring the dependencies of their own).
 * The project's other packages cannot be reached from the task.
 *
 * @throws Error if a folder above `root` holds a `node_modules`, which would make the layout leak.
 */
export function layOutLikeLambda(asset: string, root: string): LambdaSandbox {
  for (let dir = root; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules'))) {
      throw new Error(`${dir}/node_modules would be visible from the task; use a root without one above it`);
    }
    if (dir === parse(dir).root) break;
  }
  const task = join(root, 'var', 'task');
  cpSync(asset, task, { recursive: true });
  const runtimeModules = join(root, 'var', 'node_modules');
  for (const scope of RUNTIME_SCOPES) {
    mkdirSync(join(runtimeModules, scope), { recursive: true });
    for (const name of readdirSync(join(PROJECT_NODE_MODULES, scope))) {
      symlinkSync(join(PROJECT_NODE_MODULES, scope, name), join(runtimeModules, scope, name), 'dir');
    }
  }
  const invoker = join(root, 'var', 'runtime', 'invoke.mjs');
  mkdirSync(dirname(invoker), { recursive: true });
  writeFileSync(invoker, INVOKER);
  return { task, runtimeModules, invoker };
}

/** How one module specifier was resolved in the invoked process. */
export interface Resolution {
  readonly specifier: string;
  /** The importing module's URL; absent for the entry point. */
  readonly parent?: string | null;
  /** The resolved URL (`node:…` for a built-in), or… */
  readonly url?: string;
  /** …the error code of a resolution that failed. */
  readonly error?: string;
}

/** What a {@link invokeInNewProcess} run saw. */
export interface Invocations {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** `process.version` of the invoking process. */
  readonly nodeVersion?: string;
  /** Every module resolution in the process, in order: imports and requires alike. */
  readonly resolutions: readonly Resolution[];
  /** The error if `index.mjs` did not load. */
  readonly loadError?: string;
  /** Per event: the handler's result as Lambda returns it (through JSON), or its error. */
  readonly results: readonly ({ ok: true; value: unknown } | { ok: false; error: string })[];
}

/** Options of {@link invokeInNewProcess}. */
export interface InvokeOptions {
  /** The Node.js binary. */
  readonly node: string;
  /** The whole environment of the process (nothing is inherited). */
  readonly env: Readonly<Record<string, string>>;
  /** Invoked one after the other in the same process: the first is the cold start. */
  readonly events: readonly unknown[];
  /** The function's timeout in seconds, for `context.getRemainingTimeInMillis()`. */
  readonly timeoutSeconds: number;
  /** Kills the process after this long. */
  readonly killAfterMs: number;
}

/** Starts a new Node.js process in `sandbox`, loads `index.mjs` as Lambda does, and calls `handler` per event. */
export async function invokeInNewProcess(sandbox: LambdaSandbox, options: InvokeOptions): Promise<Invocations> {
  const eventsFile = join(dirname(sandbox.invoker), 'events.json');
  const reportFile = join(dirname(sandbox.invoker), 'report.json');
  writeFileSync(eventsFile, JSON.stringify(options.events));
  const child = spawn(
    options.node,
    [sandbox.invoker, sandbox.task, eventsFile, reportFile, String(options.timeoutSeconds)],
    {
      cwd: sandbox.task,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.killAfterMs,
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  const report = existsSync(reportFile)
    ? (JSON.parse(readFileSync(reportFile, 'utf8')) as Omit<Invocations, 'exitCode' | 'stdout' | 'stderr'>)
    : { resolutions: [], results: [] };
  return { exitCode, stdout, stderr, ...report };
}

/**
 * The invoker, in plain JavaScript for the runtime's Node.js: it records every module resolution through a
 * resolve hook (`module.registerHooks`, which covers `import` and `require` and prints nothing), imports the
 * handler, calls it with each event and a Lambda-like context, passes each result through JSON as Lambda does,
 * and writes a report. It imports nothing but built-ins.
 */
const INVOKER = `
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [task, eventsFile, reportFile, timeoutSeconds] = process.argv.slice(2);
const report = { nodeVersion: process.version, resolutions: [], results: [] };
registerHooks({
  resolve(specifier, context, nextResolve) {
    const entry = { specifier, parent: context.parentURL ?? null };
    report.resolutions.push(entry);
    try {
      const resolved = nextResolve(specifier, context);
      entry.url = resolved.url;
      return resolved;
    } catch (error) {
      entry.error = String(error?.code ?? error);
      throw error;
    }
  },
});
try {
  const { handler } = await import(pathToFileURL(join(task, 'index.mjs')).href);
  for (const event of JSON.parse(readFileSync(eventsFile, 'utf8'))) {
    const deadline = Date.now() + Number(timeoutSeconds) * 1000;
    const requestId = randomUUID();
    const context = {
      callbackWaitsForEmptyEventLoop: true,
      functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
      functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
      invokedFunctionArn: 'arn:aws:lambda:' + process.env.AWS_REGION + ':123456789012:function:' + process.env.AWS_LAMBDA_FUNCTION_NAME,
      memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
      awsRequestId: requestId,
      logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
      logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
    try {
      const value = await handler(event, context);
      report.results.push({ ok: true, value: JSON.parse(JSON.stringify(value ?? null)) });
    } catch (error) {
      report.results.push({ ok: false, error: error instanceof Error ? error.name + ': ' + error.message : String(error) });
    }
  }
} catch (error) {
  report.loadError = String(error?.stack ?? error);
}
writeFileSync(reportFile, JSON.stringify(report));
// Lambda freezes the process between invocations; here the last one ends it, idle keep-alive sockets or not.
process.exit(0);
`;
