import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Store } from '../../functions/export/store/s3.js';
import { startLocalS3, type LocalS3 } from '../support/s3.js';

let s3: LocalS3;
const sentHeaders: Record<string, string>[] = [];

beforeAll(async () => {
  s3 = await startLocalS3();
  s3.client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers?: Record<string, string> };
      if (request.headers) sentHeaders.push({ ...request.headers });
      return next(args);
    },
    { step: 'finalizeRequest', name: 'captureHeaders' },
  );
});
afterAll(async () => {
  await s3.stop();
});

describe('S3Store through s3rver with the real SDK', () => {
  it('puts each object in one PutObject carrying its SHA-256 checksum, below the prefix', async () => {
    const store = new S3Store(s3.client, s3.bucket, '/exports/root/');
    const body = new TextEncoder().encode('PAR1 fake parquet bytes PAR1');
    sentHeaders.length = 0;
    await store.put('online_help/dt=2025-11-23/sessions.parquet', body, 'application/vnd.apache.parquet');
    expect(sentHeaders).toHaveLength(1);
    expect(sentHeaders[0]?.['x-amz-checksum-sha256']).toBe(createHash('sha256').update(body).digest('base64'));
    expect(await s3.keys()).toContain('exports/root/online_help/dt=2025-11-23/sessions.parquet');
    expect(await s3.get('exports/root/online_help/dt=2025-11-23/sessions.parquet')).toEqual(body);
  });

  it('lists relative to the root and deletes', async () => {
    const store = new S3Store(s3.client, s3.bucket, 'p');
    await store.put('online_help/dt=2025-11-24/a.parquet', new Uint8Array([1]), 'application/octet-stream');
    await store.put('online_help/dt=2025-11-24/b.parquet', new Uint8Array([2]), 'application/octet-stream');
    await store.put('online_help/dt=2025-11-25/c.parquet', new Uint8Array([3]), 'application/octet-stream');
    expect((await store.list('online_help/dt=2025-11-24/')).sort()).toEqual([
      'online_help/dt=2025-11-24/a.parquet',
      'online_help/dt=2025-11-24/b.parquet',
    ]);
    await store.delete(['online_help/dt=2025-11-24/a.parquet', 'online_help/dt=2025-11-24/b.parquet']);
    expect(await store.list('online_help/dt=2025-11-24/')).toEqual([]);
    expect(await store.list('online_help/')).toEqual(['online_help/dt=2025-11-25/c.parquet']);
    expect(store.locate('online_help/x')).toBe(`s3://${s3.bucket}/p/online_help/x`);
  });

  it('refuses keys that climb out of the prefix', async () => {
    const store = new S3Store(s3.client, s3.bucket, 'p');
    await expect(store.put('../escape', new Uint8Array(), 'text/plain')).rejects.toThrow('escapes the prefix');
  });
});
