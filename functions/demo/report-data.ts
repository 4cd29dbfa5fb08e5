import type { RequestWindow } from '../export/core/errors.js';
import type { ReportRoute } from './routes.js';

/** A report's data set as the simulator holds it. */
export interface ReportData<Item> {
  /** Replaces the items; takes effect for the next request. */
  replace(items: readonly Item[]): void;
  /**
   * The first `limit` items that `selected` accepts, newest first and ties by id descending, among those whose
   * cursor lies in [startDate, endDate].
   */
  select(window: RequestWindow, selected: (item: Item) => boolean, limit: number): Item[];
  /** A plausible item at `at` (epoch ms) whose id no other item has, for the faults that make one up. */
  fabricate(at: number): Item;
}

const INT64_MAX = 2n ** 63n - 1n;

export function createReportData<Item>(route: ReportRoute<Item>): ReportData<Item> {
  let items: readonly Item[] = [];
  // Made-up ids go up from above the largest id, or down from below the smallest once that would leave int64.
  let lastAbove = route.firstFabricatedId - 1n;
  let lastBelow = route.firstFabricatedId;

  /** Index of the first item (newest first) whose cursor is not after `instant`. */
  function firstAtOrBefore(instant: number): number {
    let low = 0;
    let high = items.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const item = items[middle];
      if (item !== undefined && route.cursorOf(item) > instant) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  return {
    replace(list) {
      items = [...list].sort(
        (a, b) => route.cursorOf(b) - route.cursorOf(a) || compareBigint(route.idOf(b), route.idOf(a)),
      );
      const ids = items.map((item) => route.idOf(item));
      lastAbove = ids.reduce((max, id) => (id > max ? id : max), route.firstFabricatedId - 1n);
      lastBelow = ids.reduce((min, id) => (id < min ? id : min), route.firstFabricatedId);
    },
    select(window, selected, limit) {
      // Items are sorted newest first: start at the first one not after endDate and walk only as far as the page
      // needs, so that a request costs the same on a day of 100 000.
      const found: Item[] = [];
      for (let i = firstAtOrBefore(window.endDate); i < items.length && found.length < limit; i++) {
        const item = items[i];
        if (item === undefined || route.cursorOf(item) < window.startDate) break;
        if (selected(item)) found.push(item);
      }
      return found;
    },
    fabricate(at) {
      const id = lastAbove < INT64_MAX ? ++lastAbove : --lastBelow;
      return route.fabricate(id, at);
    },
  };
}

function compareBigint(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
