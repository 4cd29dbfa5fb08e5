import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

/**
 * An import whose path matches `regex` is refused in the files of a boundary, with `message`.
 * @param {string} regex
 * @param {string} message
 */
const forbid = (regex, message) => ({ regex, message });

/** Production code never loads test code. */
const NO_TEST_CODE = forbid(
  '^(\\.\\./)+test/',
  'Production code must not import test/; move what it needs out of test/.',
);

/**
 * The folder boundaries of docs/architecture.md, enforced: each entry's files may not import what `patterns`
 * match. Paths are as written in the import, relative to the importing file.
 */
const BOUNDARIES = [
  {
    files: ['functions/**/*.ts', 'infra/**/*.ts', 'bench/**/*.ts', 'bin/**/*.js'],
    patterns: [NO_TEST_CODE],
  },
  {
    // Shared by synth and runtime: it depends on nothing else of ours and on no package.
    files: ['functions/contract/**/*.ts'],
    patterns: [
      NO_TEST_CODE,
      forbid('^\\.\\./', 'functions/contract imports nothing outside itself.'),
      forbid('^(?!\\.|node:)', 'functions/contract imports no package.'),
    ],
  },
  {
    // The export itself: ports and the contract only, no adapter, no I/O library.
    files: ['functions/export/core/**/*.ts'],
    patterns: [
      NO_TEST_CODE,
      forbid(
        '^(\\.\\./)+(diyalog|store|parquet|aws|demo|query)/',
        'core/ imports no adapter: define a port in core/ports.ts and wire it in compose.ts.',
      ),
      forbid('^(\\.\\./)+(compose|handler|cli|settings)\\.js$', 'core/ does not depend on the entry points.'),
      forbid('^node:(fs|http|https|net|child_process)', 'core/ does no I/O; the adapters do, behind ports.'),
      forbid('^(@aws-sdk|@smithy|@aws-lambda-powertools|@duckdb)/', 'core/ imports no AWS SDK, Powertools or DuckDB.'),
      forbid('^(parquetjs-lite|lossless-json)', 'core/ imports no encoder or wire parser; adapters do.'),
    ],
    globals: ['fetch'],
  },
  {
    // The wire adapter: it implements core's ports and uses its errors, nothing else of the core.
    files: ['functions/export/diyalog/**/*.ts'],
    patterns: [
      NO_TEST_CODE,
      forbid(
        '^\\.\\./core/(?!(errors|ports|json)\\.js$)',
        'diyalog/ is the wire adapter: only core/ports, errors and json.',
      ),
      forbid('^\\.\\./(store|parquet|aws|compose|handler|cli|settings)', 'diyalog/ knows no other adapter.'),
    ],
  },
  {
    // The backfill state machine's planner: pure date math on the contract's limits, nothing of the exporter.
    files: ['functions/backfill/**/*.ts'],
    patterns: [NO_TEST_CODE, forbid('^\\.\\./(?!contract/)', 'backfill/ imports only functions/contract.')],
  },
  {
    // npm run query reads the export's layout from the contract; it knows nothing of the exporter.
    files: ['functions/query/**/*.ts'],
    patterns: [
      NO_TEST_CODE,
      forbid('^\\.\\./(?!contract/|shared/)', 'query/ imports only functions/contract and functions/shared.'),
    ],
  },
  {
    // Infra and runtime meet in one module; the Lambda's code is bundled from its entry file, never imported.
    files: ['infra/**/*.ts'],
    patterns: [
      NO_TEST_CODE,
      forbid('^(\\.\\./)+functions/(?!contract/)', 'infra/ imports from functions/ only through functions/contract.'),
    ],
  },
];

/** The boundaries as flat-config objects; a test lints deliberate violations with them. */
export const boundaries = BOUNDARIES.map(({ files, patterns, globals = [] }) => ({
  files,
  rules: {
    'no-restricted-imports': ['error', { patterns }],
    ...(globals.length > 0 ? { 'no-restricted-globals': ['error', ...globals] } : {}),
  },
}));

export default defineConfig(
  { ignores: ['node_modules', 'cdk.out', 'exports', 'coverage', 'dist'] },
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', 'bin/*.js', 'scripts/*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector:
            'Program > VariableDeclaration MemberExpression[object.object.name="process"][object.property.name="env"]',
          message: 'Read process.env in config parsing, not at module top level.',
        },
      ],
    },
  },
  ...boundaries,
);
