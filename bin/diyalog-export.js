#!/usr/bin/env node
// The package bin: runs the TypeScript CLI through tsx, so that no build step stands between a clone and a run.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../functions/export/cli.ts');
await main();
