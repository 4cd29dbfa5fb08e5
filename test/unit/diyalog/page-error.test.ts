import { describe, expect, it } from 'vitest';
import {
  ApiError,
  ClockSkewError,
  SignatureRejectedError,
  type ApiErrorDetails,
} from '../../../functions/export/core/errors.js';
import { pageError, type PageErrorContext } from '../../../functions/export/diyalog/page-error.js';
import type { AttemptFailure, GiveUpCause } from '../../../functions/export/diyalog/retry.js';

const NOW = Date.UTC(2025, 10, 24, 0, 30, 0);
const window = { startDate: 1_763_848_799_999, endDate: 1_763_935_200_000 };
const context: PageErrorContext = {
  window,
  attempts: 3,
  signatureVariant: 'newline',
  maxResponseBytes: 5_242_880,
  now: NOW,
};

function response(status: number, snippet: string, serverDate: string | null = null): AttemptFailure {
  return { kind: 'response', status, body: snippet, snippet, retryAfterMs: undefined, serverDate };
}

const timeout: AttemptFailure = { kind: 'timeout', timeoutMs: 15_000 };

describe('pageError', () => {
  it.each<[GiveUpCause, string, AttemptFailure, typeof ApiError, Partial<ApiErrorDetails>, string]>([
    [
      'retries-exhausted',
      'timeout after 15000 ms',
      timeout,
      ApiError,
      { status: undefined, bodySnippet: undefined, retryable: true },
      'Diyalog request failed after retries: timeout after 15000 ms. (no response,',
    ],
    [
      'retries-exhausted',
      'status 503',
      response(503, 'Service Unavailable'),
      ApiError,
      { status: 503, bodySnippet: 'Service Unavailable', retryable: true },
      'Diyalog request failed after retries: status 503.',
    ],
    [
      'oversized',
      'status 200 with a body over the size limit',
      { kind: 'oversized', status: 200 },
      ApiError,
      { status: 200, bodySnippet: undefined, retryable: false },
      'larger than 5242880 bytes; refused unparsed.',
    ],
    [
      'clock-skew',
      'status 403',
      response(403, 'Request time may not be correct.'),
      ClockSkewError,
      { status: 403, bodySnippet: 'Request time may not be correct.', retryable: false },
      'Synchronise this machine',
    ],
    [
      'signature-rejected',
      'status 401',
      response(401, 'Authorization failed'),
      SignatureRejectedError,
      { status: 401, bodySnippet: 'Authorization failed', retryable: false },
      'DIYALOG_SIGNATURE_VARIANT=concat',
    ],
    [
      'refused',
      'status 404',
      response(404, 'Not Found'),
      ApiError,
      { status: 404, bodySnippet: 'Not Found', retryable: false },
      'Diyalog refused the request (status 404); not retried.',
    ],
  ])('%s after %s', (cause, reason, failure, errorClass, details, message) => {
    const error = pageError({ kind: 'give-up', cause, reason }, failure, context);
    expect(error).toBeInstanceOf(errorClass);
    expect(error).toMatchObject({ ...details, window, attempts: 3 });
    expect(error.message).toContain(message);
    expect(error.message).not.toContain('\n');
  });

  it('measures the clock offset against the server Date, either way', () => {
    const skew = (serverDate: string): string =>
      pageError(
        { kind: 'give-up', cause: 'clock-skew', reason: 'status 403' },
        response(403, 'Request time may not be correct.', serverDate),
        context,
      ).message;
    expect(skew(new Date(NOW - 17 * 60_000 - 5_000).toUTCString())).toContain(
      "the local clock is 17 min 5 s ahead of the server's",
    );
    expect(skew(new Date(NOW + 30 * 60_000).toUTCString())).toContain(
      "the local clock is 30 min 0 s behind the server's",
    );
    expect(skew('not a date')).toContain('no Date header to measure the offset');
  });

  it('names the newline variant for a client that signed with concat', () => {
    const error = pageError(
      { kind: 'give-up', cause: 'signature-rejected', reason: 'status 401' },
      response(401, 'Authorization failed'),
      { ...context, signatureVariant: 'concat' },
    );
    expect(error.message).toContain('(signature variant "concat")');
    expect(error.message).toContain('DIYALOG_SIGNATURE_VARIANT=newline');
  });
});
