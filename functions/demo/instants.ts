import type { Random } from './random.js';

/** Relative likelihood of a request in each hour of the day, Istanbul time (UTC+3 all year since 2016). */
const HOURLY_WEIGHT = [
  0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 0.8, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0.8, 0.6, 0.5, 0.4, 0.3, 0.2,
];
const ISTANBUL_OFFSET_MS = 3 * 3_600_000;

/** A random instant in [from, to), weighted towards Istanbul business hours, that is not in `reserved`. */
export function businessInstant(
  random: Random,
  from: number,
  to: number,
  reserved: ReadonlySet<number> = new Set(),
): number {
  for (;;) {
    const instant = random.int(from, to - 1);
    const hour = new Date(instant + ISTANBUL_OFFSET_MS).getUTCHours();
    if (!reserved.has(instant) && random.chance(HOURLY_WEIGHT[hour] ?? 1)) return instant;
  }
}
