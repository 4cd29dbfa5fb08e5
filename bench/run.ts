/**
 * `npm run bench`: measures the exporter end to end against the simulator, the Parquet encoders, the Lambda
 * bundle and the CLI's start-up, then writes docs/benchmarks.md and docs/benchmarks.png. Deterministic data,
 * 127.0.0.1 only; every child process and temporary folder is gone when it ends, also on Ctrl-C.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { skipReason } from './budget.js';
import { measureBundle } from './bundle-runs.js';
import { BUDGET_MS, CONCURRENCY, PROJECT_ROOT, SCALING_SIZE, SIZES } from './config.js';
import { measureEncoders } from './encode-runs.js';
import { measureExports } from './export-runs.js';
import { describeMachine } from './machine.js';
import { killRunningChildren } from './processes.js';
import { BASELINE_FIELDS } from './protocol.js';
import { renderChart } from './report/chart.js';
import { renderMarkdown } from './report/markdown.js';
import { svgToPng } from './report/png.js';
import type { BenchResults, EncodeRun, ExportPlan, ExportRun } from './results.js';
import { createScenarioRunner } from './scenario.js';
import { measureStartup } from './startup-runs.js';
import { checkTargets } from './targets.js';
import { createBenchTemp } from './temp.js';

const COMMAND = 'npm run bench';
const DOCS = join(PROJECT_ROOT, 'docs');
const CHART_FILE = 'benchmarks.png';

async function main(): Promise<void> {
  const started = Date.now();
  const temp = createBenchTemp();
  const interrupted = (): void => {
    killRunningChildren();
    temp.remove();
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  const progress = (line: string): void => {
    console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
  };
  try {
    const scenarios = createScenarioRunner(temp.path);
    progress('baseline: a child that only loads the exporter');
    const baseline = await scenarios.run('baseline', [], BASELINE_FIELDS);
    const bundle = await measureBundle(temp.path, progress);
    const startup = await measureStartup(temp.path, progress);
    const encodes: EncodeRun[] = [];
    for (const sessions of SIZES) encodes.push(await measureEncoders(sessions, scenarios, temp.path, progress));

    const exports: ExportRun[] = [];
    const timeLeftMs = (): number => Math.max(0, BUDGET_MS - (Date.now() - started));
    const skip = (plan: ExportPlan): string | undefined => skipReason(plan, exports, timeLeftMs());
    const plans = [
      ...SIZES.map((sessions) => ({ sessions, concurrencies: [CONCURRENCY, 1] })),
      { sessions: SCALING_SIZE, concurrencies: [CONCURRENCY] },
    ];
    for (const plan of plans) {
      const series = { ...plan, skipReason: skip, timeLeftMs, progress };
      exports.push(...(await measureExports(series, scenarios, temp.path)));
    }

    const results: BenchResults = {
      machine: describeMachine(),
      startedAt: new Date(started),
      durationMs: Date.now() - started,
      command: COMMAND,
      baseline: { heapBytes: baseline.output.heapBytes, maxRssBytes: baseline.maxRssBytes },
      exports,
      encodes,
      bundle,
      startup,
    };
    await writeReport(results);
    for (const t of checkTargets(results)) {
      progress(`${t.pass === undefined ? 'n/a ' : t.pass ? 'pass' : 'MISS'}  ${t.target}: ${t.measured}`);
    }
    progress(`wrote docs/benchmarks.md and docs/${CHART_FILE}`);
  } finally {
    temp.remove();
  }
}

async function writeReport(results: BenchResults): Promise<void> {
  await mkdir(DOCS, { recursive: true });
  const path = join(DOCS, 'benchmarks.md');
  const options = (await resolveConfig(path)) ?? {};
  await writeFile(path, await format(renderMarkdown(results, CHART_FILE), { ...options, filepath: path }));
  await writeFile(join(DOCS, CHART_FILE), svgToPng(renderChart(results)));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
