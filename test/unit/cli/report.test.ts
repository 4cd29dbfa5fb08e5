import { describe, expect, it } from 'vitest';
import { parseDay } from '../../../functions/contract/calendar.js';
import { progressLine, rerunCommand, resumeCommand, retryLine } from '../../../functions/export/cli/report.js';

const day = parseDay('2025-11-23');
const window = { startDate: 0, endDate: 1 };

describe('the CLI lines', () => {
  it.each([
    [
      { delayMs: 2_000, reason: 'status 503', attempt: 1 },
      '  online_help: retrying in 2.0 s after HTTP 503 (attempt 2 of 6)',
    ],
    [
      { delayMs: 430, reason: 'timeout after 15000 ms', attempt: 3 },
      '  online_help: retrying in 0.4 s after timeout after 15000 ms (attempt 4 of 6)',
    ],
    [
      { delayMs: 0, reason: 'status 403 (request time); retrying with a fresh date', attempt: 1 },
      '  online_help: retrying now after HTTP 403 (request time); retrying with a fresh date (attempt 2 of 6)',
    ],
  ])('a retry %j', (notice, line) => {
    expect(retryLine({ report: 'online_help', window, maxAttempts: 6, ...notice })).toBe(line);
  });

  it('shows the report-day alone for one, and the run with its ETA for several', () => {
    const page = { report: 'calls', day, pages: 12, records: 230 };
    const run = { daysDone: 0, daysTotal: 1, rows: 0, startedAt: 0 };
    expect(progressLine(page, 1_000, run, 5_000)).toBe('calls 2025-11-23  paging…  12 pages  230 records  4 s');
    expect(progressLine(page, 9_000, { ...run, daysTotal: 90 }, 10_000)).toBe(
      '[0/90 report-days, 0 rows, 10 s]  calls 2025-11-23  paging…  12 pages  230 records  1 s',
    );
    expect(progressLine(page, 119_000, { daysDone: 30, daysTotal: 90, rows: 9_000, startedAt: 0 }, 120_000)).toBe(
      '[30/90 report-days, 9000 rows, 2 min 00 s, ETA 4 min 00 s]  calls 2025-11-23  paging…  12 pages  230 records  1 s',
    );
    expect(progressLine(page, 0, { daysDone: 1, daysTotal: 900, rows: 1, startedAt: 0 }, 60_000)).toContain(
      'ETA 14 h 59 min',
    );
  });

  it('re-runs exactly the report-days that did not land, one command per run of days with the same reports', () => {
    const argv = ['--from', '2025-11-01', '--to', '2025-11-30', '--out', 'my exports', '--date=x', '--reports=calls'];
    const ranges = [
      { from: parseDay('2025-11-02'), to: parseDay('2025-11-04'), reports: ['calls'] },
      { from: parseDay('2025-11-09'), to: parseDay('2025-11-09'), reports: ['online_help', 'calls'] },
    ];
    expect(rerunCommand(argv, ranges)).toBe(
      "npm run export -- --out 'my exports' --from 2025-11-02 --to 2025-11-04 --reports calls && " +
        "npm run export -- --out 'my exports' --date 2025-11-09 --reports online_help,calls",
    );
  });

  it('resumes with the same command and --skip-existing, once', () => {
    expect(resumeCommand(['--from', '2024-01-01', '--to', '2026-11-30'])).toBe(
      'npm run export -- --from 2024-01-01 --to 2026-11-30 --skip-existing',
    );
    expect(resumeCommand(['--skip-existing', '--date', '2026-11-30'])).toBe(
      'npm run export -- --skip-existing --date 2026-11-30',
    );
  });
});
