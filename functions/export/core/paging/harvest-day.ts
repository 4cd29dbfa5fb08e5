import type { TimeWindow } from '../days.js';
import type { PageSource } from '../ports.js';
import {
  IntervalCursor,
  pageInterval,
  PAGE_SIZE,
  type KeyedRecord,
  type RecordKeys,
  type TieOverflow,
  type RejectedItem,
} from './interval-cursor.js';

/** What the pages of one day delivered, besides the records handed to {@link HarvestOptions.onRecords}. */
export interface DayHarvest {
  readonly unusable: RejectedItem[];
  readonly tieOverflows: TieOverflow[];
  readonly pages: number;
  readonly requests: number;
  readonly outOfWindow: number;
  /** Sub-windows split off a busy one for an idle pager. */
  readonly steals: number;
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

/** A sub-window being paged, with what it has shown of its density. */
interface Part {
  readonly cursor: IntervalCursor;
  records: number;
  pages: number;
  /** Milliseconds it has proven complete so far. */
  provenMs: number;
  /** The cursor's remaining milliseconds when last looked at (after its last page or split). */
  remainingMs: number;
}

/**
 * Pages a day with `concurrency` pagers at once. The day starts as `concurrency` equal sub-windows; when a
 * pager runs out of work while another sub-window has proven dense (two full pages at least, and enough left
 * for three more by its density so far), the idle pager takes the older half of what is left there. Records
 * cluster in business hours, so equal sub-windows alone leave most pagers idle for most of the day. Splits are
 * capped at `concurrency` per day: each costs about one request, and small days must not pay for them.
 *
 * The first pager to fail stops the others, and all are awaited, so that no request outlives the day's failure;
 * the day then rejects with that first failure.
 */
export interface HarvestOptions {
  /** The report's id and paging-time fields. */
  readonly keys: RecordKeys;
  /** Pagers at once. */
  readonly concurrency: number;
  /**
   * Receives each page's new records as soon as the page is in, so that the caller can keep what it needs
   * (rows) and the received items become garbage at once rather than at the end of the day.
   */
  readonly onRecords: (records: readonly KeyedRecord[]) => void;
  readonly signal?: AbortSignal;
}

export async function harvestDay(
  source: PageSource,
  window: TimeWindow,
  { keys, concurrency, onRecords, signal }: HarvestOptions,
): Promise<DayHarvest> {
  const unusable: RejectedItem[] = [];
  const tieOverflows: TieOverflow[] = [];
  let pages = 0;
  let requests = 0;
  let outOfWindow = 0;
  let steals = 0;
  const pending = splitWindow(window, concurrency);
  const running = new Set<Part>();
  /** Idle pagers waiting for another pager's next page. */
  const waiting: (() => void)[] = [];
  const progressed = (): void => {
    for (const wake of waiting.splice(0)) wake();
  };
  // The first failure stops every pager: the day has failed, and its other requests would be wasted.
  const stop = new AbortController();
  const stopping = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;

  const stealFromDensest = (): TimeWindow | undefined => {
    if (steals >= concurrency) return undefined;
    let victim: Part | undefined;
    let victimLeft = 0;
    for (const part of running) {
      if (part.pages < 2 || part.provenMs <= 0) continue;
      const recordsLeft = (part.records / part.provenMs) * part.cursor.remainingMs;
      if (recordsLeft >= 3 * PAGE_SIZE && recordsLeft > victimLeft) [victim, victimLeft] = [part, recordsLeft];
    }
    const older = victim?.cursor.splitOff();
    if (victim && older) {
      steals++;
      victim.remainingMs = victim.cursor.remainingMs;
    }
    return older;
  };

  const pagePart = async (part: Part): Promise<void> => {
    running.add(part);
    try {
      for await (const page of pageInterval(source, part.cursor, { signal: stopping })) {
        onRecords(page.records);
        unusable.push(...page.unusable);
        if (page.tieOverflow) tieOverflows.push(page.tieOverflow);
        pages++;
        requests += page.attempts;
        outOfWindow += page.outOfWindow;
        part.pages++;
        part.records += page.records.length;
        part.provenMs += part.remainingMs - part.cursor.remainingMs;
        part.remainingMs = part.cursor.remainingMs;
        progressed();
      }
    } catch (error) {
      stop.abort(error);
      throw error;
    } finally {
      running.delete(part);
      progressed();
    }
  };

  const pager = async (): Promise<void> => {
    for (;;) {
      const next = pending.shift() ?? stealFromDensest();
      if (next) {
        const cursor = new IntervalCursor(next, keys);
        await pagePart({ cursor, records: 0, pages: 0, provenMs: 0, remainingMs: cursor.remainingMs });
      } else if (running.size > 0 && steals < concurrency) {
        // Nothing to take yet: wait for any pager's next page, which may make its sub-window worth splitting.
        await new Promise<void>((resolve) => waiting.push(resolve));
      } else {
        return;
      }
    }
  };

  await Promise.allSettled(Array.from({ length: concurrency }, pager));
  if (stop.signal.aborted) throw stop.signal.reason;
  signal?.throwIfAborted();
  return { unusable, tieOverflows, pages, requests, outOfWindow, steals };
}
