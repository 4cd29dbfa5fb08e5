import type { RequestWindow } from '../../functions/export/core/errors.js';
import type { Page, PageSource } from '../../functions/export/core/ports.js';
import { createRandom, selects, type BoundSemantics } from '../../functions/demo/index.js';

export { BOUND_SEMANTICS, type BoundSemantics } from '../../functions/demo/index.js';

export interface FakeSession {
  readonly onlineHelpId: bigint;
  readonly helpRequestedAt: number;
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
    .filter((s) => selects(semantics, s.helpRequestedAt, window))
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

/** A deterministic uniform [0, 1) source. */
export function seededRandom(seed: number): () => number {
  const random = createRandom(seed);
  return () => random.next();
}
