import { describe, expect, it } from 'vitest';
import { parseDay, parseTimeZone, type CalendarDay } from '../../../functions/contract/calendar.js';
import { CALLS, ONLINE_HELP, type ReportDefinition } from '../../../functions/contract/reports.js';
import { SignatureRejectedError } from '../../../functions/export/core/errors.js';
import type { DayExportContext } from '../../../functions/export/core/export-day.js';
import type { PageSource } from '../../../functions/export/core/ports.js';
import {
  failureLine,
  runExport,
  unfinishedRanges,
  type DayResult,
  type RunSummary,
} from '../../../functions/export/core/run.js';
import { encodeParquet } from '../../../functions/export/parquet/encode.js';
import { LocalDirStore } from '../../../functions/export/store/local-dir.js';
import { useTempDirs } from '../../support/temp-dir.js';

const tempDir = useTempDirs();
const day = (text: string): CalendarDay => parseDay(text);

function run(results: readonly DayResult[]): RunSummary {
  return { runId: 'run-1', results, ok: false };
}

const failed = (report: string, on: string, message = 'server gone'): DayResult => ({
  status: 'failed',
  report,
  day: day(on),
  error: new Error(message),
});
const notAttempted = (report: string, on: string): DayResult => ({ status: 'not-attempted', report, day: day(on) });
const skipped = (report: string, on: string): DayResult => ({
  status: 'skipped',
  report,
  day: day(on),
  manifest: 'm.json',
});

describe('unfinishedRanges', () => {
  it('groups consecutive days with the same reports that did not land, oldest first', () => {
    const ranges = unfinishedRanges(
      run([
        failed('calls', '2025-11-25'),
        skipped('online_help', '2025-11-25'),
        failed('calls', '2025-11-24'),
        failed('online_help', '2025-11-23'),
        notAttempted('calls', '2025-11-23'),
        notAttempted('online_help', '2025-11-22'),
        notAttempted('calls', '2025-11-22'),
        failed('calls', '2025-11-20'),
      ]),
    );
    expect(ranges).toEqual([
      { from: '2025-11-20', to: '2025-11-20', reports: ['calls'] },
      { from: '2025-11-22', to: '2025-11-23', reports: ['online_help', 'calls'] },
      { from: '2025-11-24', to: '2025-11-25', reports: ['calls'] },
    ]);
  });
});

describe('failureLine', () => {
  it('names each failed report-day with its reason, and those not attempted', () => {
    expect(
      failureLine(
        run([
          failed('calls', '2025-11-23', 'HTTP 500'),
          skipped('online_help', '2025-11-23'),
          notAttempted('online_help', '2025-11-22'),
          notAttempted('calls', '2025-11-22'),
        ]),
      ),
    ).toBe(
      '1 of 4 report-days failed (run run-1): calls 2025-11-23: HTTP 500; 2 not attempted: online_help 2025-11-22, ' +
        'calls 2025-11-22',
    );
  });
});

describe('runExport', () => {
  /** A source per report: the sessions' pages are empty, the calls' fail as given. */
  async function context(callsFailure: Error): Promise<DayExportContext> {
    const empty: PageSource = { fetchPage: () => Promise.resolve({ items: [], attempts: 1 }) };
    let requests = 0;
    const failing: PageSource = {
      // The preflight's request passes; the day's first one fails.
      fetchPage: () =>
        requests++ === 0 ? empty.fetchPage({ startDate: 0, endDate: 1 }) : Promise.reject(callsFailure),
    };
    return {
      sourceFor: (report: ReportDefinition) => (report === CALLS ? failing : empty),
      store: new LocalDirStore(await tempDir()),
      timeZone: parseTimeZone('Europe/Istanbul'),
      concurrency: 1,
      encode: encodeParquet,
      runId: 'run-1',
      now: () => Date.parse('2025-12-01T00:00:00Z'),
      provenance: { source: 'test', exporterVersion: '0.0.0-test' },
    };
  }

  it('runs each report-day on its own: a failing calls day leaves online_help landed and the next day tried', async () => {
    const request = { days: [day('2025-11-23'), day('2025-11-22')], reports: [ONLINE_HELP, CALLS] };
    const summary = await runExport(request, await context(new Error('HTTP 500')));
    expect(summary.results.map((r) => [r.report, r.day, r.status])).toEqual([
      ['online_help', '2025-11-23', 'ok'],
      ['calls', '2025-11-23', 'failed'],
      ['online_help', '2025-11-22', 'ok'],
      ['calls', '2025-11-22', 'failed'],
    ]);
    expect(summary.ok).toBe(false);
  });

  it('does not attempt the rest once keys are rejected, since every report-day would fail alike', async () => {
    const request = { days: [day('2025-11-23'), day('2025-11-22')], reports: [ONLINE_HELP, CALLS] };
    const rejected = new SignatureRejectedError('Diyalog rejected the request signature', {
      window: { startDate: 0, endDate: 1 },
      attempts: 1,
      status: 401,
      retryable: false,
    });
    const summary = await runExport(request, await context(rejected));
    expect(summary.results.map((r) => [r.report, r.day, r.status])).toEqual([
      ['online_help', '2025-11-23', 'ok'],
      ['calls', '2025-11-23', 'failed'],
      ['online_help', '2025-11-22', 'not-attempted'],
      ['calls', '2025-11-22', 'not-attempted'],
    ]);
  });
});
