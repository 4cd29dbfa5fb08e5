import type { Linter } from 'eslint';

/** The folder boundaries as flat-config objects (see eslint.config.js). */
export declare const boundaries: Linter.Config[];

declare const config: Linter.Config[];
export default config;
