/** Where a command writes; one call per line, without the newline. Tests pass their own. */
export interface LineIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /**
   * Replaces a live status line at the bottom of a terminal (progress while a day is paged); absent where the
   * output is not a terminal, so that pipes and logs get finished lines only.
   */
  readonly status?: (line: string) => void;
}

/** Erases the terminal's current line and returns the cursor to its start. */
const CLEAR_LINE = '\r\x1b[2K';

/** The process's own stdout and stderr, with a status line on stderr when it is a terminal. */
export function processIo(): LineIo {
  const terminal = process.stderr.isTTY;
  let statusShown = false;
  const clearStatus = (): void => {
    if (statusShown) process.stderr.write(CLEAR_LINE);
    statusShown = false;
  };
  return {
    out: (line) => {
      clearStatus();
      process.stdout.write(`${line}\n`);
    },
    err: (line) => {
      clearStatus();
      process.stderr.write(`${line}\n`);
    },
    ...(terminal
      ? {
          status: (line: string) => {
            process.stderr.write(`${CLEAR_LINE}${line.slice(0, Math.max(20, process.stderr.columns - 1))}`);
            statusShown = true;
          },
        }
      : {}),
  };
}
