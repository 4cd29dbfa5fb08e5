import { describe, expect, it } from 'vitest';
import type { RequestWindow } from '../../../functions/export/core/errors.js';
import type { Page, PageSource } from '../../../functions/export/core/ports.js';
import { IntervalCursor } from '../../../functions/export/core/paging/interval-cursor.js';
import { collect, SESSION_KEYS, sortIds } from '../../support/collect.js';
import { BOUND_SEMANTICS, FakeDiyalogApi, seededRandom, type FakeSession } from '../../support/fake-diyalog.js';

const START = 1_763_931_600_000; // 2025-11-24T00:00:00+03:00
const END = START + 86_400_000;
const DAY = { start: START, end: END };

let nextId = 5_000_000_000n;
function sessionsAt(t: number, count: number): FakeSession[] {
  return Array.from({ length: count }, () => ({ onlineHelpId: nextId++, helpRequestedAt: t }));
}

function spread(count: number, from: number, stepMs: number): FakeSession[] {
  return Array.from({ length: count }, (_, i) => sessionsAt(from + i * stepMs, 1)).flat();
}

function idsIn(sessions: readonly FakeSession[], window = DAY): bigint[] {
  return sortIds(
    sessions
      .filter((s) => s.helpRequestedAt >= window.start && s.helpRequestedAt < window.end)
      .map((s) => s.onlineHelpId),
  );
}

/** A source that answers each request with whatever `answer` builds. */
function scripted(answer: (window: RequestWindow, call: number) => unknown[]): PageSource & { calls: number } {
  const source = {
    calls: 0,
    fetchPage(window: RequestWindow): Promise<Page> {
      return Promise.resolve({ items: answer(window, source.calls++), attempts: 1 });
    },
  };
  return source;
}

describe.each(BOUND_SEMANTICS)('pager on a %s server', (semantics) => {
  it('yields every session of the day exactly once, including both boundary instants', async () => {
    const sessions = [
      ...sessionsAt(START - 1, 3),
      ...sessionsAt(START, 2),
      ...spread(95, START + 1_000, 600_000),
      ...sessionsAt(END - 1, 2),
      ...sessionsAt(END, 3),
    ];
    const result = await collect(new FakeDiyalogApi(sessions, semantics, seededRandom(1)), DAY);
    expect(sortIds(result.ids)).toEqual(idsIn(sessions));
    expect(result.ids).toHaveLength(99);
    expect(result.overflows).toEqual([]);
  });

  it('does not lose or repeat a same-millisecond group that straddles a page edge', async () => {
    // 17 newer sessions, then 6 at one instant: the first page ends inside the group.
    const tie = START + 5_000_000;
    const sessions = [...spread(17, tie + 1_000, 1_000), ...sessionsAt(tie, 6), ...spread(10, START + 10, 1_000)];
    const result = await collect(new FakeDiyalogApi(sessions, semantics, seededRandom(2)), DAY);
    expect(sortIds(result.ids)).toEqual(idsIn(sessions));
    expect(result.ids).toHaveLength(33);
  });

  it('takes a group of exactly 20 whole and reports that it filled a page', async () => {
    const tie = START + 7_000_000;
    const sessions = [...spread(5, tie + 1, 1), ...sessionsAt(tie, 20), ...spread(5, START, 1)];
    const result = await collect(new FakeDiyalogApi(sessions, semantics, seededRandom(3)), DAY);
    expect(sortIds(result.ids)).toEqual(idsIn(sessions));
    expect(result.overflows).toEqual([{ at: tie, countSeen: 20 }]);
  });

  it('steps past more than 20 sessions in one millisecond, reporting it, without looping', async () => {
    const tie = START + 9_000_000;
    const crowd = sessionsAt(tie, 33);
    const others = [...spread(30, tie + 1, 7), ...spread(30, START, 13)];
    const api = new FakeDiyalogApi([...crowd, ...others], semantics, seededRandom(4));
    const result = await collect(api, DAY);
    expect(new Set(result.ids).size).toBe(result.ids.length);
    expect(result.ids).toEqual(expect.arrayContaining(others.map((s) => s.onlineHelpId)));
    const [overflow] = result.overflows;
    expect(result.overflows).toHaveLength(1);
    expect(overflow?.at).toBe(tie);
    expect(overflow?.countSeen).toBeGreaterThanOrEqual(20);
    expect(result.ids.filter((id) => crowd.some((s) => s.onlineHelpId === id))).toHaveLength(overflow?.countSeen ?? -1);
    expect(api.requests.length).toBeLessThan(12);
  });

  it('is not crowded out by more than 20 sessions at the exclusive end instant', async () => {
    const sessions = [...sessionsAt(END, 25), ...spread(3, END - 3, 1), ...sessionsAt(START - 1, 25)];
    const result = await collect(new FakeDiyalogApi(sessions, semantics, seededRandom(5)), DAY);
    expect(sortIds(result.ids)).toEqual(idsIn(sessions));
    expect(result.overflows).toEqual([]);
  });

  it('needs about one request per 20 sessions', async () => {
    const sessions = spread(2_000, START, 40_000);
    const api = new FakeDiyalogApi(sessions, semantics, seededRandom(6));
    const result = await collect(api, DAY);
    expect(result.ids).toHaveLength(2_000);
    expect(api.requests.length).toBeLessThanOrEqual(Math.ceil(1.1 * (2_000 / 20)) + 1);
  });

  it('asks for [start − 1, upper + 1] so that every bound semantics covers the interval', async () => {
    const api = new FakeDiyalogApi([], semantics);
    await collect(api, DAY);
    expect(api.requests).toEqual([{ startDate: START - 1, endDate: END }]);
  });
});

describe('pager with a misbehaving server', () => {
  it('reports unusable items once and never lets them move the cursor', async () => {
    const good = spread(45, START + 100, 1_000);
    const garbage = [
      { onlineHelpId: 'abc', helpRequestedAt: START + 1 },
      { onlineHelpId: 7, helpRequestedAt: 'yesterday' },
      { helpRequestedAt: START + 2 },
      'not an object',
    ];
    // Every page repeats the same garbage: it is reported once, and the 18 sessions beside it page on.
    const source = scripted((window) => [...garbage, ...selectFrom(good, window).slice(0, 16)]);
    const result = await collect(source, DAY);
    expect(sortIds(result.ids)).toEqual(idsIn(good));
    expect(result.unusable.map((u) => u.reason)).toEqual([
      'onlineHelpId is missing or not a positive 64-bit integer',
      'helpRequestedAt is missing or not epoch milliseconds',
      'onlineHelpId is missing or not a positive 64-bit integer',
      'item is not a JSON object',
    ]);
    expect(result.pages).toBe(3);
  });

  it('coerces numeric strings in the cursor fields', async () => {
    const source = scripted(() => [{ onlineHelpId: '12345678901', helpRequestedAt: String(START + 5) }]);
    const result = await collect(source, DAY);
    expect(result.ids).toEqual([12_345_678_901n]);
  });

  it('ignores items outside the asked window and counts them', async () => {
    const good = spread(30, START + 100, 1_000);
    const source = scripted((window) => [
      ...selectFrom(good, window).slice(0, 19),
      { onlineHelpId: 1, helpRequestedAt: START - 3_600_000 },
    ]);
    const result = await collect(source, DAY);
    expect(sortIds(result.ids)).toEqual(idsIn(good));
    expect(result.outOfWindow).toBeGreaterThanOrEqual(2);
  });

  it('asks again, then fails with a PagingError, when full pages hold nothing usable', async () => {
    const source = scripted(() => Array.from({ length: 20 }, () => ({ junk: true })));
    await expect(collect(source, DAY)).rejects.toThrow('4 full pages in a row held no record');
    expect(source.calls).toBe(4);
  });

  it('recovers when one full page of junk is followed by proper pages', async () => {
    const good = spread(30, START + 100, 1_000);
    const source = scripted((window, call) =>
      call === 0 ? Array.from({ length: 20 }, () => ({ junk: true })) : selectFrom(good, window).slice(0, 20),
    );
    const result = await collect(source, DAY);
    expect(sortIds(result.ids)).toEqual(idsIn(good));
  });

  it('does not step past a group of 20 when a hostile page showed only 19 of them', async () => {
    const tie = START + 3_000_000;
    const group = sessionsAt(tie, 20);
    const older = spread(10, START, 1);
    const all = [...group, ...older];
    // The first answer drops the group's last member and appends an item from outside the window.
    const source = scripted((window, call) => {
      const page = selectFrom(all, window).slice(0, 20);
      return call === 0 ? [...page.slice(0, 19), { onlineHelpId: 1, helpRequestedAt: START - 60_000 }] : page;
    });
    const result = await collect(source, DAY);
    expect(sortIds(result.ids)).toEqual(idsIn(all));
    expect(result.overflows).toEqual([{ at: tie, countSeen: 20 }]);
  });

  it('steps past an instant whose pages keep repeating fewer than 20 sessions, reporting it', async () => {
    const tie = START + 3_000_000;
    const group = sessionsAt(tie, 12);
    const older = spread(5, START, 1);
    // Every answer pads the 12 sessions of the instant to a full page with repeats of the first one.
    const source = scripted((window) => {
      const atTie = selectFrom(group, window);
      const first = atTie[0];
      return first && window.endDate >= tie
        ? [...atTie, ...Array.from({ length: 8 }, () => first)]
        : selectFrom(older, window).slice(0, 20);
    });
    const result = await collect(source, DAY);
    // The server's repeats pass through; the day's deduplication drops and counts them.
    expect(sortIds(new Set(result.ids))).toEqual(sortIds([...group, ...older].map((s) => s.onlineHelpId)));
    expect(result.overflows).toEqual([{ at: tie, countSeen: 12 }]);
    expect(source.calls).toBeLessThanOrEqual(7);
  });

  it('stops at the page guard', async () => {
    const sessions = spread(200, START, 1_000);
    await expect(collect(new FakeDiyalogApi(sessions, 'inclusive'), DAY, { maxPages: 3 })).rejects.toThrow(
      'more than 3 pages',
    );
  });

  it('makes no request for an empty interval', () => {
    expect(new IntervalCursor({ start: START, end: START }, SESSION_KEYS).done).toBe(true);
  });
});

function selectFrom(sessions: readonly FakeSession[], window: RequestWindow): FakeSession[] {
  return sessions
    .filter((s) => s.helpRequestedAt >= window.startDate && s.helpRequestedAt <= window.endDate)
    .sort((a, b) => b.helpRequestedAt - a.helpRequestedAt);
}
