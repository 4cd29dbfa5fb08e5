import { describe, expect, it } from 'vitest';
import { redactedSnippet } from '../../../functions/export/diyalog/redact.js';
import {
  backoffDelay,
  decideRetry,
  DEFAULT_RETRY_POLICY,
  isRetryableStatus,
  newRetryBudget,
  nextDelay,
  parseRetryAfter,
  type AttemptFailure,
  type GiveUpCause,
  type RetryBudget,
  type RetryDecision,
} from '../../../functions/export/diyalog/retry.js';

const policy = { maxAttempts: 6, baseDelayMs: 100, maxDelayMs: 1_000, maxRetryAfterMs: 5_000 };
const almostOne = () => 0.999_999;

describe('retry policy', () => {
  it.each([429, 500, 502, 503, 504])('retries status %i', (status) => {
    expect(isRetryableStatus(status)).toBe(true);
  });

  it.each([200, 400, 401, 403, 404, 501])('does not retry status %i by status alone', (status) => {
    expect(isRetryableStatus(status)).toBe(false);
  });

  it('draws full-jitter delays in [0, base·2^(n−1)) capped at maxDelay', () => {
    expect(backoffDelay(1, policy, () => 0)).toBe(0);
    expect(backoffDelay(1, policy, almostOne)).toBe(99);
    expect(backoffDelay(2, policy, almostOne)).toBe(199);
    expect(backoffDelay(4, policy, almostOne)).toBe(799);
    expect(backoffDelay(5, policy, almostOne)).toBe(999);
    expect(backoffDelay(30, policy, almostOne)).toBe(999);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.UTC(2025, 10, 24, 12, 0, 0);
    expect(parseRetryAfter('7', now)).toBe(7_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Mon, 24 Nov 2025 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Mon, 24 Nov 2025 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('honours Retry-After up to its cap, else backs off', () => {
    expect(nextDelay(1, policy, almostOne, 3_000)).toBe(3_000);
    expect(nextDelay(1, policy, almostOne, 3_600_000)).toBe(5_000);
    expect(nextDelay(3, policy, almostOne, undefined)).toBe(399);
  });

  it('has sane defaults', () => {
    expect(DEFAULT_RETRY_POLICY.maxAttempts).toBeGreaterThanOrEqual(3);
    expect(DEFAULT_RETRY_POLICY.maxRetryAfterMs).toBeLessThanOrEqual(120_000);
  });
});

describe('decideRetry', () => {
  // maxAttempts 3: the third transient failure is the last; random 0.5 halves each backoff ceiling.
  const tablePolicy = { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1_000, maxRetryAfterMs: 5_000 };
  const fresh = newRetryBudget(tablePolicy, () => 0.5);
  const spent = (spending: Partial<RetryBudget>): RetryBudget => ({ ...fresh, ...spending });

  const response = (status: number, body: string, retryAfterMs?: number): AttemptFailure => ({
    kind: 'response',
    status,
    body,
    snippet: redactedSnippet(body, []),
    retryAfterMs,
    serverDate: null,
  });
  const SKEW = 'Request time may not be correct.';
  const SKEW_PAST_SNIPPET = `<html><body><p>${'Erişim reddedildi. '.repeat(12)}</p><p>${SKEW}</p></body></html>`;
  const reset: AttemptFailure = { kind: 'network-error', detail: 'fetch failed: read ECONNRESET' };
  const timeout: AttemptFailure = { kind: 'timeout', timeoutMs: 15_000 };

  const backOff = (delayMs: number, reason: string, budget: RetryBudget): RetryDecision => ({
    kind: 'back-off',
    delayMs,
    reason,
    budget,
  });
  const giveUp = (cause: GiveUpCause, reason: string): RetryDecision => ({ kind: 'give-up', cause, reason });
  const first = spent({ transientFailures: 1 });

  const table: [string, AttemptFailure, RetryBudget, RetryDecision][] = [
    ['network error', reset, fresh, backOff(50, 'network error: fetch failed: read ECONNRESET', first)],
    ['timeout', timeout, fresh, backOff(50, 'timeout after 15000 ms', first)],
    ...[500, 502, 503, 504, 429].map((status): [string, AttemptFailure, RetryBudget, RetryDecision] => [
      `status ${status}`,
      response(status, 'busy'),
      fresh,
      backOff(50, `status ${status}`, first),
    ]),
    ['429 with Retry-After', response(429, 'slow down', 3_000), fresh, backOff(3_000, 'status 429', first)],
    ['429 with a Retry-After past the cap', response(429, '', 3_600_000), fresh, backOff(5_000, 'status 429', first)],
    ['503 with Retry-After', response(503, '', 0), fresh, backOff(0, 'status 503', first)],
    [
      '200 whose body is not a JSON array',
      response(200, '<html>login</html>'),
      fresh,
      backOff(50, 'status 200 with a body that is not a JSON array', first),
    ],
    [
      '200 not an array, Retry-After ignored',
      response(200, '{}', 3_000),
      fresh,
      backOff(50, 'status 200 with a body that is not a JSON array', first),
    ],
    [
      'second transient failure: a doubled ceiling',
      response(502, ''),
      first,
      backOff(100, 'status 502', spent({ transientFailures: 2 })),
    ],
    [
      'last transient failure allowed',
      response(503, ''),
      spent({ transientFailures: 2 }),
      giveUp('retries-exhausted', 'status 503'),
    ],
    [
      'timeout, none left',
      timeout,
      spent({ transientFailures: 2 }),
      giveUp('retries-exhausted', 'timeout after 15000 ms'),
    ],
    [
      '403 request time',
      response(403, SKEW),
      fresh,
      {
        kind: 'retry-now',
        delayMs: 0,
        reason: 'status 403 (request time); retrying with a fresh date',
        budget: spent({ freshDateSpent: true }),
      },
    ],
    [
      '403 request time past the display snippet',
      response(403, SKEW_PAST_SNIPPET),
      fresh,
      {
        kind: 'retry-now',
        delayMs: 0,
        reason: 'status 403 (request time); retrying with a fresh date',
        budget: spent({ freshDateSpent: true }),
      },
    ],
    [
      '403 request time wrapped across lines',
      response(403, 'Request\n  time may not be correct.'),
      fresh,
      {
        kind: 'retry-now',
        delayMs: 0,
        reason: 'status 403 (request time); retrying with a fresh date',
        budget: spent({ freshDateSpent: true }),
      },
    ],
    [
      '403 request time after transient failures: they stay counted',
      response(403, SKEW),
      spent({ transientFailures: 2 }),
      {
        kind: 'retry-now',
        delayMs: 0,
        reason: 'status 403 (request time); retrying with a fresh date',
        budget: spent({ transientFailures: 2, freshDateSpent: true }),
      },
    ],
    [
      '403 request time, fresh date spent',
      response(403, SKEW),
      spent({ freshDateSpent: true }),
      giveUp('clock-skew', 'status 403'),
    ],
    ['403 for another reason', response(403, 'Forbidden by WAF'), fresh, giveUp('refused', 'status 403')],
    [
      '401',
      response(401, 'Authorization failed'),
      fresh,
      {
        kind: 'reread-keys',
        delayMs: 0,
        reason: 'status 401; retrying with re-read keys',
        budget: spent({ keyRereadSpent: true }),
      },
    ],
    [
      '401, keys re-read',
      response(401, 'Authorization failed'),
      spent({ keyRereadSpent: true }),
      giveUp('signature-rejected', 'status 401'),
    ],
    ['400', response(400, 'Required headers not found'), fresh, giveUp('refused', 'status 400')],
    ['404', response(404, 'Not Found'), fresh, giveUp('refused', 'status 404')],
    ['501', response(501, 'Not Implemented'), fresh, giveUp('refused', 'status 501')],
    [
      'oversized 200',
      { kind: 'oversized', status: 200 },
      fresh,
      giveUp('oversized', 'status 200 with a body over the size limit'),
    ],
    [
      'oversized 503: refused, not retried',
      { kind: 'oversized', status: 503 },
      fresh,
      giveUp('oversized', 'status 503 with a body over the size limit'),
    ],
  ];

  it.each(table)('%s', (_name, failure, budget, expected) => {
    expect(decideRetry(failure, budget)).toEqual(expected);
  });

  it('the table reaches every decision and every cause of giving up', () => {
    const decisions = table.map(([, , , decision]) => decision);
    expect(new Set(decisions.map((d) => d.kind))).toEqual(new Set(['back-off', 'retry-now', 'reread-keys', 'give-up']));
    expect(new Set(decisions.flatMap((d) => (d.kind === 'give-up' ? [d.cause] : [])))).toEqual(
      new Set(['retries-exhausted', 'oversized', 'clock-skew', 'signature-rejected', 'refused']),
    );
  });

  it('never changes the budget it is given', () => {
    const budget = spent({ transientFailures: 1 });
    const copy = { ...budget };
    for (const [, failure] of table) decideRetry(failure, budget);
    expect(budget).toEqual(copy);
  });
});
