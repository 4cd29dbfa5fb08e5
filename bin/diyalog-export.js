#!/usr/bin/env node
// The package bin, and what `npm run export` and `npm start` run: the CLI bundled into dist/ (rebuilt first when
// the TypeScript changed since the last build), on plain Node; see scripts/build-cli.mjs.
import { runBuilt } from '../scripts/build-cli.mjs';

await runBuilt('export-cli', 'diyalog-export');
