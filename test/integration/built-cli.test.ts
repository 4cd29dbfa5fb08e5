import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFile, cp, readdir, readFile, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { startSimulator } from '../../functions/demo/index.js';
import { startLocalS3 } from '../support/s3.js';
import { useTempDirs } from '../support/temp-dir.js';

/**
 * The CLIs as people run them: the launchers in bin/ (the package bin, and what `npm start`, `npm run export` and
 * `npm run query` run) in child processes of plain `node`, on the JavaScript that scripts/build-cli.mjs bundles
 * into dist/. Timings belong to the bench (`npm run bench`), not here.
 */
const ROOT = new URL('../../', import.meta.url).pathname;
const execFileAsync = promisify(execFile);
const tempDir = useTempDirs();

interface Outcome {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Preloaded with `--import`: prints, as the process exits, the packages (in node_modules) that it loaded, as one
 * stderr line `packages: [...]`. They load with require() (see scripts/build-cli.mjs), so they are in its cache.
 */
const PACKAGES_PROBE = `data:text/javascript,${encodeURIComponent(`
  import { createRequire } from 'node:module';
  const { cache } = createRequire(process.cwd() + '/');
  process.on('exit', () => {
    const names = Object.keys(cache).flatMap((path) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(path)?.[1] ?? []);
    process.stderr.write('packages: ' + JSON.stringify([...new Set(names)]) + '\\n');
  });
`)}`;

/** The packages a run loaded, from the {@link PACKAGES_PROBE} line; that line is removed from its stderr. */
function loadedPackages(outcome: Outcome): { packages: string[]; stderr: string } {
  const line = /^packages: (.*)$/m.exec(outcome.stderr);
  expect(line, 'the probe line').not.toBeNull();
  return {
    packages: JSON.parse(line?.[1] ?? '[]') as string[],
    stderr: outcome.stderr.replace(/^packages: .*\n/m, ''),
  };
}

async function runNode(args: readonly string[], cwd = ROOT, env: NodeJS.ProcessEnv = process.env): Promise<Outcome> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, args, { cwd, env });
    return { status: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { status: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

interface BuildInfo {
  readonly inputs: Readonly<Record<string, string>>;
  readonly outputs: readonly string[];
}

interface Metafile {
  readonly outputs: Readonly<
    Record<
      string,
      { readonly imports: readonly { path: string; kind: string; external?: boolean }[]; readonly inputs: object }
    >
  >;
}

async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

/** Output paths (as in the metafile) loaded when `entry` is imported: its static imports, transitively. */
function staticClosure(meta: Metafile, entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (output: string): void => {
    if (seen.has(output)) return;
    seen.add(output);
    for (const i of meta.outputs[output]?.imports ?? []) if (i.kind === 'import-statement') visit(i.path);
  };
  visit(entry);
  return seen;
}

describe('the built CLI', () => {
  it('is what the package bin and the npm scripts run, and tsx is a dev dependency only', async () => {
    const pkg = await readJson<{
      bin: Record<string, string>;
      scripts: Record<string, string>;
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    }>(join(ROOT, 'package.json'));
    expect(pkg.bin).toEqual({ 'diyalog-export': 'bin/diyalog-export.js' });
    expect(pkg.scripts['start']).toBe('node bin/diyalog-export.js --demo');
    expect(pkg.scripts['export']).toBe('node bin/diyalog-export.js');
    expect(pkg.scripts['query']).toBe('node bin/diyalog-query.js');
    expect(pkg.dependencies).not.toHaveProperty('tsx');
    expect(pkg.dependencies).not.toHaveProperty('esbuild');
    expect(pkg.devDependencies).toHaveProperty('tsx');
  });

  it('diyalog-export --help exits 0 with the usage and nothing on stderr', async () => {
    const { status, stdout, stderr } = await runNode(['bin/diyalog-export.js', '--help']);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout).toMatch(/^Usage: diyalog-export \[options\]/);
    expect(stdout).toContain('--demo');
  });

  it('npm run query -- --help exits 0 with the usage', async () => {
    const { status, stdout, stderr } = await runNode(['bin/diyalog-query.js', '--help']);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout).toMatch(/^Usage: npm run query -- "<SQL>"/);
  });

  it('ran a build that is up to date with every file it was built from', async () => {
    // The runs above rebuilt dist/ if it was stale; check the record independently of the launcher's own check.
    const info = await readJson<BuildInfo>(join(ROOT, 'dist/build-info.json'));
    expect(Object.keys(info.inputs)).toEqual(
      expect.arrayContaining(['functions/export/cli.ts', 'functions/query/cli.ts', 'scripts/build-cli.mjs']),
    );
    for (const [path, hash] of Object.entries(info.inputs)) {
      const actual = createHash('sha256')
        .update(await readFile(join(ROOT, path)))
        .digest('hex');
      expect(actual, `${path} changed since dist/ was built`).toBe(hash);
    }
    expect(info.outputs).toEqual(expect.arrayContaining(['export-cli.mjs', 'export-cli.mjs.map', 'query-cli.mjs']));
  });

  it('loads no heavy package for --help or a wrong flag; a demo export loads parquetjs-lite and DuckDB', async () => {
    const heavy = /^(@aws-sdk\/|@duckdb\/|parquetjs-lite$)/;
    for (const args of [['--help'], ['--no-such-flag']]) {
      const { packages } = loadedPackages(
        await runNode(['--import', PACKAGES_PROBE, 'bin/diyalog-export.js', ...args]),
      );
      expect(
        packages.filter((p) => heavy.test(p)),
        args.join(' '),
      ).toEqual([]);
    }
    const out = await tempDir();
    const demo = await runNode([
      '--import',
      PACKAGES_PROBE,
      'bin/diyalog-export.js',
      '--demo',
      '--date',
      '2025-11-23',
      '--out',
      out,
    ]);
    expect(demo.status).toBe(0);
    expect(loadedPackages(demo).packages).toEqual(expect.arrayContaining(['parquetjs-lite', '@duckdb/node-api']));
  });

  it('bundles only our code and keeps DuckDB and the demo simulator out of the export CLI until --demo needs them', async () => {
    const meta = await readJson<Metafile>(join(ROOT, 'dist/meta.json'));
    const loaded = staticClosure(meta, 'dist/export-cli.mjs');
    const externals = [...loaded].flatMap((o) => meta.outputs[o]?.imports.filter((i) => i.external) ?? []);
    expect(externals.map((i) => i.path)).toContain('@aws-sdk/client-s3');
    expect(externals.map((i) => i.path)).not.toContain('@duckdb/node-api');
    const lazy = meta.outputs['dist/export-cli.mjs']?.imports.filter((i) => i.kind === 'dynamic-import') ?? [];
    expect(lazy.map((i) => i.path).sort()).toEqual([
      expect.stringMatching(/^dist\/chunks\/demo-\w+\.mjs$/),
      expect.stringMatching(/^dist\/chunks\/demo-summary-\w+\.mjs$/),
    ]);
    for (const output of Object.values(meta.outputs)) {
      expect(Object.keys(output.inputs).filter((input) => input.includes('node_modules'))).toEqual([]);
    }
  });

  it('a one-day demo export in a child process: exit 0, the summary read back, no warning', async () => {
    const out = await tempDir();
    const { status, stdout, stderr } = await runNode([
      'bin/diyalog-export.js',
      '--demo',
      '--date',
      '2025-11-23',
      '--out',
      out,
    ]);
    expect(stderr).toBe(''); // no DEP0005 from parquetjs-lite: it loads from node_modules, unbundled
    expect(status).toBe(0);
    expect(stdout).toMatch(/^online_help 2025-11-23 {2}ok {2}312 rows {2}/m);
    expect(stdout).toMatch(/^calls 2025-11-23 {2}ok {2}186 rows {2}/m);
    expect(stdout).toContain('Done: 2 of 2 report-day(s) exported, 498 rows, ');
    expect(stdout).toContain(`What was written, read back with DuckDB from ${out}:`);
    // The summary, read back through both tables' views: a row for the day with its sessions and its calls.
    expect(stdout).toMatch(
      /^ dt +\| sessions \| agents \| cancelled \| avg_wait_s \| calls \| from_live_help \| video_help \| missed \| median_call_min$/m,
    );
    expect(stdout).toMatch(
      /^ 2025-11-23 \|\s+312 \|\s+\d+ \|\s+\d+ \|\s+[\d.]+ \|\s+186 \|\s+\d+ \|\s+\d+ \|\s+\d+ \|\s+[\d.]+$/m,
    );
    expect(await readdir(join(out, 'online_help'))).toEqual(['dt=2025-11-23']);
    expect(await readdir(join(out, 'calls'))).toEqual(['dt=2025-11-23']);
  });

  it('exports to an S3-compatible store: the AWS SDK, loaded on first use, works', async () => {
    const s3 = await startLocalS3();
    const keys = { accessKeyId: 'AK-built', accessKeySecret: 'built-secret-1618' };
    const sim = await startSimulator({ credentials: keys });
    try {
      const outcome = await runNode(
        [
          '--import',
          PACKAGES_PROBE,
          'bin/diyalog-export.js',
          '--endpoint',
          sim.url,
          '--date',
          '2025-11-23',
          '--out',
          `s3://${s3.bucket}/built`,
        ],
        ROOT,
        {
          ...process.env,
          DIYALOG_ACCESS_KEY_ID: keys.accessKeyId,
          DIYALOG_ACCESS_KEY_SECRET: keys.accessKeySecret,
          DIYALOG_REQUESTER_USER_ID: 'built-test',
        },
      );
      const { packages, stderr } = loadedPackages(outcome);
      expect(stderr).toBe('');
      expect(outcome.status).toBe(0);
      expect(packages).toContain('@aws-sdk/client-s3');
      expect(await s3.keys('built/online_help/')).toEqual(['built/online_help/dt=2025-11-23/sessions.parquet']);
      expect(await s3.keys('built/calls/')).toEqual(['built/calls/dt=2025-11-23/calls.parquet']);
    } finally {
      await Promise.all([s3.stop(), sim.stop()]);
    }
  });

  it('never runs a stale build: a changed source is rebuilt before the CLI starts', async () => {
    // A copy of what the build reads, with the project's node_modules, so that dist/ here stays untouched.
    const copy = await tempDir();
    for (const path of ['functions', 'bin', 'scripts', 'package.json', 'tsconfig.json']) {
      await cp(join(ROOT, path), join(copy, path), { recursive: true });
    }
    await symlink(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');

    const first = await runNode(['bin/diyalog-export.js', '--help'], copy);
    expect(first.stderr).toBe('');
    expect(first.stdout).toMatch(/^Usage: diyalog-export/);

    // Edit a module that `--help` loads but that is not the entry, as a developer would.
    const meta = await readJson<Metafile>(join(copy, 'dist/meta.json'));
    const loadedInputs = [...staticClosure(meta, 'dist/export-cli.mjs')].flatMap((o) =>
      Object.keys(meta.outputs[o]?.inputs ?? {}),
    );
    const edited = loadedInputs.find((input) => input.startsWith('functions/') && !input.endsWith('/cli.ts'));
    expect(edited).toBeDefined();
    await appendFile(join(copy, edited ?? ''), `\nprocess.stdout.write('edited ${edited ?? ''}\\n');\n`);

    const second = await runNode(['bin/diyalog-export.js', '--help'], copy);
    expect(second.stderr).toBe('');
    expect(second.status).toBe(0);
    expect(second.stdout).toMatch(new RegExp(`^edited ${edited ?? ''}\\nUsage: diyalog-export`));
  });
});
