import { dayWindow } from '../functions/export/core/days.js';
import { splitWindow } from '../functions/export/core/paging/harvest-day.js';
import type { SimSession } from '../functions/demo/index.js';
import { DAY, TIME_ZONE } from './config.js';

/**
 * Sessions in the busiest sub-window when the benchmark day is split into `parts` equal ones (the exporter's
 * own `splitWindow`, its starting split): without rebalancing, that one would bound the paging time.
 */
export function busiestPart(sessions: readonly SimSession[], parts: number): number {
  const counts = splitWindow(dayWindow(DAY, TIME_ZONE), parts).map(
    ({ start, end }) => sessions.filter((s) => s.helpRequestedAt >= start && s.helpRequestedAt < end).length,
  );
  return Math.max(...counts);
}
