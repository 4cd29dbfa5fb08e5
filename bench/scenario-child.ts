import { RESULT_MARK, type Output } from './protocol.js';

/**
 * The child side of a scenario: runs `main`, then prints its output with the process's peak RSS as the result
 * line (see ./protocol.ts). A failure prints the error to stderr and exits with status 1.
 */
export function runAsScenario<K extends string>(main: () => Promise<Output<K>>): void {
  main().then(
    (output) => {
      process.stdout.write(`${RESULT_MARK}${JSON.stringify({ output, maxRssBytes: peakRssBytes() })}\n`);
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}

/** The process's peak RSS so far, in bytes (`maxRSS` is in kilobytes on Linux and macOS). */
export function peakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}
