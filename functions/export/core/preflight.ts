import { preflightKey } from '../../contract/layout.js';
import { ConfigError, ExportError } from './errors.js';
import type { DayExportContext } from './export-day.js';
import type { ReportDefinition } from '../../contract/reports.js';

/** The run could not start: the export root or the Diyalog keys failed the checks made before any paging. */
export class PreflightError extends ExportError {
  override name = 'PreflightError';
}

/** What a preflight needs of a run's context: its store and page source. */
export type PreflightContext = Pick<DayExportContext, 'store' | 'sourceFor' | 'runId' | 'now' | 'signal'>;

/**
 * Proves, before a whole day is paged, that the run can finish: the export root takes a write and a delete (a
 * probe object under `_runs/preflight/`), and Diyalog accepts the keys for each report (one request for a 1 ms
 * window each: an installation without a report's endpoint fails here, not night after night). A failure rejects
 * with one line that says what was being done, against what, and what to do: a {@link ConfigError} when
 * configuration is at fault (exit status 2 in the CLI), else a {@link PreflightError}.
 */
export async function preflight(context: PreflightContext, reports: readonly ReportDefinition[]): Promise<void> {
  const probe = preflightKey(context.runId);
  await checked(`writing a probe object to ${context.store.locate(probe)}`, async () => {
    await context.store.put(probe, new TextEncoder().encode('diyalog-export preflight\n'), 'text/plain');
    await context.store.delete([probe]);
  });
  for (const report of reports) {
    const instant = context.now();
    await checked(`a first request to Diyalog's ${report.name} report with the configured keys`, () =>
      context.sourceFor(report).fetchPage({ startDate: instant - 1, endDate: instant }, context.signal),
    );
  }
}

async function checked(doing: string, step: () => Promise<unknown>): Promise<void> {
  try {
    await step();
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new PreflightError(`preflight failed, ${doing}: ${reason}`, { cause: error });
  }
}
