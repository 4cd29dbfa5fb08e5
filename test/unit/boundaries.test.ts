import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { boundaries } from '../../eslint.config.js';

/** Only the boundary rules, on the TypeScript parser without type information: fast, and nothing else fires. */
const linter = new ESLint({
  cwd: new URL('../../', import.meta.url).pathname,
  overrideConfigFile: true,
  overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, ...boundaries],
});

/** The messages of the boundary rules for `code` placed at `file` (relative to the repository). */
async function violations(file: string, code: string): Promise<string[]> {
  const [result] = await linter.lintText(code, { filePath: file });
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
}

describe('folder boundaries (eslint.config.js)', () => {
  it.each([
    ['functions/export/core/run.ts', "import { DiyalogClient } from '../diyalog/client.js';", 'imports no adapter'],
    [
      'functions/export/core/paging/harvest-day.ts',
      "import { S3Store } from '../../store/s3.js';",
      'imports no adapter',
    ],
    ['functions/export/core/run.ts', "import { startSimulator } from '../../demo/index.js';", 'imports no adapter'],
    ['functions/export/core/run.ts', "import { readFile } from 'node:fs/promises';", 'does no I/O'],
    ['functions/export/core/run.ts', "import { request } from 'node:http';", 'does no I/O'],
    ['functions/export/core/run.ts', "import { S3Client } from '@aws-sdk/client-s3';", 'no AWS SDK'],
    ['functions/export/core/run.ts', "import parquet from 'parquetjs-lite';", 'no encoder'],
    ['functions/export/core/run.ts', "import { lambdaConfigFromEnv } from '../settings.js';", 'entry points'],
    ['functions/export/core/run.ts', 'export const page = fetch;', "Unexpected use of 'fetch'"],
    ['functions/export/diyalog/client.ts', "import { exportDay } from '../core/export-day.js';", 'wire adapter'],
    ['functions/export/cli.ts', "import { x } from '../../test/support/s3.js';", 'must not import test/'],
    ['bench/run.ts', "import { x } from '../test/support/s3.js';", 'must not import test/'],
    ['infra/app.ts', "import { handler } from '../functions/export/handler.js';", 'only through functions/contract'],
    ['infra/constructs/x.ts', "import { DAY } from '../../functions/export/core/days.js';", 'only through'],
    ['functions/contract/settings.ts', "import { ExportError } from '../export/core/errors.js';", 'nothing outside'],
    ['functions/contract/settings.ts', "import { z } from 'zod';", 'no package'],
    [
      'functions/query/engine.ts',
      "import { exportDay } from '../export/core/export-day.js';",
      'only functions/contract',
    ],
    ['functions/backfill/plan.ts', "import { addDays } from '../export/core/days.js';", 'only functions/contract'],
  ])('%s may not: %s', async (file, code, expected) => {
    const found = await violations(file, code);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(expected);
  });

  it.each([
    ['functions/export/core/export-day.ts', "import { TABLE_NAME } from '../../contract/layout.js';"],
    ['functions/export/core/paging/harvest-day.ts', "import { PARTITION_KEY } from '../../../contract/schema.js';"],
    ['functions/export/core/export-day.ts', "import { createHash } from 'node:crypto';"],
    ['functions/export/diyalog/client.ts', "import { ApiError } from '../core/errors.js';"],
    ['infra/constructs/x.ts', "import { TABLE_NAME } from '../../functions/contract/layout.js';"],
    ['functions/contract/layout.ts', "import type { CalendarDay } from './calendar.js';"],
    ['functions/export/compose.ts', "import { S3Store } from './store/s3.js';"],
  ])('%s may: %s', async (file, code) => {
    expect(await violations(file, code)).toEqual([]);
  });
});
