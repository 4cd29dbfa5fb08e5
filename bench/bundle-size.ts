import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { ESM_BANNER } from '../infra/esm-banner.js';
import { PROJECT_ROOT } from './scenario.js';

/** Left out of the bundle as infra's `bundleAwsSDK: false` does: the Lambda runtime provides AWS SDK v3. */
const RUNTIME_PACKAGES = ['@aws-sdk/*', '@smithy/*'];

export interface BuiltBundle {
  readonly path: string;
  readonly bytes: number;
  readonly metafile: Metafile;
}

/**
 * Bundles the Lambda handler as infra/constructs/export-function.ts has CDK do it (platform node, ESM, minified,
 * the runtime's AWS SDK external, `module` before `main`, infra's ESM banner), without a source map, into
 * `outDir/index.mjs`.
 */
export async function bundleHandler(outDir: string): Promise<BuiltBundle> {
  const path = join(outDir, 'index.mjs');
  const result = await build({
    entryPoints: [join(PROJECT_ROOT, 'functions/export/handler.ts')],
    absWorkingDir: PROJECT_ROOT,
    outfile: path,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    minify: true,
    sourcemap: false,
    external: RUNTIME_PACKAGES,
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
