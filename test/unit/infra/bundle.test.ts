import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, expect, test, vi } from 'vitest';
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

test('esbuild bundles the handler into an ESM index.mjs under 1.5 MB that loads', async () => {
  const { template } = synth({}, { bundling: true, outdir });

  const [, fn] = onlyResource(template, 'AWS::Lambda::Function', 'ExportFunction');
  const { S3Key } = fn['Code'] as { S3Key: string };
  const asset = join(outdir, `asset.${S3Key.replace(/\.zip$/, '')}`);
  const files = readdirSync(asset).sort();
  expect(files).toEqual(['index.mjs', 'index.mjs.map']);
  const bytes = files.reduce((sum, file) => sum + statSync(join(asset, file)).size, 0);
  expect(bytes).toBeLessThan(1.5 * 1024 * 1024);

  // Loading runs every bundled CommonJS module in strict mode, through the banner's `require` and globals.
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
  const bundle = (await import(pathToFileURL(join(asset, 'index.mjs')).href)) as { handler?: unknown };
  expect(typeof bundle.handler).toBe('function');
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
    encodeParquet: (rows: readonly Record<string, unknown>[]) => Promise<Uint8Array>;
  };
  const bytes = await encodeParquet([
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
