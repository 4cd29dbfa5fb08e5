/**
 * The retry policy for Diyalog requests, as pure functions: which responses are worth another attempt, and how
 * long to wait before it. Terminal failures (400/401/404) are decided by the caller; this file only knows time.
 */

export interface RetryPolicy {
  /** Attempts per page, the first one included. @default 6 */
  readonly maxAttempts: number;
  /** Backoff base: the cap of the first delay. Milliseconds. @default 250 */
  readonly baseDelayMs: number;
  /** Upper bound of an exponential backoff delay. Milliseconds. @default 10_000 */
  readonly maxDelayMs: number;
  /** Upper bound of a server-requested `Retry-After` wait. Milliseconds. @default 60_000 */
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 6,
  baseDelayMs: 250,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 60_000,
});

const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

/** 429 and the server/gateway failures 500, 502, 503, 504. */
export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUSES.has(status);
}

/**
 * Exponential backoff with full jitter: uniform in [0, min(maxDelay, base · 2^(failures−1))).
 * @param failures how many attempts have failed so far (≥ 1)
 * @param random a uniform [0, 1) source, injectable for tests
 */
export function backoffDelay(failures: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, failures - 1));
  return Math.floor(random() * ceiling);
}

/**
 * Milliseconds to wait as asked by a `Retry-After` header (delta-seconds or an HTTP date), or undefined when the
 * header is absent or unreadable.
 */
export function parseRetryAfter(header: string | null, nowMs: number): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** The wait before the next attempt: the server's `Retry-After` (capped) when given, else jittered backoff. */
export function nextDelay(
  failures: number,
  policy: RetryPolicy,
  random: () => number,
  retryAfterMs: number | undefined,
): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxRetryAfterMs);
  return backoffDelay(failures, policy, random);
}
