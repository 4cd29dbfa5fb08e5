import type { RequestWindow } from '../export/core/errors.js';

/** Which cursor values (`helpRequestedAt`, `callStartedAt`) a window [startDate, endDate] selects; the docs do not say (spec §3.2). */
export type BoundSemantics = 'inclusive' | 'exclusive-end' | 'exclusive-both';

/** Every {@link BoundSemantics}, for tests that run under each. */
export const BOUND_SEMANTICS: readonly BoundSemantics[] = ['inclusive', 'exclusive-end', 'exclusive-both'];

/** Whether a server with these semantics selects `instant` for the window. */
export function selects(semantics: BoundSemantics, instant: number, window: RequestWindow): boolean {
  return IN_WINDOW[semantics](instant, window);
}

const IN_WINDOW: Readonly<Record<BoundSemantics, (instant: number, window: RequestWindow) => boolean>> = {
  inclusive: (t, { startDate, endDate }) => startDate <= t && t <= endDate,
  'exclusive-end': (t, { startDate, endDate }) => startDate <= t && t < endDate,
  'exclusive-both': (t, { startDate, endDate }) => startDate < t && t < endDate,
};
