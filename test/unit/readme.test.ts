import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The README is the operators' and analysts' only manual: every CLI flag, environment variable and CDK context
 * key the code reads must be documented there, and everything documented there must exist.
 */
const root = new URL('../../', import.meta.url).pathname;
const readme = await readFile(join(root, 'README.md'), 'utf8');

async function sources(dir: string): Promise<string> {
  const entries = await readdir(join(root, dir), { recursive: true, withFileTypes: true });
  const files = entries.filter((e) => e.isFile() && e.name.endsWith('.ts'));
  return (await Promise.all(files.map((e) => readFile(join(e.parentPath, e.name), 'utf8')))).join('\n');
}

/** The backticked names at the start of the rows of the README table that follows `heading`. */
function tableKeys(heading: string, pattern: RegExp): Set<string> {
  const start = readme.indexOf(heading);
  expect(start, `README section ${heading}`).toBeGreaterThanOrEqual(0);
  const table =
    readme
      .slice(start)
      .split('\n\n')
      .find((block) => block.trimStart().startsWith('|')) ?? '';
  const keys = new Set<string>();
  for (const line of table.split('\n').slice(2)) {
    const firstCell = line.split(/(?<!\\)\|/)[1] ?? '';
    for (const match of firstCell.matchAll(pattern)) if (match[1]) keys.add(match[1]);
  }
  return keys;
}

/** The option names a `parseArgs({ options: { … } })` call, or the `OPTIONS` object it is given, declares. */
function parseArgsOptions(source: string): Set<string> {
  const block = /(?:options: |const OPTIONS = )\{([\s\S]*?)\n {0,6}\}/.exec(source)?.[1] ?? '';
  return new Set([...block.matchAll(/^\s+'?([a-z][a-z-]*)'?: \{ type:/gm)].map((m) => `--${m[1] ?? ''}`));
}

describe('README ↔ code', () => {
  it('documents exactly the export CLI flags', async () => {
    const code = parseArgsOptions(await readFile(join(root, 'functions/export/cli/options.ts'), 'utf8'));
    expect(code.size).toBeGreaterThanOrEqual(9);
    expect(tableKeys('## CLI', /(--[a-z][a-z-]*)/g)).toEqual(code);
  });

  it('documents the query CLI flags', async () => {
    const code = parseArgsOptions(await readFile(join(root, 'functions/query/cli.ts'), 'utf8'));
    const section = readme.slice(readme.indexOf('### Local SQL'), readme.indexOf('## What it writes'));
    for (const flag of code) expect(section).toContain(flag);
  });

  it('documents exactly the environment variables the exporter reads', async () => {
    // The simulator is left out: its data holds Diyalog's own values, e.g. DIYALOG_STANDART_CALL.
    const exporter = (await Promise.all(['functions/contract', 'functions/export'].map(sources))).join('\n');
    const code = new Set(
      [...exporter.matchAll(/['`"]((?:DIYALOG|EXPORT|AWS_ENDPOINT_URL)[A-Z0-9_]*)['`"]/g)].map((m) => m[1] ?? ''),
    );
    expect(code.size).toBeGreaterThanOrEqual(12);
    expect(tableKeys('### Environment of the Lambda', /`([A-Z][A-Z0-9_]+)`/g)).toEqual(code);
  });

  it('documents exactly the CDK context keys', async () => {
    const settings = await readFile(join(root, 'infra/settings.ts'), 'utf8');
    const code = new Set([...settings.matchAll(/\b(?:read|need)\('([a-zA-Z]+)'\)/g)].map((m) => m[1] ?? ''));
    expect(code.size).toBeGreaterThanOrEqual(12);
    expect(tableKeys('### CDK context', /^\s*`([a-zA-Z]+)`/g)).toEqual(code);
  });

  it('states the two set-up commands', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm test');
  });
});
