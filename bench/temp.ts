import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One temporary folder for the whole bench run; scenarios make theirs inside it. */
export interface BenchTemp {
  readonly path: string;
  /** Removes the folder and everything in it; idempotent, synchronous so that it also works on exit. */
  remove(): void;
}

export function createBenchTemp(): BenchTemp {
  const path = mkdtempSync(join(tmpdir(), 'diyalog-bench-'));
  return {
    path,
    remove: () => {
      rmSync(path, { recursive: true, force: true });
    },
  };
}
