import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dayWindow } from '../../functions/export/core/days.js';
import { parseDay, parseTimeZone } from '../../functions/contract/calendar.js';
import type { RequestWindow } from '../../functions/export/core/errors.js';
import { exportDay, type DayExportContext } from '../../functions/export/core/export-day.js';
import type { Page, PageSource } from '../../functions/export/core/ports.js';
import { encodeParquet } from '../../functions/export/parquet/encode.js';
import { ONLINE_HELP } from '../../functions/contract/reports.js';
import { LocalDirStore } from '../../functions/export/store/local-dir.js';
import { readSessions } from '../support/parquet-reader.js';
import { useTempDirs } from '../support/temp-dir.js';

const DAY = parseDay('2025-11-23');
const ZONE = parseTimeZone('Europe/Istanbul');
const { start } = dayWindow(DAY, ZONE);
const tempDir = useTempDirs();

/** A one-page source that returns the given items for the first sub-window that contains them. */
function oneShot(items: readonly Record<string, unknown>[]): PageSource {
  return {
    fetchPage(window: RequestWindow): Promise<Page> {
      const inWindow = items.filter((item) => {
        const t = Number(item['helpRequestedAt']);
        return Number.isNaN(t) || (t >= window.startDate && t <= window.endDate);
      });
      return Promise.resolve({ items: inWindow, attempts: 1 });
    },
  };
}

function context(source: PageSource, root: string): DayExportContext {
  return {
    sourceFor: () => source,
    store: new LocalDirStore(root),
    timeZone: ZONE,
    concurrency: 1,
    encode: encodeParquet,
    runId: 'run-1',
    now: () => start + 86_400_000 + 3_600_000,
    provenance: { source: 'https://diyalog.example.com', exporterVersion: '0.0.0-test' },
  };
}

describe('exportDay with imperfect records', () => {
  it('writes bad records to the rejects output with their reason, counts them, and still lands the day', async () => {
    const root = await tempDir();
    const items = [
      { onlineHelpId: 101, helpRequestedAt: start + 1_000, helpState: 'onlinehelp_requested', customerNo: 'C1' },
      { onlineHelpId: 102, helpRequestedAt: start + 2_000, helpState: 'Ended by customer', waitTime: '17' },
      { onlineHelpId: 103, helpRequestedAt: start + 3_000, waitTime: 12.5 },
      { onlineHelpId: 'x-104', helpRequestedAt: start + 4_000 },
      { customerNo: 'no id, no time' },
    ];
    const summary = await exportDay(ONLINE_HELP, DAY, context(oneShot(items), root));
    expect(summary).toMatchObject({ rows: 2, rejected: 3, duplicates: 0 });

    const rows = await readSessions(join(root, 'online_help/dt=2025-11-23/sessions.parquet'));
    expect(rows.map((r) => [r['online_help_id'], r['help_state'], r['wait_time_seconds']])).toEqual([
      ['101', 'onlinehelp_requested', null],
      ['102', 'Ended by customer', 17],
    ]);
    const rejects = (await readFile(join(root, '_rejects/online_help/dt=2025-11-23/rejects.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { reason: string; item: unknown; day: string });
    expect(rejects.map((r) => r.reason).sort()).toEqual([
      'onlineHelpId is missing or not a positive 64-bit integer',
      'onlineHelpId is missing or not a positive 64-bit integer',
      'waitTime is number 12.5, expected a whole number',
    ]);
    expect(rejects.map((r) => r.item)).toContainEqual({
      onlineHelpId: 103,
      helpRequestedAt: start + 3_000,
      waitTime: 12.5,
    });
    const manifest: unknown = JSON.parse(
      await readFile(join(root, '_runs/online_help/dt=2025-11-23/run-1.json'), 'utf8'),
    );
    expect(manifest).toMatchObject({
      report: 'online_help',
      day: '2025-11-23',
      rows: 2,
      rejected: 3,
      runId: 'run-1',
      source: 'https://diyalog.example.com',
      exporterVersion: '0.0.0-test',
    });
  });

  it('removes an earlier run’s rejects once the day exports cleanly', async () => {
    const root = await tempDir();
    await exportDay(ONLINE_HELP, DAY, context(oneShot([{ onlineHelpId: 'bad', helpRequestedAt: start }]), root));
    expect(await readdir(join(root, '_rejects/online_help/dt=2025-11-23'))).toEqual(['rejects.jsonl']);
    await exportDay(ONLINE_HELP, DAY, context(oneShot([{ onlineHelpId: 1, helpRequestedAt: start }]), root));
    // Gone with its folder: the local store, like S3, keeps no empty folders.
    await expect(readdir(join(root, '_rejects/online_help/dt=2025-11-23'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('keeps one copy of a duplicated id, the one that progressed furthest, whatever the arrival order', async () => {
    const requested = { onlineHelpId: 7, helpRequestedAt: start + 10, helpState: 'onlinehelp_requested' };
    const ended = {
      ...requested,
      helpState: 'onlinehelp_ended_by_agent',
      helpStartedAt: start + 20,
      helpEndedAt: start + 90_000,
      agentId: 'A1',
    };
    for (const order of [
      [requested, ended],
      [ended, requested],
    ]) {
      const root = await tempDir();
      const summary = await exportDay(ONLINE_HELP, DAY, context(oneShot(order), root));
      expect(summary).toMatchObject({ rows: 1, duplicates: 1 });
      const rows = await readSessions(join(root, 'online_help/dt=2025-11-23/sessions.parquet'));
      expect(rows.map((r) => r['help_state'])).toEqual(['onlinehelp_ended_by_agent']);
    }
  });

  it('writes nothing when paging fails, leaving the previous export of the day in place', async () => {
    const root = await tempDir();
    await exportDay(ONLINE_HELP, DAY, context(oneShot([{ onlineHelpId: 1, helpRequestedAt: start }]), root));
    const before = await readFile(join(root, 'online_help/dt=2025-11-23/sessions.parquet'));
    const failing: PageSource = { fetchPage: () => Promise.reject(new Error('server gone')) };
    await expect(exportDay(ONLINE_HELP, DAY, context(failing, root))).rejects.toThrow('server gone');
    expect(await readFile(join(root, 'online_help/dt=2025-11-23/sessions.parquet'))).toEqual(before);
    expect(await readdir(join(root, '_runs/online_help/dt=2025-11-23'))).toEqual(['run-1.json']);
  });
});
