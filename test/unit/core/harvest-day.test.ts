import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RequestWindow } from '../../../functions/export/core/errors.js';
import { splitWindow } from '../../../functions/export/core/paging/harvest-day.js';
import type { Page, PageSource } from '../../../functions/export/core/ports.js';
import { PAGE_SIZE } from '../../../functions/export/core/paging/interval-cursor.js';
import type { TimeWindow } from '../../../functions/export/core/days.js';
import { harvestAll, sortIds } from '../../support/collect.js';
import { BOUND_SEMANTICS, FakeDiyalogApi, seededRandom, type FakeSession } from '../../support/fake-diyalog.js';

const START = 1_763_931_600_000; // 2025-11-24T00:00:00+03:00
const DAY: TimeWindow = { start: START, end: START + 86_400_000 };

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

describe('splitWindow', () => {
  it.each([0, -1, 2.5, Number.NaN])('refuses %s parts rather than leave part of the window uncovered', (parts) => {
    expect(() => splitWindow({ start: 0, end: 10 }, parts)).toThrow(RangeError);
  });

  const windowArb = fc
    .tuple(
      fc.integer({ min: -1_000_000_000_000, max: 4_000_000_000_000 }),
      fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 10_000_000_000 })),
    )
    .map(([start, length]): TimeWindow => ({ start, end: start + length }));

  it('tiles the window exactly with min(parts, length) non-empty, nearly equal parts', () => {
    fc.assert(
      fc.property(windowArb, fc.integer({ min: 1, max: 64 }), (window, parts) => {
        const result = splitWindow(window, parts);
        const length = window.end - window.start;
        expect(result).toHaveLength(Math.min(parts, length));
        expect(result[0]?.start).toBe(window.start);
        expect(result.at(-1)?.end).toBe(window.end);
        for (const [i, part] of result.entries()) {
          expect(Number.isSafeInteger(part.start) && Number.isSafeInteger(part.end)).toBe(true);
          expect(part.end).toBeGreaterThan(part.start);
          if (i > 0) expect(part.start).toBe(result[i - 1]?.end);
        }
        const lengths = result.map((part) => part.end - part.start);
        expect(Math.max(...lengths) - Math.min(...lengths)).toBeLessThanOrEqual(1);
      }),
      { numRuns: 400 },
    );
  });

  it('covers every instant of the window exactly once', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000 }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 20 }),
        (start, length, parts) => {
          const result = splitWindow({ start, end: start + length }, parts);
          for (let t = start - 1; t <= start + length; t++) {
            const holders = result.filter((part) => part.start <= t && t < part.end).length;
            expect(holders).toBe(t >= start && t < start + length ? 1 : 0);
          }
        },
      ),
    );
  });

  it('splits a day into equal parts', () => {
    expect(splitWindow(DAY, 4)).toEqual([
      { start: START, end: START + 21_600_000 },
      { start: START + 21_600_000, end: START + 43_200_000 },
      { start: START + 43_200_000, end: START + 64_800_000 },
      { start: START + 64_800_000, end: DAY.end },
    ]);
  });

  it('returns the window itself for one part', () => {
    expect(splitWindow(DAY, 1)).toEqual([DAY]);
  });

  it('never makes more parts than milliseconds', () => {
    expect(splitWindow({ start: 10, end: 13 }, 7)).toEqual([
      { start: 10, end: 11 },
      { start: 11, end: 12 },
      { start: 12, end: 13 },
    ]);
  });
});

/**
 * About 600 sessions over the day: spread ones, same-millisecond clusters (some straddling page boundaries and
 * the sub-window edges of every concurrency tested), sessions at the first and last instant, and sessions just
 * outside the day that must not be harvested.
 */
function daySessions(): { sessions: FakeSession[]; inside: bigint[] } {
  let nextId = 7_000_000_000n;
  const sessions: FakeSession[] = [];
  const add = (t: number, count = 1): void => {
    for (let i = 0; i < count; i++) sessions.push({ onlineHelpId: nextId++, helpRequestedAt: t });
  };
  const random = seededRandom(20251124);
  for (let i = 0; i < 500; i++) add(DAY.start + Math.floor(random() * (DAY.end - DAY.start)));
  for (let i = 0; i < 12; i++) add(DAY.start + Math.floor(random() * (DAY.end - DAY.start)), 2 + (i % 9));
  for (const parts of [3, 4, 7]) {
    for (const part of splitWindow(DAY, parts).slice(1)) {
      add(part.start - 1, 3);
      add(part.start, 4);
      add(part.start + 1, 2);
    }
  }
  add(DAY.start, 5);
  add(DAY.end - 1, 6);
  const inside = sessions.map((s) => s.onlineHelpId);
  add(DAY.start - 1, 4);
  add(DAY.end, 4);
  add(DAY.end + 60_000, 3);
  return { sessions, inside };
}

describe('harvestDay', () => {
  const { sessions, inside } = daySessions();

  describe.each(BOUND_SEMANTICS)('on a %s server', (semantics) => {
    it.each([1, 3, 4, 7])('yields every session of the day exactly once with concurrency %d', async (concurrency) => {
      const api = new FakeDiyalogApi(sessions, semantics, seededRandom(concurrency));
      const harvest = await harvestAll(api, DAY, concurrency);

      const ids = harvest.sessions.map((s) => s.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(sortIds(ids)).toEqual(sortIds(inside));
      for (const session of harvest.sessions) {
        expect(session.at).toBeGreaterThanOrEqual(DAY.start);
        expect(session.at).toBeLessThan(DAY.end);
      }

      // One pager per sub-window: each one's requests start just before its sub-window.
      const parts = splitWindow(DAY, concurrency);
      expect(new Set(api.requests.map((r) => r.startDate))).toEqual(new Set(parts.map((p) => p.start - 1)));

      expect(harvest.pages).toBe(api.requests.length);
      expect(harvest.requests).toBe(api.requests.length);
      expect(harvest.pages).toBeGreaterThanOrEqual(Math.ceil(inside.length / PAGE_SIZE));
      expect(harvest.unusable).toEqual([]);
      expect(harvest.tieOverflows).toEqual([]);
      expect(harvest.outOfWindow).toBe(0);
    });
  });

  it('returns an empty harvest for an empty day', async () => {
    const api = new FakeDiyalogApi([], 'inclusive');
    const harvest = await harvestAll(api, DAY, 4);
    expect(harvest).toEqual({
      sessions: [],
      unusable: [],
      tieOverflows: [],
      pages: 4,
      requests: 4,
      outOfWindow: 0,
      steals: 0,
    });
  });

  it('counts every attempt of every page as a request', async () => {
    const api = new FakeDiyalogApi(sessions, 'inclusive', seededRandom(1));
    const retrying: PageSource = {
      fetchPage: async (window) => ({ ...(await api.fetchPage(window)), attempts: 3 }),
    };
    const harvest = await harvestAll(retrying, DAY, 4);
    expect(harvest.pages).toBe(api.requests.length);
    expect(harvest.requests).toBe(3 * api.requests.length);
  });

  it('gathers the out-of-window, unusable and tie-overflow findings of every sub-window', async () => {
    const parts = splitWindow(DAY, 3);
    const crowded = parts.map((part) => part.start + 1_000);
    const api = new FakeDiyalogApi(
      crowded.flatMap((t, i) =>
        Array.from({ length: PAGE_SIZE }, (_, j) => ({
          onlineHelpId: BigInt(1_000 * (i + 1) + j),
          helpRequestedAt: t,
        })),
      ),
      'inclusive',
      seededRandom(3),
    );
    const noisy: PageSource = {
      fetchPage: async (window: RequestWindow): Promise<Page> => {
        const page = await api.fetchPage(window);
        return {
          attempts: 1,
          items: [...page.items, { onlineHelpId: 1n, helpRequestedAt: DAY.end + 86_400_000 }, { broken: true }],
        };
      },
    };
    const harvest = await harvestAll(noisy, DAY, 3);
    expect(harvest.tieOverflows.map((o) => o.at).sort((a, b) => a - b)).toEqual(crowded);
    expect(harvest.outOfWindow).toBe(harvest.pages);
    // The cursor reports an unusable item once per sub-window.
    expect(harvest.unusable).toHaveLength(3);
    expect(harvest.sessions).toHaveLength(3 * PAGE_SIZE);
  });

  it('stops the other sub-windows at the first failure and rejects with it once they have settled', async () => {
    const concurrency = 4;
    const parts = splitWindow(DAY, concurrency);
    const partOf = (window: RequestWindow): number => parts.findIndex((p) => p.start - 1 === window.startDate);
    // Distinct instants, so that each sub-window takes the same number of pages on every run.
    const distinct = Array.from({ length: 300 }, (_, i) => ({
      onlineHelpId: BigInt(i + 1),
      helpRequestedAt: DAY.start + i * 287_000,
    }));

    const healthyApi = new FakeDiyalogApi(distinct, 'inclusive');
    await harvestAll(healthyApi, DAY, concurrency);
    const healthyRequests = parts.map((_, i) => healthyApi.requests.filter((r) => partOf(r) === i).length);
    expect(healthyRequests[1]).toBeGreaterThan(1);

    const failure = new Error('sub-window 1 failed');
    const api = new FakeDiyalogApi(distinct, 'inclusive');
    const requests = parts.map(() => 0);
    let inFlight = 0;
    const source: PageSource = {
      fetchPage: async (window: RequestWindow): Promise<Page> => {
        const part = partOf(window);
        requests[part] = (requests[part] ?? 0) + 1;
        // Sub-window 1 fails fast, on its second page; the others are slow.
        if (part === 1 && requests[part] === 2) throw failure;
        inFlight++;
        await sleep(part === 1 ? 0 : 2);
        inFlight--;
        return api.fetchPage(window);
      },
    };

    await expect(harvestAll(source, DAY, concurrency)).rejects.toBe(failure);
    expect(inFlight).toBe(0);
    expect(requests[1]).toBe(2);
    // Each other sub-window finishes the page it had in flight and asks for nothing more.
    for (const i of [0, 2, 3]) {
      expect(requests[i]).toBeLessThan(healthyRequests[i] ?? 0);
      expect(requests[i]).toBeLessThanOrEqual(2);
    }
  });

  it('rejects with the error of the sub-window that failed first in time when several fail', async () => {
    const first = new Error('part 0, after 5 ms');
    const second = new Error('part 2, at once');
    const parts = splitWindow(DAY, 3);
    const source: PageSource = {
      fetchPage: async (window: RequestWindow): Promise<Page> => {
        const part = parts.findIndex((p) => p.start - 1 === window.startDate);
        await sleep(part === 0 ? 5 : 0);
        if (part === 0) throw first;
        if (part === 2) throw second;
        return { items: [], attempts: 1 };
      },
    };
    await expect(harvestAll(source, DAY, 3)).rejects.toBe(second);
  });
});

describe('harvestDay splits dense sub-windows for idle pagers', () => {
  /**
   * `count` sessions at distinct instants from `from` on, `spanMs / count` apart, then a group of `tie` sessions
   * sharing the next instant.
   */
  function clustered(count: number, from: number, spanMs: number, tie = 0): FakeSession[] {
    const step = Math.max(1, Math.floor(spanMs / count));
    return [
      ...Array.from({ length: count }, (_, i) => ({
        onlineHelpId: BigInt(1_000 + i),
        helpRequestedAt: from + i * step,
      })),
      ...Array.from({ length: tie }, (_, i) => ({
        onlineHelpId: BigInt(900_000 + i),
        helpRequestedAt: from + count * step,
      })),
    ];
  }

  it('gives idle pagers halves of the busy sub-window, exactly and within the request budget', async () => {
    // A business morning: every session in two hours of the first quarter of the day.
    const sessions = clustered(2_000, DAY.start + 3 * 3_600_000, 2 * 3_600_000, 15);
    const api = new FakeDiyalogApi(sessions, 'exclusive-end', seededRandom(3));
    const harvest = await harvestAll(api, DAY, 4);
    expect(sortIds(harvest.sessions.map((s) => s.id))).toEqual(sortIds(sessions.map((s) => s.onlineHelpId)));
    expect(harvest.steals).toBeGreaterThanOrEqual(1);
    expect(harvest.steals).toBeLessThanOrEqual(4);
    expect(harvest.requests).toBeLessThanOrEqual(1.08 * Math.ceil(sessions.length / PAGE_SIZE) + 2 * 4);
  });

  it('does not split a small day', async () => {
    const sessions = clustered(50, DAY.start + 3_600_000, 3_600_000);
    const harvest = await harvestAll(new FakeDiyalogApi(sessions, 'inclusive'), DAY, 4);
    expect(harvest.steals).toBe(0);
    expect(harvest.requests).toBeLessThanOrEqual(1.08 * Math.ceil(50 / PAGE_SIZE) + 2 * 4);
  });

  it('stays exact and within budget wherever the sessions cluster (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 86_399_000 }),
        fc.integer({ min: 1_000, max: 20 * 3_600_000 }),
        fc.integer({ min: 1, max: 1_500 }),
        // Up to 10 at one instant: a group of 20 costs extra pages by nature, whatever the splitting does.
        fc.integer({ min: 0, max: 10 }),
        fc.constantFrom(...BOUND_SEMANTICS),
        fc.integer({ min: 1, max: 6 }),
        async (offset, span, count, tie, semantics, concurrency) => {
          const from = DAY.start + offset;
          const sessions = clustered(count, from, Math.min(span, DAY.end - from), tie).filter(
            (s) => s.helpRequestedAt < DAY.end,
          );
          const harvest = await harvestAll(
            new FakeDiyalogApi(sessions, semantics, seededRandom(offset)),
            DAY,
            concurrency,
          );
          expect(sortIds(harvest.sessions.map((s) => s.id))).toEqual(sortIds(sessions.map((s) => s.onlineHelpId)));
          expect(harvest.steals).toBeLessThanOrEqual(concurrency);
          expect(harvest.requests).toBeLessThanOrEqual(1.08 * Math.ceil(sessions.length / PAGE_SIZE) + 2 * concurrency);
        },
      ),
      { numRuns: 300 },
    );
  });
});
