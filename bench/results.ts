import type { DUCKDB_FIELDS, EXPORT_FIELDS, Output, PARQUETJS_FIELDS } from './protocol.js';

/** Everything one bench run measured; the report is made from this alone. */

export interface ExportPlan {
  readonly sessions: number;
  readonly concurrency: number;
  readonly latencyMs: number;
  /** Sessions in the busiest of the `concurrency` sub-windows the exporter splits the day into. */
  readonly busiestPartSessions: number;
}

export interface MeasuredExport extends ExportPlan {
  readonly status: 'measured';
  /** What the exporter child reported (its own view: wall time, summary, memory by phase). */
  readonly exporter: Output<(typeof EXPORT_FIELDS)[number]>;
  readonly maxRssBytes: number;
  /** Complete pages the simulator served: the successful page requests. */
  readonly simulatorPages: number;
  /** Every request the simulator received. */
  readonly simulatorRequests: number;
  /** CPU time of the bench process (the simulator) during the run per request it received, milliseconds. */
  readonly simulatorCpuMsPerRequest: number;
}

export interface UnmeasuredExport extends ExportPlan {
  readonly status: 'skipped' | 'failed';
  readonly reason: string;
}

export type ExportRun = MeasuredExport | UnmeasuredExport;

export interface EncodeRun {
  readonly sessions: number;
  readonly parquetjs: Output<(typeof PARQUETJS_FIELDS)[number]>;
  readonly duckdb: Output<(typeof DUCKDB_FIELDS)[number]>;
}

/** Cold imports of one bundle in fresh processes. */
export interface InitRuns {
  /** Process start → `import()` of the bundle resolved, per run, milliseconds. */
  readonly initMs: readonly number[];
  /** The `import()` alone, per run, milliseconds. */
  readonly importMs: readonly number[];
  /** Peak RSS of an init child, median, bytes. */
  readonly rssBytes: number;
}

export interface BundleVariant {
  readonly name: string;
  readonly bytes: number;
  /** What the import did: timings, or the error it failed with. */
  readonly init: InitRuns | { readonly error: string };
}

export interface BundleMeasure {
  /** As infra bundles it: ESM, minified, the runtime's AWS SDK external, no source map. */
  readonly specified: BundleVariant;
  /** Largest contributors to the bundle, by package (or `functions/…` for our own code). */
  readonly topPackages: readonly { readonly name: string; readonly bytes: number }[];
}

/** One command of the start-up scenario, timed in fresh processes from spawn to exit. */
export type CommandRuns = {
  /** Stable name: `node`, `tsx`, `tsx-import`, `bin` or `npm`. */
  readonly id: string;
  readonly label: string;
  /** floor: Node's own start; before: the CLI through tsx; after: the built CLI. */
  readonly role: 'floor' | 'before' | 'after';
} & ({ readonly ms: readonly number[] } | { readonly error: string });

export interface StartupMeasure {
  readonly help: readonly CommandRuns[];
  /** A one-day `--demo` export into a temporary folder, the DuckDB read-back included. */
  readonly demo: readonly CommandRuns[];
  /** `node scripts/build-cli.mjs`: what the first start after an edit adds. */
  readonly buildMs: readonly number[];
}

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryBytes: number;
  readonly node: string;
  readonly os: string;
}

export interface BenchResults {
  readonly machine: Machine;
  readonly startedAt: Date;
  readonly durationMs: number;
  readonly command: string;
  readonly baseline: { readonly heapBytes: number; readonly maxRssBytes: number };
  readonly exports: readonly ExportRun[];
  readonly encodes: readonly EncodeRun[];
  readonly bundle: BundleMeasure;
  readonly startup: StartupMeasure;
}
