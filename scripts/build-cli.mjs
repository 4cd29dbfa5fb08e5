#!/usr/bin/env node
/**
 * The built CLIs: esbuild bundles our TypeScript (functions/export/cli.ts, functions/query/cli.ts) into
 * dist/*.mjs, packages left in node_modules, and the launchers in bin/ run that JavaScript with plain Node, no tsx.
 * The heavy packages (AWS SDK, parquetjs-lite, DuckDB) load when first used, so `--help` loads none of them.
 *
 * A stale build never runs: the build records a SHA-256 of every file it compiled (as esbuild loaded it) and of
 * the files that steer it, and {@link runBuilt} hashes them again at each start (a few milliseconds), rebuilding
 * first when any differs. `node scripts/build-cli.mjs` builds unconditionally (`npm run build`, and `prepare` on
 * `npm ci`, where `--if-esbuild` lets an install without dev dependencies pass).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { fileURLToPath, pathToFileURL, URL } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
/** Where the build goes (gitignored). */
export const DIST = join(ROOT, 'dist');
/** Output name (dist/<name>.mjs) → TypeScript entry. */
export const ENTRIES = Object.freeze({
  'export-cli': 'functions/export/cli.ts',
  'query-cli': 'functions/query/cli.ts',
});
/**
 * What the build read besides the sources: its own options, the settings esbuild takes from tsconfig.json and
 * package.json, and the lockfile (an upgrade may turn a CommonJS package into an ES module, see
 * {@link commonJsPackages}). A file missing here is skipped (an installed package has no lockfile).
 */
const BUILD_FILES = ['scripts/build-cli.mjs', 'tsconfig.json', 'package.json', 'package-lock.json'];
/**
 * Defines `require` in every output file, for the packages that {@link commonJsPackages} loads with it. A module
 * scope `const`: esbuild's `__require` helper looks for a `require` in scope.
 */
const REQUIRE_BANNER =
  "import { createRequire as __cliCreateRequire } from 'node:module'; const require = __cliCreateRequire(import.meta.url);";
const INFO_FILE = 'build-info.json';
/** The export names of the {@link LAZY_PACKAGES}, by package version: reading them means loading the package. */
const EXPORT_NAMES_FILE = 'package-exports.json';
/**
 * Packages loaded when the CLI first uses them rather than at its start (see {@link commonJsPackages}): the heavy
 * ones, none of which does anything on load that we rely on. `--help` and a mistyped flag then load none of them.
 */
const LAZY_PACKAGES = ['@aws-sdk/client-s3', '@aws-sdk/client-secrets-manager', '@duckdb/node-api', 'parquetjs-lite'];
/** Bumped when the layout of dist/ or of {@link INFO_FILE} changes. */
const FORMAT = 1;
/** Outputs of earlier builds are kept this long: a process started before a rebuild may still import its chunks. */
const KEEP_OLD_OUTPUTS_MS = 24 * 3_600_000;

/**
 * @typedef {object} BuildInfo
 * @property {number} format
 * @property {Record<string, string>} inputs  path relative to the root → SHA-256 (hex) of the bytes built
 * @property {string[]} outputs  paths relative to dist/
 */

/** @param {string | Uint8Array} bytes */
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
/** @param {string} path */
const fromRoot = (path) => relative(ROOT, path).split(sep).join('/');

/**
 * Why dist/ may not run as it is, or undefined when it is up to date with the sources.
 * @returns {string | undefined}
 */
export function staleReason() {
  /** @type {unknown} */
  let parsed;
  try {
    parsed = JSON.parse(readFileSync(join(DIST, INFO_FILE), 'utf8'));
  } catch {
    return 'dist/ has not been built';
  }
  const info = /** @type {Partial<BuildInfo>} */ (parsed);
  if (info.format !== FORMAT || !info.inputs || !Array.isArray(info.outputs)) {
    return 'dist/ was built by another version of the build';
  }
  for (const [path, hash] of Object.entries(info.inputs)) {
    /** @type {Buffer} */
    let bytes;
    try {
      bytes = readFileSync(join(ROOT, path));
    } catch {
      return `${path} is gone`;
    }
    if (sha256(bytes) !== hash) return `${path} changed`;
  }
  for (const output of info.outputs) {
    try {
      statSync(join(DIST, output));
    } catch {
      return `dist/${output} is missing`;
    }
  }
  return undefined;
}

/**
 * Bundles {@link ENTRIES} into {@link DIST}: platform node, ESM `.mjs`, every package external (they load from
 * node_modules as usual: DuckDB's native binding, the AWS SDK, parquetjs-lite; see {@link commonJsPackages} for
 * how), code splitting so that a dynamic `import()` stays lazy (the demo summary and its DuckDB load only after a
 * demo export), linked source maps.
 * Files are written beside their final names and renamed into place, the entries and then the build record last,
 * so that a CLI starting meanwhile sees the old build or the new one, never half of one.
 * @returns {Promise<{ ms: number, outputs: string[] }>}
 */
export async function build() {
  const started = performance.now();
  const { build: esbuild } = await import('esbuild');
  const exportNamesCache = readExportNamesCache();
  /** @type {Record<string, string>} */
  const inputs = {};
  for (const file of BUILD_FILES) {
    try {
      inputs[file] = sha256(readFileSync(join(ROOT, file)));
    } catch {
      // not there: nothing to record
    }
  }
  const result = await esbuild({
    entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([name, entry]) => [name, join(ROOT, entry)])),
    absWorkingDir: ROOT,
    outdir: DIST,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    sourcesContent: false,
    metafile: true,
    write: false,
    logLevel: 'warning',
    banner: { js: REQUIRE_BANNER },
    plugins: [
      commonJsPackages(exportNamesCache),
      {
        name: 'record-inputs',
        setup(plugin) {
          // esbuild compiles exactly the bytes read here, so the recorded hash is of what was built.
          plugin.onLoad({ filter: /\.[cm]?[jt]s$/, namespace: 'file' }, (args) => {
            const contents = readFileSync(args.path);
            inputs[fromRoot(args.path)] = sha256(contents);
            return { contents, loader: /\.[cm]?ts$/.test(args.path) ? 'ts' : 'js' };
          });
        },
      },
    ],
  });
  const files = result.outputFiles.map((file) => ({ file, output: relative(DIST, file.path).split(sep).join('/') }));
  // The entries last: what they import is in place before they are.
  const isEntry = (/** @type {string} */ output) => !output.includes('/') && output.endsWith('.mjs');
  for (const { file, output } of files.filter((f) => !isEntry(f.output))) writeAtomically(output, file.contents);
  for (const { file, output } of files.filter((f) => isEntry(f.output))) writeAtomically(output, file.contents);
  const outputs = files.map((f) => f.output);
  writeAtomically('meta.json', JSON.stringify(result.metafile));
  writeAtomically(EXPORT_NAMES_FILE, JSON.stringify(exportNamesCache));
  /** @type {BuildInfo} */
  const info = { format: FORMAT, inputs, outputs };
  writeAtomically(INFO_FILE, `${JSON.stringify(info, null, 2)}\n`);
  pruneOldOutputs(new Set([...outputs, 'meta.json', EXPORT_NAMES_FILE, INFO_FILE]));
  return { ms: performance.now() - started, outputs };
}

/**
 * Loads the CommonJS packages (the AWS SDK clients, parquetjs-lite, lossless-json's CommonJS build, DuckDB) with
 * `require()`, from node_modules as usual, instead of `import`: for an `import` of CommonJS, Node's ES module
 * loader first scans the package's source for its export names (cjs-module-lexer), which for the AWS SDK's
 * single-file builds costs about a third of loading it. esbuild's CommonJS interop gives the same named
 * imports, and the same default import (`module.exports`, as Node gives it, since our sources are ES modules).
 * A package that `require` cannot load (ES module only) stays an `import`; so do dynamic `import()`s.
 *
 * The {@link LAZY_PACKAGES} load on first use instead of at start (as Babel's `lazy` CommonJS option does): their
 * module object is stood in for by one with a getter per export name, which `require`s the package when first
 * read. The names are taken from the package itself at build time (cached in dist/ by package version).
 * @param {Record<string, ExportNames>} exportNamesCache  specifier → names, updated in place
 * @returns {import('esbuild').Plugin}
 */
function commonJsPackages(exportNamesCache) {
  const requireFromRoot = createRequire(join(ROOT, 'package.json'));
  const namespace = 'commonjs-package';
  return {
    name: namespace,
    setup(plugin) {
      plugin.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.namespace === namespace) return { path: args.path, external: true };
        if (args.kind !== 'import-statement' || isBuiltin(args.path) || !isCommonJs(requireFromRoot, args.path)) {
          return undefined;
        }
        return { path: args.path, namespace };
      });
      plugin.onLoad({ filter: /.*/, namespace }, (args) => {
        const specifier = JSON.stringify(args.path);
        if (!LAZY_PACKAGES.includes(packageName(args.path))) {
          return { contents: `module.exports = require(${specifier});`, loader: 'js' };
        }
        const names = exportNames(requireFromRoot, args.path, exportNamesCache);
        return {
          contents: [
            'let loaded;',
            'const lazy = {};',
            `for (const name of ${JSON.stringify(names)}) {`,
            `  Object.defineProperty(lazy, name, { get: () => (loaded ??= require(${specifier}))[name], enumerable: true });`,
            '}',
            'module.exports = lazy;',
          ].join('\n'),
          loader: 'js',
        };
      });
    },
  };
}

/** @returns {Record<string, ExportNames>} */
function readExportNamesCache() {
  try {
    /** @type {unknown} */
    const cache = JSON.parse(readFileSync(join(DIST, EXPORT_NAMES_FILE), 'utf8'));
    return /** @type {Record<string, ExportNames>} */ (cache);
  } catch {
    return {}; // the first build
  }
}

/**
 * @typedef {object} ExportNames
 * @property {string} version  of the package the names were read from
 * @property {string[]} names
 */

/**
 * The own property names of what `require(specifier)` returns, from the cache when the package's version is the
 * same, else by requiring it here.
 * @param {NodeRequire} requireFromRoot
 * @param {string} specifier
 * @param {Record<string, ExportNames>} cache
 * @returns {string[]}
 */
function exportNames(requireFromRoot, specifier, cache) {
  const version = packageVersion(requireFromRoot.resolve(specifier), packageName(specifier));
  const cached = cache[specifier];
  if (cached?.version === version) return cached.names;
  /** @type {unknown} */
  const loaded = requireFromRoot(specifier);
  const names = Object.getOwnPropertyNames(loaded).sort();
  cache[specifier] = { version, names };
  return names;
}

/**
 * `@scope/name` or `name` of a bare specifier.
 * @param {string} specifier
 */
function packageName(specifier) {
  return specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');
}

/**
 * The version in the package.json of package `name` that holds the file at `path`.
 * @param {string} path
 * @param {string} name
 * @returns {string}
 */
function packageVersion(path, name) {
  for (let dir = dirname(path); dirname(dir) !== dir; dir = dirname(dir)) {
    try {
      /** @type {unknown} */
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      const { name: found, version } = /** @type {{ name?: unknown, version?: unknown }} */ (manifest);
      if (found === name && typeof version === 'string') return version;
    } catch {
      // no package.json here
    }
  }
  return 'unknown';
}

/**
 * Whether `require(specifier)` from the project root loads a CommonJS module.
 * @param {NodeRequire} requireFromRoot
 * @param {string} specifier
 * @returns {boolean}
 */
function isCommonJs(requireFromRoot, specifier) {
  /** @type {string} */
  let path;
  try {
    path = requireFromRoot.resolve(specifier);
  } catch {
    return false;
  }
  if (path.endsWith('.mjs')) return false;
  if (!path.endsWith('.js')) return true;
  // A .js file is CommonJS unless the nearest package.json says "type": "module".
  for (let dir = dirname(path); dirname(dir) !== dir; dir = dirname(dir)) {
    /** @type {string} */
    let text;
    try {
      text = readFileSync(join(dir, 'package.json'), 'utf8');
    } catch {
      continue;
    }
    /** @type {unknown} */
    const manifest = JSON.parse(text);
    return /** @type {{ type?: unknown }} */ (manifest).type !== 'module';
  }
  return true;
}

/**
 * Builds when dist/ is stale. Without esbuild (a dev dependency) a stale build cannot be replaced: that throws,
 * saying what to do.
 * @returns {Promise<void>}
 */
export async function ensureBuilt() {
  const reason = staleReason();
  if (reason === undefined) return;
  if (!(await esbuildInstalled())) {
    throw new Error(
      `${reason}, and esbuild (a dev dependency) is not installed to rebuild it: ` +
        'install with dev dependencies (npm ci) and run npm run build',
    );
  }
  await build();
}

/** @returns {Promise<boolean>} */
async function esbuildInstalled() {
  try {
    await import('esbuild');
    return true;
  } catch {
    return false;
  }
}

/**
 * What the launchers in bin/ run: rebuilds when stale, turns source maps on (a crash points at the .ts line),
 * then imports dist/<name>.mjs and calls its `main()`, which sets the exit status.
 * @param {keyof typeof ENTRIES} name
 * @param {string} command  how the command names itself in errors
 * @returns {Promise<void>}
 */
export async function runBuilt(name, command) {
  try {
    await ensureBuilt();
  } catch (error) {
    process.stderr.write(`${command}: cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
    return;
  }
  process.setSourceMapsEnabled(true);
  /** @type {unknown} */
  const entry = await import(pathToFileURL(join(DIST, `${name}.mjs`)).href);
  const { main } = /** @type {{ main: () => Promise<void> }} */ (entry);
  await main();
}

/**
 * Writes dist/`output` under a temporary name and renames it into place.
 * @param {string} output  path relative to dist/
 * @param {string | Uint8Array} contents
 */
function writeAtomically(output, contents) {
  const path = join(DIST, output);
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${String(process.pid)}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, path);
}

/**
 * Removes what earlier builds left in dist/ and dist/chunks/, once older than {@link KEEP_OLD_OUTPUTS_MS}.
 * @param {ReadonlySet<string>} current  paths relative to dist/
 */
function pruneOldOutputs(current) {
  const now = Date.now();
  for (const folder of ['', 'chunks/']) {
    let entries;
    try {
      entries = readdirSync(join(DIST, folder), { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      const output = `${folder}${entry.name}`;
      if (!entry.isFile() || current.has(output)) continue;
      const path = join(DIST, output);
      if (now - statSync(path).mtimeMs > KEEP_OLD_OUTPUTS_MS) rmSync(path, { force: true });
    }
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // `--if-esbuild` (prepare): an install without dev dependencies has no esbuild, and must not fail for that.
  if (process.argv.includes('--if-esbuild') && !(await esbuildInstalled())) {
    const reason = staleReason();
    process.stdout.write(
      reason === undefined
        ? 'esbuild (a dev dependency) is not installed; dist/ is up to date with the sources and runs without it\n'
        : `esbuild (a dev dependency) is not installed, and ${reason}: the CLIs cannot start until it is built ` +
            'with the dev dependencies installed (see README.md, Development)\n',
    );
  } else {
    const { ms, outputs } = await build();
    const entries = outputs.filter((output) => output.endsWith('.mjs') && !output.includes('/'));
    process.stdout.write(`built ${entries.map((e) => `dist/${e}`).join(', ')} in ${(ms / 1000).toFixed(1)} s\n`);
  }
}
