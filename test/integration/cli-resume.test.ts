import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDay, parseTimeZone } from '../../functions/contract/calendar.js';
import { generateSessions, startSimulator, type RunningSimulator } from '../../functions/demo/index.js';
import { runCli } from '../../functions/export/cli.js';
import { addDays, dayWindow } from '../../functions/export/core/days.js';
import { useTempDirs } from '../support/temp-dir.js';

/** Long ranges in the CLI: no 31-day cap, newest first, resumable with --skip-existing, Ctrl-C that writes nothing. */

const ROOT = new URL('../../', import.meta.url).pathname;
const KEYS = { accessKeyId: 'AK-resume', accessKeySecret: 'resume-secret-2236' };
const ENV = {
  DIYALOG_ACCESS_KEY_ID: KEYS.accessKeyId,
  DIYALOG_ACCESS_KEY_SECRET: KEYS.accessKeySecret,
  DIYALOG_REQUESTER_USER_ID: 'resume-test',
};
const ZONE = parseTimeZone('Europe/Istanbul');
const FIRST = parseDay('2025-10-01');
const DAYS = Array.from({ length: 8 }, (_, i) => addDays(FIRST, i));

let sim: RunningSimulator;
const tempDir = useTempDirs();

beforeAll(async () => {
  sim = await startSimulator({ credentials: KEYS });
  sim.setSessions(
    DAYS.flatMap((day, i) => {
      const { start, end } = dayWindow(day, ZONE);
      return generateSessions({ seed: 700 + i, from: start, to: end, count: 30 });
    }),
  );
});
afterAll(async () => {
  await sim.stop();
});

async function partitions(root: string): Promise<string[]> {
  return (await readdir(join(root, 'online_help'))).sort();
}

describe('long ranges in the CLI', () => {
  it('lands a 90-day demo range, one partition a day, newest first', async () => {
    const root = await tempDir();
    const out: string[] = [];
    const status = await runCli(
      ['--demo', '--from', '2025-06-01', '--to', '2025-08-29', '--out', root],
      {},
      {
        out: (l) => out.push(l),
        err: () => undefined,
      },
    );
    expect(status).toBe(0);
    const landed = await partitions(root);
    expect(landed).toHaveLength(90);
    expect(landed[0]).toBe('dt=2025-06-01');
    expect(landed.at(-1)).toBe('dt=2025-08-29');
    const dayLines = out.filter((l) => /^\d{4}-\d\d-\d\d {2}ok /.test(l)).map((l) => l.slice(0, 10));
    expect(dayLines[0]).toBe('2025-08-29');
    expect(dayLines.at(-1)).toBe('2025-06-01');
  }, 120_000);

  it('after an interrupted run, --skip-existing exports only the days that did not land', async () => {
    const root = await tempDir();
    const args = ['--from', DAYS[0] ?? '', '--to', DAYS.at(-1) ?? '', '--endpoint', sim.url, '--out', root];
    const interrupt = new AbortController();
    const out: string[] = [];
    const err: string[] = [];
    const status = await runCli(
      args,
      ENV,
      {
        out: (l) => {
          out.push(l);
          // Ctrl-C once three days have landed.
          if (out.filter((line) => line.includes('  ok  ')).length === 3) interrupt.abort(new Error('interrupted'));
        },
        err: (l) => err.push(l),
      },
      Date.now,
      interrupt.signal,
    );
    expect(status).toBe(130);
    expect(await partitions(root)).toEqual(['dt=2025-10-06', 'dt=2025-10-07', 'dt=2025-10-08']);
    expect(err.join('\n')).toContain(`Resume with: npm run export -- ${args.join(' ')} --skip-existing`);

    sim.resetCounters();
    const resumed: string[] = [];
    const again = await runCli([...args, '--skip-existing'], ENV, {
      out: (l) => resumed.push(l),
      err: () => undefined,
    });
    expect(again).toBe(0);
    expect(await partitions(root)).toHaveLength(8);
    expect(resumed.filter((l) => l.includes('  skipped, landed before')).map((l) => l.slice(0, 10))).toEqual([
      '2025-10-08',
      '2025-10-07',
      '2025-10-06',
    ]);
    expect(resumed.filter((l) => l.includes('  ok  '))).toHaveLength(5);
    expect(resumed.join('\n')).toContain('5 of 8 day(s) exported, 3 skipped (landed before)');
    // Only the five missing days were paged: no request for a skipped day's window.
    const skipped = DAYS.slice(5).map((day) => dayWindow(day, ZONE));
    expect(sim.counters.windows.some((w) => skipped.some((d) => w.endDate > d.start && w.startDate < d.end - 1))).toBe(
      false,
    );
  });
});

describe('Ctrl-C', () => {
  it('abandons the day being paged without writing it, exits 130 and prints the command that resumes', async () => {
    const root = await tempDir();
    sim.configure({ latencyMs: 200 });
    sim.resetCounters();
    try {
      const args = ['--from', DAYS[0] ?? '', '--to', DAYS[1] ?? '', '--endpoint', sim.url, '--out', root];
      const child = spawn(process.execPath, ['bin/diyalog-export.js', ...args], {
        cwd: ROOT,
        env: { ...process.env, ...ENV },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      // Once the preflight has passed and paging has begun (the first page takes the simulator's latency).
      while (sim.counters.requests < 2) await new Promise((resolve) => setTimeout(resolve, 20));
      child.kill('SIGINT');
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code).toBe(130);
      expect(stderr).toContain('interrupted; the day being exported was abandoned');
      expect(stderr).toContain(`Resume with: npm run export -- ${args.join(' ')} --skip-existing`);
      expect(stdout).toContain('0 of 2 day(s) exported');
      expect(await readdir(root)).toEqual([]);
    } finally {
      sim.configure({ latencyMs: 0 });
    }
  }, 30_000);
});
