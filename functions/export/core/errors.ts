/**
 * The one error tree of the exporter. Every failure a user can see is an {@link ExportError}; its message is a
 * single line that says what went wrong and what to do. Messages never contain the access key secret or a
 * signature.
 */
import { InvalidValueError, SettingError } from '../../contract/errors.js';

/** The interval one API request asked for, in epoch milliseconds, as sent. */
export interface RequestWindow {
  readonly startDate: number;
  readonly endDate: number;
}

export class ExportError extends Error {
  override name = 'ExportError';
}

/** Configuration (environment, CLI flags, event, secret value) is missing or invalid. */
export class ConfigError extends ExportError {
  override name = 'ConfigError';

  /** The variable, flag or field at fault, e.g. `DIYALOG_API_ENDPOINT`. */
  readonly setting: string;

  constructor(setting: string, message: string, options?: ErrorOptions) {
    super(`${setting}: ${message}`, options);
    this.setting = setting;
  }
}

/**
 * Runs a parser and reports what it refuses as a {@link ConfigError} of `setting`: a contract validator's
 * {@link SettingError} keeps its own setting name; a value parser's or the core's error gets `setting`.
 */
export function rethrowAs<T>(setting: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof SettingError) throw new ConfigError(error.setting, error.problem, { cause: error });
    if (error instanceof InvalidValueError || (error instanceof ExportError && !(error instanceof ConfigError))) {
      throw new ConfigError(setting, error.message, { cause: error });
    }
    throw error;
  }
}

export interface ApiErrorDetails {
  /** HTTP status of the last response, absent when no response was received. */
  readonly status?: number | undefined;
  readonly window: RequestWindow;
  /** How many requests were sent for this page, including the failed one. */
  readonly attempts: number;
  /** At most ~200 characters of the last response body, redacted. */
  readonly bodySnippet?: string | undefined;
  /** Whether the failure was of a kind that is retried (it was, until attempts ran out). */
  readonly retryable: boolean;
}

/** A request to the Diyalog API failed for good. */
export class ApiError extends ExportError implements ApiErrorDetails {
  override name = 'ApiError';
  readonly status?: number | undefined;
  readonly window: RequestWindow;
  readonly attempts: number;
  readonly bodySnippet?: string | undefined;
  readonly retryable: boolean;

  constructor(message: string, details: ApiErrorDetails, options?: ErrorOptions) {
    super(`${message} ${describeRequest(details)}`, options);
    this.status = details.status;
    this.window = details.window;
    this.attempts = details.attempts;
    this.bodySnippet = details.bodySnippet;
    this.retryable = details.retryable;
  }
}

/** The server refused the request time (403): the local clock is off by more than 15 minutes. */
export class ClockSkewError extends ApiError {
  override name = 'ClockSkewError';
}

/** The server rejected the signature (401). */
export class SignatureRejectedError extends ApiError {
  override name = 'SignatureRejectedError';
}

/** The run stopped before the Lambda's hard timeout, so that no write is cut off; the day can be re-run. */
export class DeadlineError extends ExportError {
  override name = 'DeadlineError';
}

/** The operator stopped the run (Ctrl-C); the day being exported was abandoned before it wrote anything. */
export class InterruptedError extends ExportError {
  override name = 'InterruptedError';
}

/** Reading or writing the export root failed; the message says which operation, on what, and why. */
export class StoreError extends ExportError {
  override name = 'StoreError';
}

/** The pager could not make progress through an interval. */
export class PagingError extends ExportError {
  override name = 'PagingError';
}

function describeRequest(details: ApiErrorDetails): string {
  const parts = [
    details.status === undefined ? 'no response' : `status ${details.status}`,
    `window [${new Date(details.window.startDate).toISOString()}, ${new Date(details.window.endDate).toISOString()}]`,
    `${details.attempts} attempt${details.attempts === 1 ? '' : 's'}`,
  ];
  if (details.bodySnippet) parts.push(`body: ${JSON.stringify(details.bodySnippet)}`);
  return `(${parts.join(', ')})`;
}
