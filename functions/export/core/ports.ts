import type { RequestWindow } from './errors.js';

/** One page of the report as the server sent it: items are unvalidated JSON values. */
export interface Page {
  readonly items: readonly unknown[];
  /** Requests it took to get this page (1 when no retry was needed). */
  readonly attempts: number;
}

/** Where pages come from: the signed HTTP client in production, fakes in tests. */
export interface PageSource {
  /** @param signal aborts the request and any wait for a retry; the promise then rejects with its reason */
  fetchPage(window: RequestWindow, signal?: AbortSignal): Promise<Page>;
}

/**
 * Where the export root lives: a local folder or `s3://bucket/prefix`. Keys are relative to the root and use
 * `/`; an adapter maps them to paths or object keys and never writes outside the root.
 */
export interface ObjectStore {
  /** Writes one object whole: a reader sees the previous version or this one, never a part. */
  put(key: string, body: Uint8Array, contentType: string): Promise<void>;
  /** Keys below a prefix (relative to the root), in no particular order. */
  list(prefix: string): Promise<string[]>;
  delete(keys: readonly string[]): Promise<void>;
  /** Where a key lives, for people: a path or an `s3://` URL. */
  locate(key: string): string;
}
