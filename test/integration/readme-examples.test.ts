import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../functions/export/cli.js';
import { runQuery } from '../../functions/query/cli.js';

/** The analyst's path through the README, verbatim: a demo export, then the README's SQL against it. */
const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
const sqlBlocks = [...readme.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
/** Blocks marked `sql athena` use functions DuckDB lacks (hmac_sha256): they are checked for shape only. */
const athenaOnlyBlocks = [...readme.matchAll(/```sql athena\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
const suggested = /npm run query -- "([^"]+)"/.exec(readme)?.[1] ?? '';
let root = '';

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'readme-'));
  const status = await runCli(
    ['--demo', '--date', '2025-11-23', '--out', root],
    {},
    { out: () => undefined, err: () => undefined },
  );
  expect(status).toBe(0);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function query(sql: string): Promise<{ status: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const status = await runQuery(['--root', root, sql], { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { status, out, err };
}

describe('README examples run as written', () => {
  it('has the examples this test runs', () => {
    expect(sqlBlocks.length).toBeGreaterThanOrEqual(1);
    expect(suggested).toContain('FROM online_help');
  });

  it('runs the query that the quick start suggests', async () => {
    const result = await query(suggested);
    expect(result.err).toEqual([]);
    expect(result.status).toBe(0);
    expect(result.out.join('\n')).toContain('onlinehelp_ended_by_agent');
  });

  it('looks a person up with the pseudonym as the export computes it: HMAC-SHA256 keyed by the key, hex', () => {
    expect(athenaOnlyBlocks).toHaveLength(1);
    expect(athenaOnlyBlocks[0]).toContain("lower(to_hex(hmac_sha256(to_utf8('2337368'), to_utf8('<key>'))))");
  });

  it('runs every Athena statement of the README locally, without the database prefix', async () => {
    const statements = sqlBlocks
      .flatMap((block) => block.split(';'))
      .map((statement) => statement.replace(/^\s*--.*$/gm, '').trim())
      .filter(Boolean);
    expect(statements.length).toBeGreaterThanOrEqual(2);
    for (const statement of statements) {
      const result = await query(statement.replaceAll('"diyalog".', ''));
      expect(result.err, statement).toEqual([]);
      expect(result.status).toBe(0);
      expect(result.out.at(-1)).toMatch(/^\((?:[1-9]\d*) rows?\)$/);
    }
  });
});
