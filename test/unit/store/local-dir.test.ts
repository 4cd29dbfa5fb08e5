import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ObjectStore } from '../../../functions/export/core/ports.js';
import { LocalDirStore } from '../../../functions/export/store/local-dir.js';

const PARQUET = 'application/vnd.apache.parquet';

let root: string;
let store: ObjectStore;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'local-dir-store-'));
  store = new LocalDirStore(root);
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const read = (key: string): Promise<string> => readFile(join(root, ...key.split('/')), 'utf8');
const sorted = (keys: readonly string[]): string[] => [...keys].sort();

describe('LocalDirStore', () => {
  it('puts, lists and deletes objects', async () => {
    await store.put('a.txt', bytes('first'), 'text/plain');
    await store.put('b.txt', bytes('second'), 'text/plain');

    expect(await read('a.txt')).toBe('first');
    expect(sorted(await store.list(''))).toEqual(['a.txt', 'b.txt']);

    await store.delete(['a.txt']);
    expect(await store.list('')).toEqual(['b.txt']);
    await expect(readFile(join(root, 'a.txt'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('creates folders for nested keys and lists keys relative to the root with "/"', async () => {
    await store.put('sessions/dt=2025-11-23/part-0.parquet', bytes('p23'), PARQUET);
    await store.put('sessions/dt=2025-11-24/part-0.parquet', bytes('p24'), PARQUET);
    await store.put('sessions/dt=2025-11-24/deep/er/x.json', bytes('{}'), 'application/json');
    await store.put('runs/dt=2025-11-24/run.json', bytes('{}'), 'application/json');

    expect(await read('sessions/dt=2025-11-24/part-0.parquet')).toBe('p24');
    expect(sorted(await store.list('sessions/dt=2025-11-24/'))).toEqual([
      'sessions/dt=2025-11-24/deep/er/x.json',
      'sessions/dt=2025-11-24/part-0.parquet',
    ]);
    expect(sorted(await store.list('sessions/dt=2025-11-24'))).toEqual([
      'sessions/dt=2025-11-24/deep/er/x.json',
      'sessions/dt=2025-11-24/part-0.parquet',
    ]);
    expect(sorted(await store.list('sessions'))).toHaveLength(3);
    expect(sorted(await store.list(''))).toEqual([
      'runs/dt=2025-11-24/run.json',
      'sessions/dt=2025-11-23/part-0.parquet',
      'sessions/dt=2025-11-24/deep/er/x.json',
      'sessions/dt=2025-11-24/part-0.parquet',
    ]);
  });

  it('lists a missing prefix as empty', async () => {
    expect(await store.list('sessions/dt=1999-01-01/')).toEqual([]);
    expect(await store.list('')).toEqual([]);
  });

  it('works when the root folder does not exist yet', async () => {
    const nested: ObjectStore = new LocalDirStore(join(root, 'not', 'yet'));
    expect(await nested.list('')).toEqual([]);
    await nested.put('k/v.bin', bytes('v'), 'application/octet-stream');
    expect(await nested.list('')).toEqual(['k/v.bin']);
  });

  it('does not list dot-files (temporary files)', async () => {
    await store.put('dt=2025-11-24/part-0.parquet', bytes('p'), PARQUET);
    await writeFile(join(root, 'dt=2025-11-24', '.0d5c7a.tmp'), 'partial');
    await writeFile(join(root, '.DS_Store'), 'x');

    expect(await store.list('dt=2025-11-24/')).toEqual(['dt=2025-11-24/part-0.parquet']);
    expect(await store.list('')).toEqual(['dt=2025-11-24/part-0.parquet']);
  });

  it('does not list folders', async () => {
    await mkdir(join(root, 'dt=2025-11-24', 'empty'), { recursive: true });
    expect(await store.list('')).toEqual([]);
  });

  it('replaces an object whole and leaves no temporary file behind', async () => {
    await store.put('dt=2025-11-24/part-0.parquet', bytes('a much longer first version'), PARQUET);
    await store.put('dt=2025-11-24/part-0.parquet', bytes('v2'), PARQUET);

    expect(await read('dt=2025-11-24/part-0.parquet')).toBe('v2');
    expect(await readdir(join(root, 'dt=2025-11-24'))).toEqual(['part-0.parquet']);
  });

  it('removes its temporary file when the final rename fails', async () => {
    await store.put('taken/child.txt', bytes('child'), 'text/plain');

    // "taken" is a folder, so the rename onto it fails after the temporary file was written.
    await expect(store.put('taken', bytes('file'), 'text/plain')).rejects.toThrow();
    expect(await readdir(root)).toEqual(['taken']);
    expect(await readdir(join(root, 'taken'))).toEqual(['child.txt']);
  });

  it('writes bytes exactly', async () => {
    const body = Uint8Array.from({ length: 256 }, (_, i) => i);
    await store.put('bin/all-bytes', body, 'application/octet-stream');
    expect(new Uint8Array(await readFile(join(root, 'bin', 'all-bytes')))).toEqual(body);
  });

  it('ignores the deletion of missing keys and an empty list', async () => {
    await store.put('keep.txt', bytes('k'), 'text/plain');
    await store.delete([]);
    await store.delete(['gone.txt', 'no/such/dir/file.txt']);
    expect(await store.list('')).toEqual(['keep.txt']);
  });

  it('deletes several keys at once', async () => {
    for (const key of ['d/1', 'd/2', 'd/3']) await store.put(key, bytes(key), 'text/plain');
    await store.delete(['d/1', 'd/3']);
    expect(await store.list('d/')).toEqual(['d/2']);
  });

  it('locates a key as an absolute path under the root', () => {
    expect(store.locate('sessions/dt=2025-11-24/part-0.parquet')).toBe(
      join(root, 'sessions', 'dt=2025-11-24', 'part-0.parquet'),
    );
  });

  it('resolves a relative root to an absolute one', () => {
    const relativeStore = new LocalDirStore('exports');
    expect(relativeStore.locate('x/y')).toBe(join(process.cwd(), 'exports', 'x', 'y'));
  });

  it('accepts keys below the file-system root when the root is /', () => {
    expect(new LocalDirStore('/').locate('exports/a.parquet')).toBe('/exports/a.parquet');
  });

  describe('refuses keys that escape the root', () => {
    const escaping = ['../x', '../../etc/passwd', 'a/../../x', '/etc/passwd', '..'];

    it.each(escaping)('put %j', async (key) => {
      await expect(store.put(key, bytes('evil'), 'text/plain')).rejects.toThrow(/escapes the root/);
    });

    it.each(escaping)('list %j', async (key) => {
      await expect(store.list(key)).rejects.toThrow(/escapes the root/);
    });

    it.each(escaping)('delete %j', async (key) => {
      await expect(store.delete(['ok.txt', key])).rejects.toThrow(/escapes the root/);
    });

    it.each(escaping)('locate %j', (key) => {
      expect(() => store.locate(key)).toThrow(/escapes the root/);
    });

    it('writes nothing outside the root', async () => {
      const sibling = `${root}-sibling`;
      await expect(store.put(`../${basename(sibling)}/x`, bytes('evil'), 'text/plain')).rejects.toThrow(
        /escapes the root/,
      );
      await expect(readdir(sibling)).rejects.toMatchObject({ code: 'ENOENT' });
    });

    it('accepts a key that only looks like an escape', async () => {
      await store.put('a/../b.txt', bytes('b'), 'text/plain');
      await store.put('..hidden-not/x', bytes('x'), 'text/plain');
      expect(sorted(await store.list(''))).toEqual(['..hidden-not/x', 'b.txt']);
    });
  });
});
