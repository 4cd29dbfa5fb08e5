import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { bundleLikeLambda } from './bundle-size.js';
import { PROJECT_ROOT, SCENARIO_TIMEOUT_MS } from './config.js';
import { runNode } from './processes.js';
import { parseResult, RESULT_MARK, type ScenarioResult } from './protocol.js';

export interface ScenarioRunner {
  /**
   * Runs `bench/scenarios/<name>.ts` in a fresh process, so that its peak RSS is its own, and returns its
   * checked result; the child is killed after `timeoutMs`.
   */
  run<K extends string>(
    name: string,
    args: readonly string[],
    fields: readonly K[],
    timeoutMs?: number,
  ): Promise<ScenarioResult<K>>;
}

/**
 * Runs scenarios as the Lambda runs the exporter: bundled by esbuild with infra's options (source map included)
 * and started with plain `node --enable-source-maps`, infra's NODE_OPTIONS. Not through the tsx loader, whose
 * module-loading thread would add memory that no deployment has to every peak RSS measured. Bundles are built
 * once per scenario into `tmp`, beside a link to the project's node_modules for the external packages.
 */
export function createScenarioRunner(tmp: string): ScenarioRunner {
  const dir = join(tmp, 'scenarios');
  const bundles = new Map<string, Promise<string>>();
  const prepared = mkdir(dir).then(() => symlink(join(PROJECT_ROOT, 'node_modules'), join(dir, 'node_modules')));
  const bundleOf = (name: string): Promise<string> => {
    let bundle = bundles.get(name);
    if (bundle === undefined) {
      bundle = prepared
        .then(() => bundleLikeLambda(`bench/scenarios/${name}.ts`, dir, { sourceMap: true }))
        .then((built) => built.path);
      bundles.set(name, bundle);
    }
    return bundle;
  };
  return {
    async run(name, args, fields, timeoutMs = SCENARIO_TIMEOUT_MS) {
      const script = await bundleOf(name);
      const stdout = await runNode(['--enable-source-maps', script, ...args], {
        cwd: PROJECT_ROOT,
        timeoutMs,
        env: { ...process.env, NODE_OPTIONS: undefined },
      });
      const line = stdout.split('\n').find((l) => l.startsWith(RESULT_MARK));
      if (line === undefined) throw new Error(`scenario ${name} printed no result line`);
      return parseResult(JSON.parse(line.slice(RESULT_MARK.length)), fields);
    },
  };
}
