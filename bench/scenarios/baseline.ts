/**
 * The floor under every export's peak RSS: a child that loads the export scenario's modules (Node, tsx, the
 * exporter, the AWS SDK clients it imports) and does nothing else.
 */
import '../../functions/export/compose.js';
import '../../functions/export/core/export-day.js';
import type { BASELINE_FIELDS, Output } from '../protocol.js';
import { runAsScenario } from '../scenario-child.js';

runAsScenario((): Promise<Output<(typeof BASELINE_FIELDS)[number]>> =>
  Promise.resolve({ heapBytes: process.memoryUsage().heapUsed }),
);
