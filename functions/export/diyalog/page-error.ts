import {
  ApiError,
  ClockSkewError,
  SignatureRejectedError,
  type ApiErrorDetails,
  type RequestWindow,
} from '../core/errors.js';
import type { AttemptFailure, GiveUp } from './retry.js';
import type { SignatureVariant } from '../../contract/settings.js';

/** What a page's error reports besides the last failure. */
export interface PageErrorContext {
  readonly window: RequestWindow;
  /** Requests sent for the page, the failed one included. */
  readonly attempts: number;
  readonly signatureVariant: SignatureVariant;
  /** The body size limit, in bytes. */
  readonly maxResponseBytes: number;
  /** The local clock when the page failed, epoch milliseconds: measured against the server's `Date`. */
  readonly now: number;
}

/**
 * The error a page's request fails with once the retry decision gave up: its class from the cause, and a one-line
 * message that says what to do. Of a body, only the redacted snippet is quoted.
 *
 * @param failure the last attempt's failure, the one the decision gave up on
 */
export function pageError(giveUp: GiveUp, failure: AttemptFailure, context: PageErrorContext): ApiError {
  const details: ApiErrorDetails = {
    status: 'status' in failure ? failure.status : undefined,
    window: context.window,
    attempts: context.attempts,
    bodySnippet: failure.kind === 'response' ? failure.snippet : undefined,
    retryable: giveUp.cause === 'retries-exhausted',
  };
  switch (giveUp.cause) {
    case 'retries-exhausted':
      return new ApiError(`Diyalog request failed after retries: ${giveUp.reason}.`, details);
    case 'oversized':
      return new ApiError(
        `Diyalog sent a response body larger than ${context.maxResponseBytes} bytes; refused unparsed.`,
        details,
      );
    case 'clock-skew': {
      const serverDate = failure.kind === 'response' ? failure.serverDate : null;
      return new ClockSkewError(clockSkewMessage(serverDate, context.now), details);
    }
    case 'signature-rejected': {
      const variant = context.signatureVariant;
      return new SignatureRejectedError(
        `Diyalog rejected the request signature (signature variant "${variant}"). Check the access key id and ` +
          `secret, and the clock; if they are right, the server may check the other variant: set ` +
          `DIYALOG_SIGNATURE_VARIANT=${variant === 'newline' ? 'concat' : 'newline'}.`,
        details,
      );
    }
    case 'refused':
      return new ApiError(`Diyalog refused the request (${giveUp.reason}); not retried.`, details);
  }
}

function clockSkewMessage(serverDate: string | null, localNow: number): string {
  const server = serverDate === null ? NaN : Date.parse(serverDate);
  const measured = Number.isNaN(server)
    ? 'the response had no Date header to measure the offset'
    : `measured offset: the local clock is ${formatOffset(localNow - server)} the server's`;
  return (
    `Diyalog refused the request time twice: the local clock differs from the server's by more than 15 minutes ` +
    `(${measured}). Synchronise this machine's clock (NTP) and run again.`
  );
}

function formatOffset(ms: number): string {
  const seconds = Math.round(Math.abs(ms) / 1000);
  const text = `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  return ms >= 0 ? `${text} ahead of` : `${text} behind`;
}
