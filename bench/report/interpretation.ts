import { CONCURRENCY, SCALING_SIZE, SIZES } from '../config.js';
import { simulatorBound } from '../budget.js';
import type { BenchResults, MeasuredExport } from '../results.js';
import { median } from '../stats.js';
import { measuredExport, minimumRequests, speedup, startupMedian } from '../targets.js';
import { int, mib, millis, percent, ratio, seconds } from './format.js';

/** Short, measured statements about the results, one per bullet. */
export function interpretation(results: BenchResults): string[] {
  return [
    ...speedupLines(results),
    ...requestLines(results),
    ...memoryLines(results),
    ...encodeLines(results),
    ...bundleLines(results),
    ...startupLines(results),
  ];
}

function speedupLines(results: BenchResults): string[] {
  const [small] = SIZES;
  const ours = measuredExport(results, small, CONCURRENCY);
  const serial = measuredExport(results, small, 1);
  if (!ours || !serial)
    return [`The concurrency ${CONCURRENCY} vs 1 ratio at ${int(small)} sessions was not measured.`];
  const lines = [
    `At ${int(small)} sessions concurrency ${CONCURRENCY} took ${seconds(ours.exporter.wallMs)} s and concurrency 1 ` +
      `${seconds(serial.exporter.wallMs)} s: ${ratio(speedup(results, small) ?? NaN)}.`,
  ];
  if (simulatorBound(ours)) lines.push(simulatorBoundLine(ours));
  const perRequest = (serial.exporter.wallMs - serial.exporter.encodeMs) / serial.simulatorPages;
  const balanced = (ours.simulatorPages * perRequest) / ours.concurrency;
  const paging = ours.exporter.wallMs - ours.exporter.encodeMs;
  lines.push(
    `Perfectly balanced, ${ours.concurrency} pagers would page the day in about ${seconds(balanced)} s ` +
      `(${int(ours.simulatorPages)} requests × ${perRequest.toFixed(1)} ms, the time per request at concurrency 1, ` +
      `÷ ${ours.concurrency}); they took ${seconds(paging)} s, ${percent(balanced, paging)} of the ideal. The ` +
      `sessions cluster in business hours: of ${ours.concurrency} equal sub-windows of the day the busiest holds ` +
      `${percent(ours.busiestPartSessions, ours.sessions)} of them.`,
    `Encoding is not parallel and takes ${seconds(ours.exporter.encodeMs)} s of the concurrency-${CONCURRENCY} run ` +
      `(${percent(ours.exporter.encodeMs, ours.exporter.wallMs)}); even with perfect balance the ratio would be ` +
      `${ratio(serial.exporter.wallMs / (balanced + ours.exporter.encodeMs))}.`,
  );
  return lines;
}

function simulatorBoundLine(run: MeasuredExport): string {
  const cpu = run.simulatorCpuMsPerRequest;
  return (
    `**This run measures the simulator more than the exporter**: the simulator spent ${cpu.toFixed(1)} ms of CPU ` +
    `per request on its one thread, so it could answer at most ${int(1000 / cpu)} requests/s where the floor ` +
    `needs ${int((run.concurrency * 1000) / run.latencyMs)}/s (concurrency ${run.concurrency} at ` +
    `${run.latencyMs} ms). Its cost per request grows with the sessions it holds.`
  );
}

function requestLines(results: BenchResults): string[] {
  const measured = results.exports.filter((r): r is MeasuredExport => r.status === 'measured');
  if (measured.length === 0) return [];
  const worst = Math.max(...measured.map((r) => r.simulatorPages / minimumRequests(r.sessions)));
  const serial = measured.find((r) => r.concurrency === 1);
  const perRequest = serial && (serial.exporter.wallMs - serial.exporter.encodeMs) / serial.simulatorPages;
  return [
    ...(serial && perRequest !== undefined
      ? [
          `At concurrency 1 (${int(serial.sessions)} sessions) a request took ${perRequest.toFixed(1)} ms on ` +
            `average against ${serial.latencyMs} ms of latency: ${(perRequest - serial.latencyMs).toFixed(1)} ms of ` +
            `client, simulator and loopback HTTP per request.`,
        ]
      : []),
    `Requests are at most ${worst.toFixed(3)} × ⌈N/20⌉: after a full page the cursor asks again for the oldest ` +
      `millisecond of that page (the bound semantics are unknown), so a page brings about 19 new sessions, plus ` +
      `one last partial page per sub-window. No request failed or was retried.`,
  ];
}

function memoryLines(results: BenchResults): string[] {
  const measured = results.exports.filter((r): r is MeasuredExport => r.status === 'measured');
  const at = (sessions: number): MeasuredExport | undefined =>
    measured.find((r) => r.sessions === sessions && r.concurrency === CONCURRENCY);
  const [small, large, largest] = [at(SIZES[0]), at(SIZES[1]), at(SCALING_SIZE)];
  if (!large) return [];
  const used = (large.exporter.heapAtEncodeBytes - results.baseline.heapBytes) / large.sessions;
  const growth = (from: MeasuredExport | undefined, to: MeasuredExport | undefined): string[] => {
    if (!from || !to) return [];
    const perSession = (of: (run: MeasuredExport) => number): string =>
      int((of(to) - of(from)) / (to.sessions - from.sessions));
    return [
      `From ${int(from.sessions)} to ${int(to.sessions)} sessions (concurrency ${CONCURRENCY}) the peak RSS by ` +
        `the end of paging grows by ${perSession((r) => r.exporter.pagingPeakRssBytes)} bytes per session (the ` +
        `stored rows), the whole run's by ${perSession((r) => r.maxRssBytes)} bytes per session.`,
    ];
  };
  return [
    `At ${int(large.sessions)} sessions the exporter peaks at ${mib(large.maxRssBytes)} MiB RSS; loading the ` +
      `modules alone takes ${mib(results.baseline.maxRssBytes)} MiB. When encoding starts the used heap is ` +
      `${mib(large.exporter.heapAtEncodeBytes)} MiB, ${int(used)} bytes per session above the baseline (garbage ` +
      `included): the day's rows are held column by column in typed arrays, outside the object heap, and become ` +
      `objects one at a time as the encoder takes them. RSS peaks at ` +
      `${mib(large.exporter.pagingPeakRssBytes)} MiB by the end of paging and ` +
      `${mib(large.exporter.encodingPeakRssBytes)} MiB by the end of encoding.`,
    ...growth(small, large),
    ...growth(large, largest),
  ];
}

function encodeLines(results: BenchResults): string[] {
  return results.encodes.map(
    ({ sessions, parquetjs, duckdb }) =>
      `${int(sessions)} rows: parquetjs-lite ${seconds(parquetjs.medianMs)} s vs DuckDB ` +
      `${seconds(duckdb.appendAndCopyMedianMs)} s from JavaScript rows (${millis(duckdb.copyMedianMs)} ms for the ` +
      `COPY alone); DuckDB's file is ${percent(duckdb.bytes, parquetjs.bytes)} the size (it also dictionary-encodes).`,
  );
}

function bundleLines({ bundle }: BenchResults): string[] {
  const { init } = bundle.specified;
  if ('error' in init) return [`**The bundle fails at import** with \`${init.error}\`.`];
  return [`The bundle imports in ${median(init.initMs).toFixed(0)} ms from process start on this machine.`];
}

function startupLines({ startup }: BenchResults): string[] {
  const [node, before, after] = ['node', 'tsx', 'bin'].map((id) => startupMedian(startup.help, id));
  const [demoBefore, demoAfter] = ['tsx', 'bin'].map((id) => startupMedian(startup.demo, id));
  if (before === undefined || after === undefined) return ['CLI start-up was not measured in full.'];
  const lines = [
    `\`--help\` takes ${millis(after)} ms built against ${millis(before)} ms through tsx ` +
      `(${ratio(before / after)} faster)` +
      (node === undefined ? '.' : `; ${millis(node)} ms of it is Node's own start, ${millis(after - node)} ms ours.`),
  ];
  if (demoBefore !== undefined && demoAfter !== undefined) {
    const saved = demoBefore - demoAfter;
    lines.push(
      `A one-day demo export takes ${(demoAfter / 1000).toFixed(2)} s built against ` +
        `${(demoBefore / 1000).toFixed(2)} s through tsx, ${millis(Math.abs(saved))} ms ` +
        `${saved >= 0 ? 'less' : 'more'}: both run the same export code, so the difference is start-up.`,
    );
  }
  return lines;
}
