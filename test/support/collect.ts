import { harvestDay, type DayHarvest } from '../../functions/export/core/paging/harvest-day.js';
import type { TimeWindow } from '../../functions/export/core/days.js';
import type { PageSource } from '../../functions/export/core/ports.js';
import { ONLINE_HELP } from '../../functions/contract/reports.js';
import {
  IntervalCursor,
  pageInterval,
  recordKeys,
  type KeyedRecord,
  type RecordKeys,
  type PageIntervalOptions,
  type TieOverflow,
  type RejectedItem,
} from '../../functions/export/core/paging/interval-cursor.js';

export interface Collected {
  ids: bigint[];
  unusable: RejectedItem[];
  overflows: TieOverflow[];
  outOfWindow: number;
  pages: number;
  requests: number;
}

/** The keys of live-help sessions, which most paging tests page. */
export const SESSION_KEYS = recordKeys(ONLINE_HELP);

/** Pages an interval to the end and gathers what every page contributed. */
export async function collect(
  source: PageSource,
  window: TimeWindow,
  options: PageIntervalOptions = {},
  keys: RecordKeys = SESSION_KEYS,
): Promise<Collected> {
  const result: Collected = { ids: [], unusable: [], overflows: [], outOfWindow: 0, pages: 0, requests: 0 };
  for await (const page of pageInterval(source, new IntervalCursor(window, keys), options)) {
    result.pages++;
    result.requests += page.attempts;
    result.ids.push(...page.records.map((s) => s.id));
    result.unusable.push(...page.unusable);
    result.outOfWindow += page.outOfWindow;
    if (page.tieOverflow) result.overflows.push(page.tieOverflow);
  }
  return result;
}

export function sortIds(ids: Iterable<bigint>): bigint[] {
  return [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Harvests a day and gathers the records that harvestDay hands over page by page. */
export async function harvestAll(
  source: PageSource,
  window: TimeWindow,
  concurrency: number,
  signal?: AbortSignal,
): Promise<DayHarvest & { sessions: KeyedRecord[] }> {
  const sessions: KeyedRecord[] = [];
  const harvest = await harvestDay(source, window, {
    keys: SESSION_KEYS,
    concurrency,
    onRecords: (page) => sessions.push(...page),
    ...(signal ? { signal } : {}),
  });
  return { ...harvest, sessions };
}
