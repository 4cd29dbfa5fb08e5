import { fileURLToPath } from 'node:url';
import { DEFAULTS } from '../functions/contract/settings.js';
import { parseDay, parseTimeZone } from '../functions/contract/calendar.js';

/** What every benchmark scenario shares; change a number here and the report follows. */

/** The repository root: bundles are built from it and children run in it. */
export const PROJECT_ROOT = fileURLToPath(new URL('../', import.meta.url));

/** The simulated API's delay before every answer, milliseconds. */
export const LATENCY_MS = 25;
/** Sessions in the one exported day. */
export const SIZES = [20_000, 100_000] as const;
/** A busier day exported by "ours" only, to show how time and memory keep growing past {@link SIZES}. */
export const SCALING_SIZE = 300_000;
/** "Ours": the exporter's default; compared with concurrency 1. */
export const CONCURRENCY = DEFAULTS.concurrency;
export const PAGE_SIZE = 20;
/** Seed of the generated sessions: the same data every run. */
export const SEED = 20_251_123;
export const DAY = parseDay('2025-11-23');
export const TIME_ZONE = parseTimeZone('Europe/Istanbul');
export const KEYS = { accessKeyId: 'AK-bench', accessKeySecret: 'bench-secret-2718', requesterUserId: 'bench' };
/** Runs of the module-init measurement; the median is reported. */
export const INIT_RUNS = 5;
/** Timed runs of each CLI `--help` command in the start-up scenario; the median is reported. */
export const STARTUP_RUNS = 7;
/** Timed one-day demo exports per CLI command in the start-up scenario; the median is reported. */
export const DEMO_RUNS = 5;
/** Encodes per engine and size; the median is reported. */
export const ENCODE_RUNS = 3;
/** An encode or baseline child that runs longer than this is killed and the bench fails. */
export const SCENARIO_TIMEOUT_MS = 3 * 60_000;
/**
 * The whole bench ends within about this: an export run predicted to overrun it is skipped, and one that
 * overruns it is killed and reported as failed.
 */
export const BUDGET_MS = 10 * 60_000;
