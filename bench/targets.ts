import { CONCURRENCY, LATENCY_MS, PAGE_SIZE, SIZES } from './config.js';
import type { BenchResults, CommandRuns, MeasuredExport } from './results.js';
import { median } from './stats.js';

/** One target of the issue, checked against the measurements. */
export interface TargetCheck {
  readonly target: string;
  readonly measured: string;
  /** undefined: not measured in this run. */
  readonly pass: boolean | undefined;
}

const MIB = 2 ** 20;
const [SMALL, LARGE] = SIZES;
const MIN_SPEEDUP = 3.3;
const REQUEST_SLACK = 1.08;
const MAX_RSS_BYTES = 256 * MIB;
const MAX_BUNDLE_BYTES = 1.5 * MIB;
const MAX_INIT_MS = 250;
const MAX_HELP_MS = 400;

export function minimumRequests(sessions: number): number {
  return Math.ceil(sessions / PAGE_SIZE);
}

export function requestBudget(sessions: number, concurrency: number): number {
  return Math.floor(REQUEST_SLACK * minimumRequests(sessions) + 2 * concurrency);
}

/** The paging floor: every minimum request waits out the latency, `concurrency` at a time. Milliseconds. */
export function floorMs(sessions: number, concurrency: number, latencyMs = LATENCY_MS): number {
  return (minimumRequests(sessions) * latencyMs) / concurrency;
}

export function measuredExport(
  results: BenchResults,
  sessions: number,
  concurrency: number,
): MeasuredExport | undefined {
  const run = results.exports.find((r) => r.sessions === sessions && r.concurrency === concurrency);
  return run?.status === 'measured' ? run : undefined;
}

/** Wall time at concurrency 1 over wall time at {@link CONCURRENCY}, or undefined when either is missing. */
export function speedup(results: BenchResults, sessions: number): number | undefined {
  const [ours, serial] = [measuredExport(results, sessions, CONCURRENCY), measuredExport(results, sessions, 1)];
  return ours && serial ? serial.exporter.wallMs / ours.exporter.wallMs : undefined;
}

/** The median of a start-up command's runs, by its id, or undefined when it failed or did not run. */
export function startupMedian(runs: readonly CommandRuns[], id: string): number | undefined {
  const found = runs.find((r) => r.id === id);
  return found && 'ms' in found && found.ms.length > 0 ? median(found.ms) : undefined;
}

export function checkTargets(results: BenchResults): TargetCheck[] {
  const ratio = speedup(results, SMALL);
  const measured = results.exports.filter((r): r is MeasuredExport => r.status === 'measured');
  const overBudget = measured.filter((r) => r.simulatorPages > requestBudget(r.sessions, r.concurrency));
  const large = measured.filter((r) => r.sessions === LARGE);
  const peakRss = large.length > 0 ? Math.max(...large.map((r) => r.maxRssBytes)) : undefined;
  const { specified } = results.bundle;
  const initMs = 'error' in specified.init ? undefined : median(specified.init.initMs);
  const [helpBefore, helpAfter] = [
    startupMedian(results.startup.help, 'tsx'),
    startupMedian(results.startup.help, 'bin'),
  ];
  const [demoBefore, demoAfter] = [
    startupMedian(results.startup.demo, 'tsx'),
    startupMedian(results.startup.demo, 'bin'),
  ];
  const seconds = (ms: number | undefined): string => (ms === undefined ? 'failed' : `${(ms / 1000).toFixed(2)} s`);
  return [
    {
      target: `≥ ${MIN_SPEEDUP}× faster than concurrency 1 (concurrency ${CONCURRENCY}, ${SMALL.toLocaleString('en')} sessions, ${LATENCY_MS} ms)`,
      measured: ratio === undefined ? 'not measured' : `${ratio.toFixed(2)}×`,
      pass: ratio === undefined ? undefined : ratio >= MIN_SPEEDUP,
    },
    {
      target: `successful requests ≤ ${REQUEST_SLACK} × ⌈N/${PAGE_SIZE}⌉ + 2 × concurrency (every run)`,
      measured:
        measured.length === 0
          ? 'not measured'
          : measured.map((r) => `${r.simulatorPages} ≤ ${requestBudget(r.sessions, r.concurrency)}`).join('; '),
      pass: measured.length === 0 ? undefined : overBudget.length === 0,
    },
    {
      target: `peak RSS ≤ 256 MiB at ${LARGE.toLocaleString('en')} sessions`,
      measured: peakRss === undefined ? 'not measured' : `${(peakRss / MIB).toFixed(0)} MiB`,
      pass: peakRss === undefined ? undefined : peakRss <= MAX_RSS_BYTES,
    },
    {
      target: 'bundle ≤ 1.5 MiB (minified, no source map)',
      measured: `${(specified.bytes / MIB).toFixed(2)} MiB`,
      pass: specified.bytes <= MAX_BUNDLE_BYTES,
    },
    {
      target: `module init ≤ ${MAX_INIT_MS} ms (median, process start → import resolved)`,
      measured: 'error' in specified.init ? `import fails: ${specified.init.error}` : `${initMs?.toFixed(0)} ms`,
      pass: initMs !== undefined && initMs <= MAX_INIT_MS,
    },
    {
      target: `CLI \`--help\` ≤ ${(MAX_HELP_MS / 1000).toFixed(1)} s (median, built: node bin/diyalog-export.js, spawn → exit)`,
      measured: `${seconds(helpAfter)} (before, tsx: ${seconds(helpBefore)})`,
      pass: helpAfter !== undefined && helpAfter <= MAX_HELP_MS,
    },
    {
      target: 'CLI one-day demo export no slower built than through tsx (median, spawn → exit)',
      measured: `${seconds(demoAfter)} (before, tsx: ${seconds(demoBefore)})`,
      pass: demoAfter !== undefined && demoBefore !== undefined && demoAfter <= demoBefore,
    },
  ];
}
