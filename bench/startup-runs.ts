import { mkdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { DEMO_RUNS, PROJECT_ROOT, STARTUP_RUNS } from './config.js';
import { ChildProcessError, runNode } from './processes.js';
import type { CommandRuns, StartupMeasure } from './results.js';
import { timed } from './stats.js';

/** What the CLI ran through before it was built: the tsx CLI that `npm run export` and `npm start` called. */
const TSX_CLI = createRequire(import.meta.url).resolve('tsx/cli');
const EXPORT_TS = 'functions/export/cli.ts';
const BIN = 'bin/diyalog-export.js';

interface Command {
  readonly id: string;
  readonly label: string;
  readonly role: CommandRuns['role'];
  /** Arguments of `node`; `out` is a fresh folder for this run. */
  readonly args: (out: string) => readonly string[];
}

/**
 * CLI start-up, before (through tsx, transpiling at every start) and after (the launcher running the bundle in
 * dist/): `--help`, and a one-day `--demo` export into a temporary folder. Every run is a fresh `node` child
 * timed from spawn to exit; the commands take turns, so that a busy moment of a shared machine falls on all of
 * them; each command runs once untimed first (tsx fills its transform cache, the launcher checks dist/).
 */
export async function measureStartup(tmp: string, progress: (line: string) => void): Promise<StartupMeasure> {
  const dir = join(tmp, 'startup');
  await mkdir(dir);
  const demo =
    (...command: string[]) =>
    (out: string) => [...command, '--demo', '--date', '2025-11-23', '--out', out];
  const npmCli = process.env['npm_execpath'];
  const help: Command[] = [
    { id: 'node', label: 'node -e 0', role: 'floor', args: () => ['-e', '0'] },
    { id: 'tsx', label: `tsx ${EXPORT_TS} --help`, role: 'before', args: () => [TSX_CLI, EXPORT_TS, '--help'] },
    {
      id: 'tsx-import',
      label: `node --import tsx ${EXPORT_TS} --help`,
      role: 'before',
      args: () => ['--import', 'tsx', EXPORT_TS, '--help'],
    },
    { id: 'bin', label: `node ${BIN} --help`, role: 'after', args: () => [BIN, '--help'] },
    ...(npmCli?.endsWith('.js')
      ? [
          {
            id: 'npm',
            label: 'npm run -s export -- --help',
            role: 'after' as const,
            args: () => [npmCli, 'run', '-s', 'export', '--', '--help'],
          },
        ]
      : []),
  ];
  const demos: Command[] = [
    {
      id: 'tsx',
      label: `tsx ${EXPORT_TS} --demo --date 2025-11-23 --out DIR`,
      role: 'before',
      args: demo(TSX_CLI, EXPORT_TS),
    },
    { id: 'bin', label: `node ${BIN} --demo --date 2025-11-23 --out DIR`, role: 'after', args: demo(BIN) },
  ];
  progress(`start-up: --help, ${help.length} commands × ${STARTUP_RUNS} runs`);
  const helpRuns = await measureCommands(help, STARTUP_RUNS, dir);
  progress(`start-up: one-day demo export, ${demos.length} commands × ${DEMO_RUNS} runs`);
  const demoRuns = await measureCommands(demos, DEMO_RUNS, dir);
  progress('start-up: the build after an edit (node scripts/build-cli.mjs)');
  const buildMs: number[] = [];
  for (let i = 0; i < 3; i++) buildMs.push(await timed(() => runNode(['scripts/build-cli.mjs'], options())));
  return { help: helpRuns, demo: demoRuns, buildMs };
}

async function measureCommands(commands: readonly Command[], runs: number, dir: string): Promise<CommandRuns[]> {
  const ms = commands.map((): number[] => []);
  const errors = new Map<number, string>();
  for (let round = -1; round < runs; round++) {
    for (const [i, command] of commands.entries()) {
      if (errors.has(i)) continue;
      const out = join(dir, `run-${String(i)}`);
      try {
        const wall = await timed(() => runNode(command.args(out), { ...options(), captureStderr: true }));
        if (round >= 0) ms[i]?.push(wall);
      } catch (error) {
        const stderr = error instanceof ChildProcessError ? error.stderr.trim().split('\n').at(-1) : undefined;
        errors.set(i, [error instanceof Error ? error.message : String(error), stderr].filter(Boolean).join(': '));
      } finally {
        await rm(out, { recursive: true, force: true });
      }
    }
  }
  return commands.map(({ id, label, role }, i) => {
    const error = errors.get(i);
    return error === undefined ? { id, label, role, ms: ms[i] ?? [] } : { id, label, role, error };
  });
}

function options(): { cwd: string; timeoutMs: number; env: NodeJS.ProcessEnv } {
  return { cwd: PROJECT_ROOT, timeoutMs: 60_000, env: { ...process.env, NODE_OPTIONS: undefined } };
}
