import type { RequestWindow } from '../../functions/export/core/errors.js';
import type { Page, PageSource } from '../../functions/export/core/ports.js';

/** How a server may treat `startDate` and `endDate`; the docs do not say (spec §3.2). */
export type BoundSemantics = 'inclusive' | 'exclusive-end' | 'exclusive-both';

export const BOUND_SEMANTICS: readonly BoundSemantics[] = ['inclusive', 'exclusive-end', 'exclusive-both'];

export interface FakeSession {
  readonly onlineHelpId: bigint;
  readonly helpRequestedAt: number;
}

export function inWindow(t: number, window: RequestWindow, semantics: BoundSemantics): boolean {
  switch (semantics) {
    case 'inclusive':
      return window.startDate <= t && t <= window.endDate;
    case 'exclusive-end':
      return window.startDate <= t && t < window.endDate;
    case 'exclusive-both':
      return window.startDate < t && t < window.endDate;
  }
}

/**
 * The newest `pageSize` sessions of the window. Same-millisecond sessions come in an order drawn from
 * `shuffle` on every call, since the real server promises no order among ties.
 */
export function selectPage<T extends FakeSession>(
  sessions: readonly T[],
  window: RequestWindow,
  semantics: BoundSemantics,
  random: () => number,
  pageSize = 20,
): T[] {
  return sessions
    .filter((s) => inWindow(s.helpRequestedAt, window, semantics))
    .map((s) => ({ s, tieBreak: random() }))
    .sort((a, b) => b.s.helpRequestedAt - a.s.helpRequestedAt || a.tieBreak - b.tieBreak)
    .slice(0, pageSize)
    .map(({ s }) => s);
}

/** An in-memory report API: a {@link PageSource} that records the windows asked for. */
export class FakeDiyalogApi implements PageSource {
  readonly requests: RequestWindow[] = [];

  constructor(
    private readonly sessions: readonly FakeSession[],
    private readonly semantics: BoundSemantics,
    private readonly random: () => number = Math.random,
  ) {}

  fetchPage(window: RequestWindow): Promise<Page> {
    this.requests.push(window);
    return Promise.resolve({ items: selectPage(this.sessions, window, this.semantics, this.random), attempts: 1 });
  }
}

/** A deterministic uniform [0, 1) source (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
