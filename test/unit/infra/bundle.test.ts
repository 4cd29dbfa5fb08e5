import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Template } from 'aws-cdk-lib/assertions';
import { build } from 'esbuild';
import { afterAll, expect, test, vi } from 'vitest';
import { ONLINE_HELP } from '../../../functions/contract/reports.js';
import { ASSET_NODE_MODULES } from '../../../infra/constructs/export-function.js';
import { ESM_BANNER } from '../../../infra/esm-banner.js';
import { onlyResource, synth } from './support.js';

// Below the repository, so that the bundle's external AWS SDK resolves from node_modules as on Lambda.
const cache = fileURLToPath(new URL('../../../node_modules/.cache/', import.meta.url));
mkdirSync(cache, { recursive: true }); // absent in a fresh clone
const outdir = mkdtempSync(join(cache, 'infra-bundle-test-'));

afterAll(() => {
  rmSync(outdir, { recursive: true, force: true });
  vi.unstubAllEnvs();
});

/** `names` and, recursively, the packages they depend on, as package-lock.json resolves them at the top level. */
function dependencyClosure(names: readonly string[]): string[] {
  const lock = JSON.parse(readFileSync(new URL('../../../package-lock.json', import.meta.url), 'utf8')) as {
    packages: Record<string, { dependencies?: Record<string, string> }>;
  };
  const found = new Set<string>();
  const visit = (name: string): void => {
    if (found.has(name)) return;
    const entry = lock.packages[`node_modules/${name}`];
    if (!entry) throw new Error(`package-lock.json has no node_modules/${name}`);
    found.add(name);
    for (const dependency of Object.keys(entry.dependencies ?? {})) visit(dependency);
  };
  names.forEach(visit);
  return [...found].sort();
}

function bytesBelow(path: string): number {
  return readdirSync(path, { recursive: true, encoding: 'utf8' })
    .map((file) => statSync(join(path, file)))
    .reduce((sum, stats) => sum + (stats.isFile() ? stats.size : 0), 0);
}

let bundled: Template | undefined;

/** The stack synthesized once with its assets built, as `cdk synth` builds them. */
function bundledTemplate(): Template {
  bundled ??= synth({}, { bundling: true, outdir }).template;
  return bundled;
}

/** The folder of the asset of the function whose logical id starts with `prefix`. */
function assetOf(prefix: string): string {
  const [, fn] = onlyResource(bundledTemplate(), 'AWS::Lambda::Function', prefix);
  const { S3Key } = fn['Code'] as { S3Key: string };
  return join(outdir, `asset.${S3Key.replace(/\.zip$/, '')}`);
}

test('esbuild bundles the handler into an ESM index.mjs; parquetjs-lite ships beside it; under 1.5 MB; it loads', async () => {
  const asset = assetOf('ExportFunction');
  expect(readdirSync(asset).sort()).toEqual(['index.mjs', 'index.mjs.map', 'node_modules', 'package.json']);
  // Exactly the packages the bundling installs (with what they need), at the locked versions; nothing else.
  const installed = readdirSync(join(asset, 'node_modules')).filter((name) => name !== '.package-lock.json');
  expect(installed.sort()).toEqual(dependencyClosure(ASSET_NODE_MODULES));
  expect(ASSET_NODE_MODULES).toEqual(['parquetjs-lite']);
  // Its Thrift code (deprecated `new Buffer()`, DEP0005 outside node_modules) is not inlined into the bundle.
  expect(readFileSync(join(asset, 'index.mjs'), 'utf8')).not.toContain('new Buffer(');
  expect(bytesBelow(asset)).toBeLessThan(1.5 * 1024 * 1024);

  // Loading runs the bundled modules in strict mode and resolves parquetjs-lite from the asset's node_modules.
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
  const bundle = (await import(pathToFileURL(join(asset, 'index.mjs')).href)) as { handler?: unknown };
  expect(typeof bundle.handler).toBe('function');
});

test('the backfill planner bundles into a small ESM index.mjs with no node_modules, which plans', async () => {
  const asset = assetOf('BackfillPlanner');
  expect(readdirSync(asset).sort()).toEqual(['index.mjs', 'index.mjs.map']);
  expect(bytesBelow(asset)).toBeLessThan(64 * 1024);
  const bundle = (await import(pathToFileURL(join(asset, 'index.mjs')).href)) as {
    handler: (event: unknown) => Promise<unknown>;
  };
  await expect(
    bundle.handler({
      step: 'plan',
      input: { from: '2025-01-01', to: '2025-01-04', reports: ['calls'] },
      chunkDays: 3,
      reports: ['online_help', 'calls'],
    }),
  ).resolves.toEqual({
    days: 4,
    chunks: [
      { from: '2025-01-02', to: '2025-01-04', reports: ['calls'] },
      { from: '2025-01-01', to: '2025-01-01', reports: ['calls'] },
    ],
  });
});

test('with the banner, parquetjs-lite writes Parquet from an ES module (strict mode)', async () => {
  const entry = join(outdir, 'encode-entry.ts');
  const encoder = fileURLToPath(new URL('../../../functions/export/parquet/encode.ts', import.meta.url));
  const outfile = join(outdir, 'encode.mjs');
  await build({
    stdin: {
      contents: `export { encodeParquet } from ${JSON.stringify(encoder)};`,
      resolveDir: outdir,
      loader: 'ts',
      sourcefile: entry,
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    minify: true,
    banner: { js: ESM_BANNER },
    outfile,
    logLevel: 'silent',
  });
  const { encodeParquet } = (await import(pathToFileURL(outfile).href)) as {
    encodeParquet: (
      columns: typeof ONLINE_HELP.columns,
      rows: readonly Record<string, unknown>[],
    ) => Promise<Uint8Array>;
  };
  const bytes = await encodeParquet(ONLINE_HELP.columns, [
    {
      online_help_id: 1n,
      customer_no: 'C-1',
      customer_name: null,
      agent_id: 'A-1',
      agent_name: null,
      help_state: 'onlinehelp_ended_by_agent',
      help_requested_at: 1_732_400_000_000,
      help_started_at: 1_732_400_001_000,
      help_ended_at: 1_732_400_100_000,
      wait_time_seconds: 1,
      help_time_seconds: 99,
      conversation_detail_link: null,
    },
  ]);
  expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('PAR1');
  expect(new TextDecoder().decode(bytes.subarray(-4))).toBe('PAR1');
});
