import type { ExportPlan, ExportRun, MeasuredExport } from './results.js';

/**
 * Whether the simulator's CPU, not the latency, limited a run: it runs on one thread in the bench process, so
 * at more than half the latency per `concurrency` requests it cannot keep up with the exporter.
 */
export function simulatorBound(run: MeasuredExport): boolean {
  return run.simulatorCpuMsPerRequest * run.concurrency > run.latencyMs / 2;
}

/**
 * Why a planned export should not run within the time left, or undefined. A run at a larger size is skipped
 * when a smaller one was simulator-bound: it would measure the simulator, whose cost per request grows with
 * the sessions it holds, and overrun the budget. Otherwise the duration is scaled linearly from the largest
 * smaller run at the same concurrency.
 */
export function skipReason(plan: ExportPlan, runs: readonly ExportRun[], timeLeftMs: number): string | undefined {
  const smaller = runs.filter((r): r is MeasuredExport => r.status === 'measured' && r.sessions < plan.sessions);
  const bound = smaller.find(simulatorBound);
  if (bound) {
    return (
      `the simulator was CPU-bound at ${bound.sessions} sessions (${bound.simulatorCpuMsPerRequest.toFixed(1)} ms ` +
      `per request, concurrency ${bound.concurrency}), so this run would measure the simulator and overrun the budget`
    );
  }
  const base = smaller.filter((r) => r.concurrency === plan.concurrency).at(-1);
  const predicted = base ? base.exporter.wallMs * (plan.sessions / base.sessions) : 0;
  return predicted > timeLeftMs
    ? `predicted ${(predicted / 1000).toFixed(0)} s, ${(timeLeftMs / 1000).toFixed(0)} s left of the time budget`
    : undefined;
}
