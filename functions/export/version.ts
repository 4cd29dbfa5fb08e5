import packageJson from '../../package.json' with { type: 'json' };

/** The exporter's version, from package.json: `--version` prints it and every run manifest records it. */
export const EXPORTER_VERSION: string = packageJson.version;
