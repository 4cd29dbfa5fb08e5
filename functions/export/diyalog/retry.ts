/**
 * The one retry policy of Diyalog requests, as pure functions: what a failed attempt leads to
 * ({@link decideRetry}), and how long to wait before the next one. The client only carries the decisions out.
 */

export interface RetryPolicy {
  /**
   * Attempts per page, the first one included, as far as transient failures go: the single retry after a 403
   * (request time) or a 401 comes on top. @default 6
   */
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

/** How one attempt failed, as the client observed it. */
export type AttemptFailure =
  | { readonly kind: 'network-error'; readonly detail: string }
  | { readonly kind: 'timeout'; readonly timeoutMs: number }
  /** The body passed the size limit and was not read. */
  | { readonly kind: 'oversized'; readonly status: number }
  /** A response read whole that is no page: any status but 200, or a 200 whose body is not a JSON array. */
  | {
      readonly kind: 'response';
      readonly status: number;
      /** The whole body, to classify on; never shown. */
      readonly body: string;
      /**
       * The body as it may be shown in an error: short, redacted. Absent for a 200, whose body is the report's
       * data (names, customer numbers) even when it is cut short.
       */
      readonly snippet: string | undefined;
      /** The wait a `Retry-After` header asked for, if it was given and readable. Milliseconds. */
      readonly retryAfterMs: number | undefined;
      /** The response's `Date` header: the server's clock. */
      readonly serverDate: string | null;
    };

/** What a page's attempts may spend on retries, and what they have spent so far. */
export interface RetryBudget {
  readonly policy: RetryPolicy;
  /** Uniform draws in [0, 1) for the backoff jitter; a parameter, so that the decision stays pure. */
  readonly random: () => number;
  /** Failures of the kinds retried with backoff. */
  readonly transientFailures: number;
  /** Whether the one retry with a fresh date after a 403 (request time) has been spent. */
  readonly freshDateSpent: boolean;
  /** Whether the one retry with re-read keys after a 401 has been spent. */
  readonly keyRereadSpent: boolean;
}

/** Why a page's request failed for good. */
export type GiveUpCause = 'retries-exhausted' | 'oversized' | 'clock-skew' | 'signature-rejected' | 'refused';

/** The decision to fail the page. */
export interface GiveUp {
  readonly kind: 'give-up';
  readonly cause: GiveUpCause;
  /** The last failure in a few words, without secrets: e.g. `status 503`, `timeout after 15000 ms`. */
  readonly reason: string;
}

/**
 * What to do after a failed attempt:
 * - `back-off`: wait `delayMs`, then try again;
 * - `retry-now`: try again at once (every attempt is signed anew, so it carries a fresh date);
 * - `reread-keys`: re-read the keys; try again at once if they changed, else decide again with `budget`;
 * - `give-up`: fail the page for `cause`.
 *
 * `reason` says, without secrets, why the attempt failed; `budget` is what the next decision starts from.
 */
export type RetryDecision =
  | {
      readonly kind: 'back-off';
      readonly delayMs: number;
      readonly reason: string;
      readonly budget: RetryBudget;
    }
  | {
      readonly kind: 'retry-now' | 'reread-keys';
      readonly delayMs: 0;
      readonly reason: string;
      readonly budget: RetryBudget;
    }
  | GiveUp;

/** The budget of a page before its first attempt. */
export function newRetryBudget(policy: RetryPolicy, random: () => number): RetryBudget {
  return { policy, random, transientFailures: 0, freshDateSpent: false, keyRereadSpent: false };
}

/**
 * The retry policy. Network errors, timeouts, 429, 500, 502, 503, 504 and a 200 whose body is not a JSON array
 * are transient: retried with backoff (or the server's `Retry-After`, capped) until `maxAttempts` transient
 * failures. A 403 that blames the request time is retried once at once, with a fresh date; a 401 once after
 * re-reading the keys. Everything else, an oversized body included, fails at once.
 */
export function decideRetry(failure: AttemptFailure, budget: RetryBudget): RetryDecision {
  const reason = describeFailure(failure);
  switch (failure.kind) {
    case 'network-error':
    case 'timeout':
      return backOff(budget, reason, undefined);
    case 'oversized':
      return { kind: 'give-up', cause: 'oversized', reason };
    case 'response':
      return decideOnResponse(failure, budget, reason);
  }
}

/** Diyalog's 403 body for a date off by more than 15 minutes, `Request time may not be correct.`, wherever it sits. */
const REQUEST_TIME_REFUSED = /Request\s+time/;

function decideOnResponse(
  response: Extract<AttemptFailure, { kind: 'response' }>,
  budget: RetryBudget,
  reason: string,
): RetryDecision {
  if (isRetryableStatus(response.status)) return backOff(budget, reason, response.retryAfterMs);
  // A 200 that is no page: a gateway's HTML, an error object, a body cut short. Another attempt may get the page.
  if (response.status === 200) return backOff(budget, reason, undefined);
  if (response.status === 403 && REQUEST_TIME_REFUSED.test(response.body)) {
    if (budget.freshDateSpent) return { kind: 'give-up', cause: 'clock-skew', reason };
    return {
      kind: 'retry-now',
      delayMs: 0,
      reason: 'status 403 (request time); retrying with a fresh date',
      budget: { ...budget, freshDateSpent: true },
    };
  }
  if (response.status === 401) {
    if (budget.keyRereadSpent) return { kind: 'give-up', cause: 'signature-rejected', reason };
    return {
      kind: 'reread-keys',
      delayMs: 0,
      reason: 'status 401; retrying with re-read keys',
      budget: { ...budget, keyRereadSpent: true },
    };
  }
  return { kind: 'give-up', cause: 'refused', reason };
}

/** Another attempt after a wait, unless this transient failure is the last the policy allows. */
function backOff(budget: RetryBudget, reason: string, retryAfterMs: number | undefined): RetryDecision {
  const transientFailures = budget.transientFailures + 1;
  if (transientFailures >= budget.policy.maxAttempts) return { kind: 'give-up', cause: 'retries-exhausted', reason };
  return {
    kind: 'back-off',
    delayMs: nextDelay(transientFailures, budget.policy, budget.random, retryAfterMs),
    reason,
    budget: { ...budget, transientFailures },
  };
}

/** A failed attempt in a few words, without secrets: e.g. `status 503`, `timeout after 15000 ms`. */
function describeFailure(failure: AttemptFailure): string {
  switch (failure.kind) {
    case 'network-error':
      return `network error: ${failure.detail}`;
    case 'timeout':
      return `timeout after ${failure.timeoutMs} ms`;
    case 'oversized':
      return `status ${failure.status} with a body over the size limit`;
    case 'response':
      return failure.status === 200 ? 'status 200 with a body that is not a JSON array' : `status ${failure.status}`;
  }
}

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
