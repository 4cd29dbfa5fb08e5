import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { measureInit } from './bundle-init.js';
import { bundleLikeLambda, bytesByPackage } from './bundle-size.js';
import { PROJECT_ROOT } from './config.js';
import type { BundleMeasure } from './results.js';

/**
 * The Lambda bundle: its size, and cold imports in fresh processes. The runtime's AWS SDK, which the bundle
 * leaves out, is resolved from the project's node_modules linked beside it, as Lambda provides it beside the code.
 */
export async function measureBundle(tmp: string, progress: (line: string) => void): Promise<BundleMeasure> {
  progress('bundle: esbuild as infra bundles the function, then cold imports');
  const dir = join(tmp, 'bundle');
  await mkdir(dir);
  const bundle = await bundleLikeLambda('functions/export/handler.ts', dir, { sourceMap: false });
  await symlink(join(PROJECT_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return {
    specified: {
      name: 'handler (runtime AWS SDK external)',
      bytes: bundle.bytes,
      init: await measureInit(bundle.path),
    },
    topPackages: bytesByPackage(bundle.metafile, 8),
  };
}
