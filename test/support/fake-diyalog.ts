import type { RequestWindow } from '../../functions/export/core/errors.js';
import type { Page, PageSource } from '../../functions/export/core/ports.js';
import { createRandom, selects, type BoundSemantics } from '../../functions/demo/index.js';

export { BOUND_SEMANTICS, type BoundSemantics } from '../../functions/demo/index.js';

export interface FakeSession {
  readonly onlineHelpId: bigint;
  readonly helpRequestedAt: number;
}

/** A record's paging time: a session's `helpRequestedAt` unless told otherwise. */
export type TimeOf<T> = (record: T) => number;

const requestedAt: TimeOf<FakeSession> = (session) => session.helpRequestedAt;

/**
 * The newest `pageSize` records of the window. Same-millisecond records come in an order drawn from
 * `random` on every call, since the real server promises no order among ties.
 */
export function selectPage<T extends object>(
  records: readonly T[],
  window: RequestWindow,
  semantics: BoundSemantics,
  random: () => number,
  pageSize = 20,
  timeOf: TimeOf<T> = requestedAt as unknown as TimeOf<T>,
): T[] {
  return records
    .filter((r) => selects(semantics, timeOf(r), window))
    .map((r) => ({ r, tieBreak: random() }))
    .sort((a, b) => timeOf(b.r) - timeOf(a.r) || a.tieBreak - b.tieBreak)
    .slice(0, pageSize)
    .map(({ r }) => r);
}

/** An in-memory report API: a {@link PageSource} that records the windows asked for. */
export class FakeDiyalogApi<T extends object = FakeSession> implements PageSource {
  readonly requests: RequestWindow[] = [];

  constructor(
    private readonly records: readonly T[],
    private readonly semantics: BoundSemantics,
    private readonly random: () => number = Math.random,
    private readonly timeOf: TimeOf<T> = requestedAt as unknown as TimeOf<T>,
  ) {}

  fetchPage(window: RequestWindow): Promise<Page> {
    this.requests.push(window);
    const items = selectPage(this.records, window, this.semantics, this.random, 20, this.timeOf);
    return Promise.resolve({ items, attempts: 1 });
  }
}

/** A deterministic uniform [0, 1) source. */
export function seededRandom(seed: number): () => number {
  const random = createRandom(seed);
  return () => random.next();
}
