import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { INIT_RUNS } from './config.js';
import { ChildProcessError, runNode } from './processes.js';
import type { InitRuns } from './results.js';
import { median } from './stats.js';

const PROBE = `
const started = performance.now();
await import(process.env.BENCH_BUNDLE_URL);
const resolved = performance.now();
process.stdout.write(JSON.stringify([resolved, resolved - started, process.resourceUsage().maxRSS * 1024]));
`;

/**
 * Imports the bundle at `path` in {@link INIT_RUNS} fresh `node` processes (plain Node, no tsx), each timed
 * from process start (`performance.timeOrigin`) to the `import()` resolved; or the error the import fails with.
 */
export async function measureInit(path: string): Promise<InitRuns | { error: string }> {
  const samples: (readonly number[])[] = [];
  for (let i = 0; i < INIT_RUNS; i++) {
    const outcome = await importOnce(path);
    if ('error' in outcome) return outcome;
    samples.push(outcome.sample);
  }
  return {
    initMs: samples.map((s) => s[0] ?? NaN),
    importMs: samples.map((s) => s[1] ?? NaN),
    rssBytes: median(samples.map((s) => s[2] ?? NaN)),
  };
}

async function importOnce(path: string): Promise<{ sample: readonly number[] } | { error: string }> {
  try {
    const stdout = await runNode(['--input-type=module', '-e', PROBE], {
      cwd: dirname(path),
      timeoutMs: 30_000,
      env: { ...process.env, NODE_OPTIONS: undefined, BENCH_BUNDLE_URL: pathToFileURL(path).href },
      captureStderr: true,
    });
    const parsed: unknown = JSON.parse(stdout);
    if (!Array.isArray(parsed) || !parsed.every((n) => typeof n === 'number')) throw new Error('bad probe output');
    return { sample: parsed };
  } catch (error) {
    if (!(error instanceof ChildProcessError)) throw error;
    // The minified source line around the throw is printed too; keep only the error itself.
    return { error: /\b\w*Error: .{0,160}/.exec(error.stderr)?.[0] ?? error.message };
  }
}
