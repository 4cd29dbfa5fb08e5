import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join, parse, relative, resolve, sep } from 'node:path';
import { StoreError } from '../core/errors.js';
import type { ObjectStore } from '../core/ports.js';

/** The export root as a local folder, with the same key layout as S3. */
export class LocalDirStore implements ObjectStore {
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    const path = this.pathOf(key);
    // Written beside the target under a dot-name, then renamed: rename is atomic within a file system.
    const temporary = join(dirname(path), `.${randomUUID()}.tmp`);
    await described(`writing ${path}`, async () => {
      await makeDirectories(dirname(path));
      try {
        await writeFile(temporary, body);
        await rename(temporary, path);
      } catch (error) {
        await rm(temporary, { force: true });
        throw error;
      }
    });
  }

  async list(prefix: string): Promise<string[]> {
    const directory = this.pathOf(prefix.replace(/\/+$/, ''));
    const entries = await described(`listing ${directory}`, async () => {
      try {
        return await readdir(directory, { recursive: true, withFileTypes: true });
      } catch (error) {
        if (isMissing(error)) return [];
        throw error;
      }
    });
    return entries
      .filter((entry) => entry.isFile() && !entry.name.startsWith('.'))
      .map((entry) => relative(this.root, join(entry.parentPath, entry.name)).split(sep).join('/'));
  }

  /** Deletes the objects, and the folders that this leaves empty below the root: S3 has no empty folders either. */
  async delete(keys: readonly string[]): Promise<void> {
    const paths = keys.map((key) => this.pathOf(key));
    await Promise.all(paths.map((path) => described(`deleting ${path}`, () => rm(path, { force: true }))));
    for (const path of paths) await this.removeEmptyFoldersAbove(path);
  }

  locate(key: string): string {
    return this.pathOf(key);
  }

  private async removeEmptyFoldersAbove(path: string): Promise<void> {
    for (let folder = dirname(path); folder.startsWith(this.root + sep); folder = dirname(folder)) {
      try {
        await rmdir(folder);
      } catch {
        return; // not empty (or already gone): the folders above it are not empty either
      }
    }
  }

  private pathOf(key: string): string {
    const path = resolve(this.root, key);
    const inside = this.root.endsWith(sep) ? this.root : this.root + sep;
    if (path !== this.root && !path.startsWith(inside)) throw new StoreError(`key "${key}" escapes the root`);
    return path;
  }
}

/** Runs a file-system step, reporting its failure as a {@link StoreError} that says what was being done. */
async function described<T>(doing: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new StoreError(`${doing}: ${reason}`, { cause: error });
  }
}

/**
 * `mkdir -p`, one folder at a time from the top. Node's `mkdir(…, { recursive: true })` loops for ever on some
 * paths it cannot create (under /proc it gets ENOENT, climbs to the parent, finds it exists, and tries again);
 * this fails with the first folder that cannot be made.
 */
async function makeDirectories(path: string): Promise<void> {
  const { root } = parse(path);
  let current = root;
  for (const segment of path.slice(root.length).split(sep).filter(Boolean)) {
    current = join(current, segment);
    try {
      await mkdir(current);
    } catch (error) {
      if (!hasCode(error, 'EEXIST')) throw error;
    }
  }
}

function isMissing(error: unknown): boolean {
  return hasCode(error, 'ENOENT');
}

function hasCode(error: unknown, code: string): boolean {
  return error instanceof Error && 'code' in error && error.code === code;
}
