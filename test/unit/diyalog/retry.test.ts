import { describe, expect, it } from 'vitest';
import {
  backoffDelay,
  DEFAULT_RETRY_POLICY,
  isRetryableStatus,
  nextDelay,
  parseRetryAfter,
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
