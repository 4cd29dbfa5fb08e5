import fc from 'fast-check';
import { ONLINE_HELP } from '../../../functions/contract/reports.js';
import { describe, expect, it } from 'vitest';
import type { RequestWindow } from '../../../functions/export/core/errors.js';
import { DiyalogClient } from '../../../functions/export/diyalog/client.js';
import { staticCredentials } from '../../../functions/export/diyalog/credentials.js';
import type { PageSource } from '../../../functions/export/core/ports.js';
import type { TimeWindow } from '../../../functions/export/core/days.js';
import { harvestAll, sortIds } from '../../support/collect.js';
import {
  BOUND_SEMANTICS,
  FakeDiyalogApi,
  seededRandom,
  selectPage,
  type BoundSemantics,
  type FakeSession,
} from '../../support/fake-diyalog.js';
import {
  faultResponse,
  json,
  pageJson,
  requestWindow,
  TRANSPORT_FAULTS,
  type TransportFault,
} from '../../support/fake-fetch.js';

const START = 1_763_931_600_000;
const ID_BASE = 2n ** 53n - 500n; // ids on both sides of 2^53

interface Dataset {
  window: { start: number; end: number };
  sessions: FakeSession[];
  semantics: BoundSemantics;
  seed: number;
}

/**
 * A day-like interval with same-millisecond groups at random instants and at the boundary instants
 * start − 1, start, end − 1 and end; each instant holds at most `maxGroup` sessions.
 */
function dataset(maxGroup: number): fc.Arbitrary<Dataset> {
  return fc
    .record({
      length: fc.integer({ min: 1, max: 5_000 }),
      groups: fc.uniqueArray(
        fc.record({
          at: fc.oneof(fc.constantFrom('before', 'start', 'last', 'end'), fc.integer({ min: 0, max: 1_000_000 })),
          size: fc.oneof(
            { weight: 4, arbitrary: fc.integer({ min: 1, max: 3 }) },
            { weight: 2, arbitrary: fc.integer({ min: 1, max: maxGroup }) },
            { weight: 1, arbitrary: fc.constant(Math.min(20, maxGroup)) },
            { weight: 1, arbitrary: fc.constant(maxGroup) },
          ),
        }),
        { maxLength: 60, selector: (g) => g.at },
      ),
      semantics: fc.constantFrom(...BOUND_SEMANTICS),
      seed: fc.integer(),
    })
    .map(({ length, groups, semantics, seed }) => {
      const window = { start: START, end: START + length };
      const instant = (at: (typeof groups)[number]['at']): number =>
        at === 'before'
          ? START - 1
          : at === 'start'
            ? START
            : at === 'last'
              ? window.end - 1
              : at === 'end'
                ? window.end
                : START + (at % length);
      const byInstant = new Map<number, number>();
      for (const g of groups) {
        const t = instant(g.at);
        byInstant.set(t, Math.min(maxGroup, (byInstant.get(t) ?? 0) + g.size));
      }
      let id = ID_BASE;
      const sessions = [...byInstant].flatMap(([t, size]) =>
        Array.from({ length: size }, () => ({ onlineHelpId: id++, helpRequestedAt: t })),
      );
      return { window, sessions, semantics, seed };
    });
}

/** Sub-windows paged at once: 1 is a single pager; the day export uses 4 by default. */
const concurrency = fc.integer({ min: 1, max: 6 });

/** Pages the interval in `parts` concurrent sub-windows, as the export does. */
async function page(source: PageSource, window: TimeWindow, parts: number) {
  const harvest = await harvestAll(source, window, parts);
  return { ...harvest, ids: harvest.sessions.map((s) => s.id), overflows: harvest.tieOverflows };
}

function expectedIds({ sessions, window }: Dataset): bigint[] {
  return sortIds(
    sessions
      .filter((s) => s.helpRequestedAt >= window.start && s.helpRequestedAt < window.end)
      .map((s) => s.onlineHelpId),
  );
}

function groupSizes(sessions: readonly FakeSession[]): Map<number, number> {
  const sizes = new Map<number, number>();
  for (const s of sessions) sizes.set(s.helpRequestedAt, (sizes.get(s.helpRequestedAt) ?? 0) + 1);
  return sizes;
}

/** A fetch that serves the dataset and injects the scheduled faults, one per request, in order. */
/**
 * A fetch that serves the dataset and injects the scheduled faults, one schedule entry per request in call
 * order; a request window that has failed twice in a row is answered properly, so that every page gets through
 * within the client's retry policy however concurrent pagers interleave.
 */
function faultyFetch(
  data: Dataset,
  schedule: readonly (TransportFault | null)[],
): { fetch: typeof fetch; injected: () => number } {
  const random = seededRandom(data.seed);
  const failuresInARow = new Map<string, number>();
  let call = 0;
  let injected = 0;
  const fetchStub = (_url: string | URL | Request, init?: RequestInit) => {
    const window: RequestWindow = requestWindow(init);
    const key = `${window.startDate}:${window.endDate}`;
    const page = pageJson(selectPage(data.sessions, window, data.semantics, random));
    const drawn = schedule[call++] ?? null;
    const fault = (failuresInARow.get(key) ?? 0) < 2 ? drawn : null;
    failuresInARow.set(key, fault ? (failuresInARow.get(key) ?? 0) + 1 : 0);
    if (fault) injected++;
    return fault ? faultResponse(fault, page, init?.signal ?? null) : json(page);
  };
  return { fetch: fetchStub, injected: () => injected };
}

const faultSchedule = fc.array(fc.option(fc.constantFrom(...TRANSPORT_FAULTS), { freq: 2, nil: null }), {
  maxLength: 80,
});

describe('pager properties, one pager or several concurrent sub-window pagers', () => {
  it('yields exactly the sessions of the interval when no millisecond holds more than 20', async () => {
    await fc.assert(
      fc.asyncProperty(dataset(20), concurrency, async (data, parts) => {
        const api = new FakeDiyalogApi(data.sessions, data.semantics, seededRandom(data.seed));
        const result = await page(api, data.window, parts);
        expect(result.ids).toHaveLength(new Set(result.ids).size);
        expect(sortIds(result.ids)).toEqual(expectedIds(data));
        const sizes = groupSizes(data.sessions);
        for (const overflow of result.overflows) {
          expect(sizes.get(overflow.at)).toBe(20);
          expect(overflow.countSeen).toBe(20);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never duplicates, never loops, and reports every millisecond holding more than 20', async () => {
    await fc.assert(
      fc.asyncProperty(dataset(45), concurrency, async (data, parts) => {
        const api = new FakeDiyalogApi(data.sessions, data.semantics, seededRandom(data.seed));
        const result = await page(api, data.window, parts);
        expect(result.ids).toHaveLength(new Set(result.ids).size);
        const emitted = new Set(result.ids);
        const sizes = groupSizes(data.sessions);
        const crowded = new Set(
          [...sizes].filter(([t, n]) => n > 20 && t >= data.window.start && t < data.window.end).map(([t]) => t),
        );
        expect(new Set(result.overflows.map((o) => o.at))).toEqual(
          new Set([...crowded, ...result.overflows.filter((o) => sizes.get(o.at) === 20).map((o) => o.at)]),
        );
        for (const s of data.sessions) {
          const inWindow = s.helpRequestedAt >= data.window.start && s.helpRequestedAt < data.window.end;
          if (!inWindow) expect(emitted.has(s.onlineHelpId)).toBe(false);
          else if (!crowded.has(s.helpRequestedAt)) expect(emitted.has(s.onlineHelpId)).toBe(true);
        }
        for (const overflow of result.overflows) {
          const seenAtInstant = data.sessions.filter(
            (s) => s.helpRequestedAt === overflow.at && emitted.has(s.onlineHelpId),
          );
          expect(overflow.countSeen).toBe(seenAtInstant.length);
          expect(overflow.countSeen).toBeGreaterThanOrEqual(20);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('stays exact through the real client under random transport faults and hostile 200s', async () => {
    await fc.assert(
      fc.asyncProperty(dataset(20), faultSchedule, concurrency, async (data, schedule, parts) => {
        const faulty = faultyFetch(data, schedule);
        const client = new DiyalogClient({
          report: ONLINE_HELP,
          endpoint: 'https://diyalog.example.com',
          credentials: staticCredentials({ accessKeyId: 'AK', accessKeySecret: 'secret', requesterUserId: 'etl' }),
          fetch: faulty.fetch,
          sleep: () => Promise.resolve(),
          timeoutMs: 2,
          retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 },
        });
        const result = await page(client, data.window, parts);
        expect(result.ids).toHaveLength(new Set(result.ids).size);
        expect(sortIds(result.ids)).toEqual(expectedIds(data));
        expect(result.requests).toBe(result.pages + faulty.injected());
      }),
      { numRuns: 200 },
    );
  });
});
