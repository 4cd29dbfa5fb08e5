import { writeFile } from 'node:fs/promises';

/** One scenario's outcome, as it appears in docs/reliability.md. */
export interface Figure {
  readonly area: string;
  readonly scenario: string;
  readonly faults: string;
  readonly expected: number;
  readonly exported: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly outcome: string;
}

const figures: Figure[] = [];

export function record(figure: Figure): void {
  figures.push(figure);
}

/**
 * Rewrites docs/reliability.md from the figures this run recorded, when `RELIABILITY_REPORT=write`
 * (`npm run reliability`); an ordinary test run leaves the committed document alone.
 */
export async function writeReportIfAsked(): Promise<void> {
  if (process.env['RELIABILITY_REPORT'] !== 'write') return;
  const rows = figures
    .toSorted((a, b) => a.area.localeCompare(b.area) || a.scenario.localeCompare(b.scenario))
    .map((f) =>
      [f.area, f.scenario, f.faults, f.expected, f.exported, f.lost, f.duplicated, f.outcome]
        .map((cell) => String(cell).replaceAll('|', '\\|'))
        .join(' | '),
    );
  const totals = figures.reduce((t, f) => ({ lost: t.lost + f.lost, duplicated: t.duplicated + f.duplicated }), {
    lost: 0,
    duplicated: 0,
  });
  const text = `# Reliability figures

Produced by \`npm run reliability\` (the suite in \`test/reliability/\`, which CI also runs) on ${new Date().toISOString().slice(0, 10)}
with Node ${process.version}. Every scenario runs the real exporter — the CLI or the Lambda handler — against the
Diyalog simulator over HTTP on 127.0.0.1, with s3rver as the object store where S3 is named and a fake Secrets
Manager for the handler. "Expected" is the number of sessions of the day in the simulator's data; "exported" the
rows an independent reader (DuckDB) found in the day's Parquet file; "lost" and "duplicated" are counted by
\`online_help_id\`.

**Across all ${figures.length} scenarios: ${totals.lost} sessions lost, ${totals.duplicated} duplicated.**

| area | scenario | faults injected | expected | exported | lost | duplicated | outcome |
|---|---|---|---:|---:|---:|---:|---|
${rows.map((r) => `| ${r} |`).join('\n')}

Each row is asserted by a test that fails if the behaviour regresses; the table is the record of what those
tests observed.
`;
  await writeFile(new URL('../../docs/reliability.md', import.meta.url), text);
}
