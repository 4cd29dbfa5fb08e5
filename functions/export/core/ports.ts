import type { RequestWindow } from './errors.js';

/** One page of the report as the server sent it: items are unvalidated JSON values. */
export interface Page {
  readonly items: readonly unknown[];
  /** Requests it took to get this page (1 when no retry was needed). */
  readonly attempts: number;
}

/** Where pages come from: the signed HTTP client in production, fakes in tests. */
export interface PageSource {
  fetchPage(window: RequestWindow): Promise<Page>;
}
