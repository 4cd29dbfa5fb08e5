/**
 * One export of the benchmark day by the real exporter: `exportDay` over `exportContext` (a real DiyalogClient
 * over HTTP) against the simulator at `--url`, writing to a LocalDirStore under `--tmp`.
 * Args: --url URL --concurrency N --tmp DIR.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ONLINE_HELP } from '../../functions/contract/reports.js';
import { KEEP_ALL } from '../../functions/contract/personal-data.js';
import { exportContext } from '../../functions/export/compose.js';
import { exportDay, type DayExportContext } from '../../functions/export/core/export-day.js';
import { staticCredentials } from '../../functions/export/diyalog/credentials.js';
import { LocalDirStore } from '../../functions/export/store/local-dir.js';
import { DAY, KEYS, TIME_ZONE } from '../config.js';
import type { EXPORT_FIELDS, Output } from '../protocol.js';
import { peakRssBytes, runAsScenario } from '../scenario-child.js';

runAsScenario(async (): Promise<Output<(typeof EXPORT_FIELDS)[number]>> => {
  const { values } = parseArgs({
    options: { url: { type: 'string' }, concurrency: { type: 'string' }, tmp: { type: 'string' } },
  });
  const { url, tmp } = values;
  const concurrency = Number(values.concurrency);
  if (!url || !tmp || !Number.isSafeInteger(concurrency)) throw new Error('need --url, --concurrency and --tmp');

  const root = await mkdtemp(join(tmp, 'export-'));
  // Peak RSS is read when the encoder is called and when it returns: the encoder hardly yields to the event
  // loop, so a timer could not sample inside it.
  try {
    const base = exportContext({
      api: {
        endpoint: url,
        signatureVariant: 'newline',
        concurrency,
        timeZone: TIME_ZONE,
        reports: [ONLINE_HELP],
        personalData: KEEP_ALL,
      },
      personalData: { policy: KEEP_ALL },
      credentials: staticCredentials(KEYS),
      store: new LocalDirStore(root),
      runId: 'bench',
    });
    let encodeMs = 0;
    let heapAtEncodeBytes = 0;
    let pagingPeakRssBytes = 0;
    let encodingPeakRssBytes = 0;
    const context: DayExportContext = {
      ...base,
      encode: async (columns, rows) => {
        heapAtEncodeBytes = process.memoryUsage().heapUsed;
        pagingPeakRssBytes = peakRssBytes();
        const started = performance.now();
        try {
          return await base.encode(columns, rows);
        } finally {
          encodeMs = performance.now() - started;
          encodingPeakRssBytes = peakRssBytes();
        }
      },
    };

    const started = performance.now();
    const summary = await exportDay(ONLINE_HELP, DAY, context);
    const wallMs = performance.now() - started;
    return {
      wallMs,
      encodeMs,
      sessions: summary.rows,
      pages: summary.pages,
      requests: summary.requests,
      parquetBytes: summary.parquetBytes,
      pagingPeakRssBytes,
      encodingPeakRssBytes,
      heapAtEncodeBytes,
    };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
