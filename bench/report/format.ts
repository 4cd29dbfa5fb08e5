const MIB = 2 ** 20;

export const mib = (bytes: number): string => (bytes / MIB).toFixed(0);
export const mib2 = (bytes: number): string => (bytes / MIB).toFixed(2);
export const seconds = (ms: number): string => (ms / 1000).toFixed(1);
export const millis = (ms: number): string => ms.toFixed(0);
export const int = (n: number): string => Math.round(n).toLocaleString('en');
export const ratio = (x: number): string => `${x.toFixed(2)}×`;
export const percent = (part: number, whole: number): string => `${((100 * part) / whole).toFixed(0)} %`;

/** A Markdown table; `|` in a cell is escaped. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
