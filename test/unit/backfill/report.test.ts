import { describe, expect, it } from 'vitest';
import { BACKFILL_LIMITS } from '../../../functions/contract/backfill.js';
import { planBackfill } from '../../../functions/backfill/plan.js';
import { REPORTS } from '../../../functions/contract/reports.js';
import { FAILED_LISTED, reportBackfill, type ChunkResult } from '../../../functions/backfill/report.js';

/** The most a failed execution's cause may hold (Step Functions' limit). */
const MAX_CAUSE_CHARS = 32_768;
/** The most a state's input or output may hold (Step Functions' limit). */
const MAX_PAYLOAD_BYTES = 256 * 1024;

describe('reportBackfill', () => {
  it('counts chunks and days; nothing failed, no re-run input', () => {
    const results = [
      { from: '2025-01-06', to: '2025-01-08' },
      { from: '2025-01-01', to: '2025-01-05' },
    ];
    expect(reportBackfill(results)).toEqual({ chunks: 2, days: 8, failedChunks: 0, failed: [] });
  });

  it('lists the failed chunks and the input that re-runs exactly them', () => {
    const results = [
      { from: '2025-01-10', to: '2025-01-12' },
      { from: '2025-01-07', to: '2025-01-09', error: 'ExportError' },
      { from: '2025-01-04', to: '2025-01-06' },
      { from: '2025-01-01', to: '2025-01-03', error: 'Lambda.TooManyRequestsException' },
    ];
    expect(reportBackfill(results)).toEqual({
      chunks: 4,
      days: 12,
      failedChunks: 2,
      failed: [
        { from: '2025-01-07', to: '2025-01-09', error: 'ExportError' },
        { from: '2025-01-01', to: '2025-01-03', error: 'Lambda.TooManyRequestsException' },
      ],
      rerun: {
        ranges: [
          { from: '2025-01-07', to: '2025-01-09' },
          { from: '2025-01-01', to: '2025-01-03' },
        ],
      },
    });
  });

  it('merges adjacent failed chunks into one range, which the plan splits into the same chunks again', () => {
    const plan = planBackfill({ from: '2025-01-01', to: '2025-01-11' }, { chunkDays: 3 });
    if ('invalid' in plan) throw new Error(plan.invalid);
    // Chunks 01-09..11, 01-06..08, 01-03..05, 01-01..02; all but the newest fail.
    const results: ChunkResult[] = plan.chunks.map((chunk, i) => (i === 0 ? chunk : { ...chunk, error: 'X' }));
    const report = reportBackfill(results);
    expect(report.rerun).toEqual({ ranges: [{ from: '2025-01-01', to: '2025-01-08' }] });
    expect(planBackfill(report.rerun, { chunkDays: 3 })).toEqual({ days: 8, chunks: plan.chunks.slice(1) });
  });

  it(`lists the first ${FAILED_LISTED} failed chunks with their error; the re-run input has them all`, () => {
    const results = Array.from({ length: 30 }, (_, i) => {
      const day = `2025-01-${String(30 - i).padStart(2, '0')}`;
      return { from: day, to: day, ...(i % 2 === 0 ? { error: 'ExportError' } : {}) };
    });
    const report = reportBackfill(results);
    expect(report.failedChunks).toBe(15);
    expect(report.failed).toHaveLength(FAILED_LISTED);
    expect(report.failed[0]).toEqual({ from: '2025-01-30', to: '2025-01-30', error: 'ExportError' });
    expect(report.rerun?.ranges).toHaveLength(15);
  });

  it('re-runs the failed chunks of the reports the input named, and only those', () => {
    const reports = ['online_help', 'calls'];
    const results = [
      { from: '2025-01-04', to: '2025-01-06', reports },
      { from: '2025-01-01', to: '2025-01-03', reports, error: 'ExportError' },
    ];
    expect(reportBackfill(results)).toEqual({
      chunks: 2,
      days: 6,
      failedChunks: 1,
      failed: [{ from: '2025-01-01', to: '2025-01-03', error: 'ExportError' }],
      rerun: { ranges: [{ from: '2025-01-01', to: '2025-01-03' }], reports },
    });
    expect(reportBackfill(results.slice(0, 1))).toEqual({ chunks: 1, days: 3, failedChunks: 0, failed: [] });
  });

  it.each([false, true])(
    'fits the worst case (the most chunks, every other one failed; every report named: %s) in a state and a cause',
    (named) => {
      const plan = planBackfill({ from: '2020-01-01', to: '2030-12-31' }, { chunkDays: 1 });
      expect(plan).toHaveProperty('invalid');
      const first = Date.parse('2020-01-01');
      const results = Array.from({ length: BACKFILL_LIMITS.maxChunks }, (_, i) => {
        const day = new Date(first + (BACKFILL_LIMITS.maxChunks - i) * 86_400_000).toISOString().slice(0, 10);
        return {
          from: day,
          to: day,
          ...(named ? { reports: REPORTS.map((report) => report.name) } : {}),
          ...(i % 2 === 0 ? { error: 'Lambda.ClientExecutionTimeoutException' } : {}),
        };
      });
      // The map's output, the report step's input, is one state's payload.
      expect(Buffer.byteLength(JSON.stringify(results))).toBeLessThan(MAX_PAYLOAD_BYTES);
      const report = reportBackfill(results);
      expect(report.rerun?.ranges).toHaveLength(BACKFILL_LIMITS.maxChunks / 2);
      // The state machine's cause is States.JsonToString of the report: compact JSON.
      expect(JSON.stringify(report).length).toBeLessThanOrEqual(MAX_CAUSE_CHARS);
    },
  );

  it.each([
    [{}, 'results is not an array'],
    [[null], 'results[0] is not an object'],
    [[{ from: '2025-01-01', to: '2025-01-02', error: { Error: 'X' } }], 'results[0].error is not a string'],
    [[{ from: '2025-01-01' }], 'Invalid day'],
    [[{ from: '2025-01-01', to: '2025-01-02', reports: 'calls' }], 'results[0].reports is not a list of report names'],
    [
      [
        { from: '2025-01-03', to: '2025-01-04', reports: ['calls'] },
        { from: '2025-01-01', to: '2025-01-02', error: 'X' },
      ],
      'the chunks name different reports: calls and none',
    ],
  ])('throws for %j: a fault of the definition', (results, message) => {
    expect(() => reportBackfill(results)).toThrow(message);
  });
});
