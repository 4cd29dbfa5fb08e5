import { spawn, type ChildProcess } from 'node:child_process';

/** Children still running, so that an interrupted bench can end them. */
const running = new Set<ChildProcess>();

export interface ProcessOptions {
  readonly cwd: string;
  /** The child is killed, and the promise rejects, after this long. */
  readonly timeoutMs: number;
  readonly env?: NodeJS.ProcessEnv;
  /** Keep stderr for the error instead of passing it through. @default false */
  readonly captureStderr?: boolean;
}

/** A child that ended badly; `stderr` is set when it was captured. */
export class ChildProcessError extends Error {
  constructor(
    message: string,
    readonly stderr: string,
  ) {
    super(message);
    this.name = 'ChildProcessError';
  }
}

/** Runs `node …args` to its end and resolves with its stdout. Rejects on a non-zero exit or the timeout. */
export function runNode(args: readonly string[], options: ProcessOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', options.captureStderr ? 'pipe' : 'inherit'],
    });
    running.add(child);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      if (code === 0) {
        resolve(Buffer.concat(stdout).toString('utf8'));
        return;
      }
      const how = timedOut
        ? `was killed after ${(options.timeoutMs / 1000).toFixed(0)} s`
        : `ended with ${signal ?? `status ${code}`}`;
      reject(new ChildProcessError(`child process ${how}`, Buffer.concat(stderr).toString('utf8')));
    });
  });
}

/** Ends every child still running (the bench was interrupted). */
export function killRunningChildren(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}
