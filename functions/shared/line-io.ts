/** Where a command writes; one call per line, without the newline. Tests pass their own. */
export interface LineIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/** The process's own stdout and stderr. */
export const processIo: LineIo = {
  out: (line) => {
    process.stdout.write(`${line}\n`);
  },
  err: (line) => {
    process.stderr.write(`${line}\n`);
  },
};
