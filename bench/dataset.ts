import { dayWindow } from '../functions/export/core/days.js';
import { recordMapping } from '../functions/export/core/records.js';
import { ONLINE_HELP, type SessionRow } from '../functions/contract/reports.js';
import type { CheckedRow } from '../functions/export/core/column-values.js';
import { generateSessions, serialisePage, type SimSession } from '../functions/demo/index.js';
import { DAY, SEED, TIME_ZONE } from './config.js';

/** `count` sessions inside the benchmark day, the same for the same count. */
export function benchSessions(count: number): SimSession[] {
  const { start, end } = dayWindow(DAY, TIME_ZONE);
  return generateSessions({ seed: SEED + count, from: start, to: end, count });
}

/**
 * The rows the exporter makes of {@link benchSessions}: each session goes through the wire format and the
 * exporter's own record mapping, so the encoders get exactly what `exportDay` hands its encoder.
 */
export function benchRows(count: number): (CheckedRow & SessionRow)[] {
  const sessions = benchSessions(count);
  const items: unknown = JSON.parse(serialisePage(sessions));
  if (!Array.isArray(items)) throw new Error('serialisePage did not give a JSON array');
  const toRow = recordMapping(ONLINE_HELP);
  return sessions.map((session, i) => {
    const item: unknown = items[i];
    if (typeof item !== 'object' || item === null) throw new Error(`item ${i} is not an object`);
    const outcome = toRow({
      id: session.onlineHelpId,
      at: session.helpRequestedAt,
      item: Object.fromEntries(Object.entries(item)),
    });
    if (!('row' in outcome)) throw new Error(`generated session ${session.onlineHelpId} rejected: ${outcome.reason}`);
    // The mapping of ONLINE_HELP makes session rows: its columns are SessionRow's.
    return outcome.row as CheckedRow & SessionRow;
  });
}
