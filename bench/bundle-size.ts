import { stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { ESM_BANNER } from '../infra/esm-banner.js';
import { PROJECT_ROOT } from './config.js';

/**
 * Left out of the bundle: the AWS SDK v3 as infra's `bundleAwsSDK: false` does (the Lambda runtime provides it),
 * and DuckDB, whose native addon cannot be bundled (only the bench's DuckDB scenario imports it).
 */
const EXTERNAL_PACKAGES = ['@aws-sdk/*', '@smithy/*', '@duckdb/*'];

export interface BuiltBundle {
  readonly path: string;
  readonly bytes: number;
  readonly metafile: Metafile;
}

export interface BundleOptions {
  /** Also write a linked source map, as infra does (the bundle's size is measured without one). */
  readonly sourceMap: boolean;
}

/**
 * Bundles `entry` (relative to the project root) as infra/constructs/export-function.ts has CDK bundle the
 * handler (platform node, ESM, minified, the runtime's AWS SDK external, `module` before `main`, infra's ESM
 * banner) into `outDir/<entry name>.mjs`.
 */
export async function bundleLikeLambda(entry: string, outDir: string, options: BundleOptions): Promise<BuiltBundle> {
  const path = join(outDir, `${basename(entry, extname(entry))}.mjs`);
  const result = await build({
    entryPoints: [join(PROJECT_ROOT, entry)],
    absWorkingDir: PROJECT_ROOT,
    outfile: path,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    minify: true,
    sourcemap: options.sourceMap ? 'linked' : false,
    sourcesContent: false,
    external: EXTERNAL_PACKAGES,
    mainFields: ['module', 'main'],
    banner: { js: ESM_BANNER },
    metafile: true,
    logLevel: 'error',
  });
  return { path, bytes: (await stat(path)).size, metafile: result.metafile };
}

/** Bytes of the minified output by package (`functions/…` for our own code), largest first. */
export function bytesByPackage(metafile: Metafile, limit: number): { name: string; bytes: number }[] {
  const totals = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = packageOf(input);
      totals.set(name, (totals.get(name) ?? 0) + bytesInOutput);
    }
  }
  return [...totals]
    .map(([name, bytes]) => ({ name, bytes }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, limit);
}

function packageOf(input: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  return match?.[1] ?? input.split('/').slice(0, 2).join('/');
}
