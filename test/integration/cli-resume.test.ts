import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDay, parseTimeZone } from '../../functions/contract/calendar.js';
import { demoCalls, generateSessions, startSimulator, type RunningSimulator } from '../../functions/demo/index.js';
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
  const data = DAYS.map((day, i) => {
    const { start, end } = dayWindow(day, ZONE);
    const sessions = generateSessions({ seed: 700 + i, from: start, to: end, count: 30 });
    return { sessions, calls: demoCalls(sessions, start, end) };
  });
  sim.setSessions(data.flatMap((day) => day.sessions));
  sim.setCalls(data.flatMap((day) => day.calls));
});
afterAll(async () => {
  await sim.stop();
});

async function partitions(root: string, table = 'online_help'): Promise<string[]> {
  return (await readdir(join(root, table))).sort();
}

/** `online_help 2025-10-08` of each line of `lines` that says `status` (`ok`, `skipped, landed before`). */
function reportDays(lines: readonly string[], status: string): string[] {
  return lines.flatMap((line) => {
    const match = /^(\w+ \d{4}-\d\d-\d\d) {2}(.*?)(?: {2}|$)/.exec(line);
    return match?.[2] === status ? [match[1] ?? ''] : [];
  });
}

describe('long ranges in the CLI', () => {
  it('lands a 90-day demo range, one partition a day and report, newest first', async () => {
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
    for (const table of ['online_help', 'calls']) {
      const landed = await partitions(root, table);
      expect(landed).toHaveLength(90);
      expect(landed[0]).toBe('dt=2025-06-01');
      expect(landed.at(-1)).toBe('dt=2025-08-29');
    }
    // Newest day first; each day online_help, then calls.
    const dayLines = reportDays(out, 'ok');
    expect(dayLines).toHaveLength(180);
    expect(dayLines.slice(0, 4)).toEqual([
      'online_help 2025-08-29',
      'calls 2025-08-29',
      'online_help 2025-08-28',
      'calls 2025-08-28',
    ]);
    expect(dayLines.slice(-2)).toEqual(['online_help 2025-06-01', 'calls 2025-06-01']);
    expect(out).toContainEqual(expect.stringMatching(/^Done: 180 of 180 report-day\(s\) exported, \d+ rows, /));
  }, 120_000);

  it('after an interrupted run, --skip-existing exports only the report-days that did not land', async () => {
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
          // Ctrl-C once five report-days have landed: three days of online_help, but only two of calls.
          if (out.filter((line) => line.includes('  ok  ')).length === 5) interrupt.abort(new Error('interrupted'));
        },
        err: (l) => err.push(l),
      },
      Date.now,
      interrupt.signal,
    );
    expect(status).toBe(130);
    expect(reportDays(out, 'ok')).toEqual([
      'online_help 2025-10-08',
      'calls 2025-10-08',
      'online_help 2025-10-07',
      'calls 2025-10-07',
      'online_help 2025-10-06',
    ]);
    expect(await partitions(root)).toEqual(['dt=2025-10-06', 'dt=2025-10-07', 'dt=2025-10-08']);
    expect(await partitions(root, 'calls')).toEqual(['dt=2025-10-07', 'dt=2025-10-08']);
    expect(err.join('\n')).toContain(`Resume with: npm run export -- ${args.join(' ')} --skip-existing`);

    sim.resetCounters();
    const resumed: string[] = [];
    const again = await runCli([...args, '--skip-existing'], ENV, {
      out: (l) => resumed.push(l),
      err: () => undefined,
    });
    expect(again).toBe(0);
    expect(await partitions(root)).toHaveLength(8);
    expect(await partitions(root, 'calls')).toHaveLength(8);
    expect(reportDays(resumed, 'skipped, landed before')).toEqual([
      'online_help 2025-10-08',
      'calls 2025-10-08',
      'online_help 2025-10-07',
      'calls 2025-10-07',
      'online_help 2025-10-06',
    ]);
    expect(reportDays(resumed, 'ok')).toEqual([
      'calls 2025-10-06',
      ...DAYS.slice(0, 5)
        .toReversed()
        .flatMap((day) => [`online_help ${day}`, `calls ${day}`]),
    ]);
    expect(resumed.join('\n')).toContain('11 of 16 report-day(s) exported, 5 skipped (landed before)');
    // Only the report-days missing were paged: no request for a skipped one's window.
    const overlaps = (windows: readonly { startDate: number; endDate: number }[], days: typeof DAYS) =>
      windows.some((w) =>
        days.map((day) => dayWindow(day, ZONE)).some((d) => w.endDate > d.start && w.startDate < d.end - 1),
      );
    const { online_help: onlineHelp, calls } = sim.counters.byReport;
    expect(overlaps(onlineHelp.windows, DAYS.slice(5))).toBe(false);
    expect(overlaps(calls.windows, DAYS.slice(6))).toBe(false);
    expect(overlaps(calls.windows, DAYS.slice(5, 6))).toBe(true);
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
      // Once the preflight (a request per report) has passed and paging has begun: the first page of online_help
      // (it takes the simulator's latency).
      while (sim.counters.requests < 3) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(sim.counters.byReport.calls.requests).toBe(1);
      child.kill('SIGINT');
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code).toBe(130);
      expect(stderr).toContain(
        'diyalog-export: interrupted; the report-day being exported was abandoned before anything of it was written.',
      );
      expect(stderr).toContain(`Resume with: npm run export -- ${args.join(' ')} --skip-existing`);
      expect(stdout).toContain('0 of 4 report-day(s) exported');
      expect(stdout).not.toMatch(/ {2}ok {2}/);
      expect(await readdir(root)).toEqual([]);
    } finally {
      sim.configure({ latencyMs: 0 });
    }
  }, 30_000);
});
