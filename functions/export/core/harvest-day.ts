import type { PageSource } from './ports.js';
import { pageInterval, type KeyedSession, type TieOverflow, type TimeWindow } from '../diyalog/pager.js';
import type { RejectedRecord } from './records.js';

/** Everything the pages of one day delivered. */
export interface DayHarvest {
  readonly sessions: KeyedSession[];
  readonly unusable: RejectedRecord[];
  readonly tieOverflows: TieOverflow[];
  readonly pages: number;
  readonly requests: number;
  readonly outOfWindow: number;
}

/**
 * Splits a window into `parts` contiguous sub-windows of (nearly) equal length, in time order, so that they can
 * be paged at once. Their union is the window; they do not overlap.
 */
export function splitWindow(window: TimeWindow, parts: number): TimeWindow[] {
  if (!Number.isSafeInteger(parts) || parts < 1) throw new RangeError(`parts must be a whole number ≥ 1, got ${parts}`);
  const count = Math.max(1, Math.min(parts, window.end - window.start));
  const edges = Array.from({ length: count + 1 }, (_, i) =>
    i === count ? window.end : window.start + Math.floor(((window.end - window.start) * i) / count),
  );
  return edges.slice(0, -1).map((start, i) => ({ start, end: edges[i + 1] ?? window.end }));
}

/**
 * Pages every sub-window of the day concurrently (one pager each) and gathers what they delivered. When one
 * sub-window fails, the others are still awaited, so that no request outlives the day's failure.
 */
export async function harvestDay(
  source: PageSource,
  window: TimeWindow,
  concurrency: number,
  signal?: AbortSignal,
): Promise<DayHarvest> {
  const sessions: KeyedSession[] = [];
  const unusable: RejectedRecord[] = [];
  const tieOverflows: TieOverflow[] = [];
  let pages = 0;
  let requests = 0;
  let outOfWindow = 0;
  const pageAll = async (part: TimeWindow): Promise<void> => {
    for await (const page of pageInterval(source, part, signal ? { signal } : {})) {
      sessions.push(...page.sessions);
      unusable.push(...page.unusable);
      if (page.tieOverflow) tieOverflows.push(page.tieOverflow);
      pages++;
      requests += page.attempts;
      outOfWindow += page.outOfWindow;
    }
  };
  const results = await Promise.allSettled(splitWindow(window, concurrency).map(pageAll));
  for (const result of results) if (result.status === 'rejected') throw result.reason;
  return { sessions, unusable, tieOverflows, pages, requests, outOfWindow };
}
