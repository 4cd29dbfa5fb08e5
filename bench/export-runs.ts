import { startSimulator } from '../functions/demo/index.js';
import { KEYS, LATENCY_MS } from './config.js';
import { benchSessions } from './dataset.js';
import { busiestPart } from './day-split.js';
import { EXPORT_FIELDS } from './protocol.js';
import type { ExportPlan, ExportRun } from './results.js';
import type { ScenarioRunner } from './scenario.js';

export interface ExportSeries {
  readonly sessions: number;
  readonly concurrencies: readonly number[];
  /** Asked before each run: a reason to skip it, or undefined to run it. */
  readonly skipReason: (plan: ExportPlan) => string | undefined;
  /** How long a run may take before it is killed, milliseconds; asked before each run. */
  readonly timeLeftMs: () => number;
  readonly progress: (line: string) => void;
}

/**
 * Serves `sessions` sessions of one day from the simulator on 127.0.0.1 (in this process) and runs the
 * exporter against it in a child process, once per concurrency, counting what the simulator served.
 */
export async function measureExports(
  series: ExportSeries,
  scenarios: ScenarioRunner,
  tmp: string,
): Promise<ExportRun[]> {
  const sessions = benchSessions(series.sessions);
  const simulator = await startSimulator({ credentials: KEYS, sessions, latencyMs: LATENCY_MS });
  const runs: ExportRun[] = [];
  try {
    for (const concurrency of series.concurrencies) {
      const plan: ExportPlan = {
        sessions: series.sessions,
        concurrency,
        latencyMs: LATENCY_MS,
        busiestPartSessions: busiestPart(sessions, concurrency),
      };
      const skip = series.skipReason(plan);
      if (skip !== undefined) {
        series.progress(`export: ${plan.sessions} sessions, concurrency ${concurrency}: skipped (${skip})`);
        runs.push({ ...plan, status: 'skipped', reason: skip });
        continue;
      }
      series.progress(`export: ${plan.sessions} sessions, concurrency ${concurrency}, latency ${LATENCY_MS} ms`);
      simulator.resetCounters();
      const cpuBefore = process.cpuUsage();
      try {
        const result = await scenarios.run(
          'export-day',
          ['--url', simulator.url, '--concurrency', String(concurrency), '--tmp', tmp],
          EXPORT_FIELDS,
          series.timeLeftMs(),
        );
        const cpu = process.cpuUsage(cpuBefore);
        const { pages, requests } = simulator.counters;
        if (result.output.sessions !== plan.sessions) {
          throw new Error(`the export wrote ${result.output.sessions} sessions, expected ${plan.sessions}`);
        }
        runs.push({
          ...plan,
          status: 'measured',
          exporter: result.output,
          maxRssBytes: result.maxRssBytes,
          simulatorPages: pages,
          simulatorRequests: requests,
          simulatorCpuMsPerRequest: (cpu.user + cpu.system) / 1000 / Math.max(1, requests),
        });
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        series.progress(`export failed: ${reason}`);
        runs.push({ ...plan, status: 'failed', reason });
      }
    }
  } finally {
    await simulator.stop();
  }
  return runs;
}
