#!/usr/bin/env node
// What `npm run query` runs (not a package bin): the query CLI bundled into dist/, as bin/diyalog-export.js.
import { runBuilt } from '../scripts/build-cli.mjs';

await runBuilt('query-cli', 'npm run query');
