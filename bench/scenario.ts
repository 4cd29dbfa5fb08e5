import { fileURLToPath } from 'node:url';
import { SCENARIO_TIMEOUT_MS } from './config.js';
import { runNode } from './processes.js';
import { parseResult, RESULT_MARK, type ScenarioResult } from './protocol.js';

/** The repository root: children run there so that `--import tsx` resolves. */
export const PROJECT_ROOT = fileURLToPath(new URL('../', import.meta.url));

/**
 * Runs `bench/scenarios/<name>.ts` in a fresh `node --import tsx` process, so that its peak RSS is its own,
 * and returns its checked result; the child is killed after `timeoutMs`.
 */
export async function runScenario<K extends string>(
  name: string,
  args: readonly string[],
  fields: readonly K[],
  timeoutMs = SCENARIO_TIMEOUT_MS,
): Promise<ScenarioResult<K>> {
  const script = fileURLToPath(new URL(`./scenarios/${name}.ts`, import.meta.url));
  const stdout = await runNode(['--import', 'tsx', script, ...args], {
    cwd: PROJECT_ROOT,
    timeoutMs,
  });
  const line = stdout.split('\n').find((l) => l.startsWith(RESULT_MARK));
  if (line === undefined) throw new Error(`scenario ${name} printed no result line`);
  return parseResult(JSON.parse(line.slice(RESULT_MARK.length)), fields);
}
