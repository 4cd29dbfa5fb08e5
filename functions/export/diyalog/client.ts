import { ApiError, ClockSkewError, SignatureRejectedError, type RequestWindow } from '../core/errors.js';
import type { Page, PageSource } from '../core/ports.js';
import type { CredentialsProvider } from './credentials.js';
import { parsePageItems, readBoundedBody } from './decode.js';
import { reportUrl } from './endpoint.js';
import { redactedSnippet } from './redact.js';
import { DEFAULT_RETRY_POLICY, isRetryableStatus, nextDelay, parseRetryAfter, type RetryPolicy } from './retry.js';
import { formatDlgDate, signRequest, type Credentials, type SignatureVariant } from './sign.js';

const CONTENT_TYPE = 'application/json';

export interface RetryNotice {
  readonly window: RequestWindow;
  /** The attempt that failed, 1-based. */
  readonly attempt: number;
  readonly delayMs: number;
  /** Why it failed, without secrets: e.g. `status 503`, `timeout after 15000 ms`. */
  readonly reason: string;
}

export interface DiyalogClientOptions {
  /** Base URL of the installation; may carry a path prefix. Validated: https, or http on loopback only. */
  readonly endpoint: string;
  readonly credentials: CredentialsProvider;
  /** @default 'newline' */
  readonly signatureVariant?: SignatureVariant;
  /** Per attempt, covering the whole response body. Milliseconds. @default 15_000 */
  readonly timeoutMs?: number;
  readonly retry?: RetryPolicy;
  /** A larger body is refused unparsed. Bytes. @default 5 MiB */
  readonly maxResponseBytes?: number;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
  /** Waits between attempts; rejects with the signal's reason when it aborts. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly random?: () => number;
  /** Called before each wait for a retry: the source of the retry metrics. */
  readonly onRetry?: (notice: RetryNotice) => void;
}

/** What one attempt ended with. */
type Attempt =
  | { readonly kind: 'page'; readonly items: readonly unknown[] }
  | {
      readonly kind: 'transient';
      readonly reason: string;
      readonly status?: number;
      readonly body?: string;
      readonly retryAfterMs?: number;
    }
  | {
      readonly kind: 'terminal';
      readonly status: number;
      readonly body: string;
      readonly serverDate: string | null;
      /** The keys this attempt was signed with. */
      readonly credentials: Credentials;
    }
  | { readonly kind: 'oversized'; readonly status: number };

/**
 * One signed `POST …/v1/reporting/getonlinehelplist` per page, with a timeout per attempt and the retry policy:
 * transient failures (network, timeout, truncated or non-array bodies, 429, 5xx) are retried with backoff;
 * 403 (request time) is retried once with a fresh date; 401 once after re-reading the keys if they changed;
 * anything else fails at once.
 */
export class DiyalogClient implements PageSource {
  private readonly url: URL;
  private readonly credentials: CredentialsProvider;
  private readonly variant: SignatureVariant;
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;
  private readonly maxResponseBytes: number;
  private readonly fetch: typeof fetch;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly random: () => number;
  private readonly onRetry: (notice: RetryNotice) => void;

  constructor(options: DiyalogClientOptions) {
    this.url = reportUrl(options.endpoint, 'endpoint');
    this.credentials = options.credentials;
    this.variant = options.signatureVariant ?? 'newline';
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.maxResponseBytes = options.maxResponseBytes ?? 5 * 1024 * 1024;
    this.fetch = options.fetch ?? globalThis.fetch;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? abortableSleep;
    this.random = options.random ?? Math.random;
    this.onRetry = options.onRetry ?? (() => undefined);
  }

  async fetchPage(window: RequestWindow, signal?: AbortSignal): Promise<Page> {
    // Serialised once: these exact bytes are signed and sent on every attempt.
    const body = JSON.stringify({ startDate: window.startDate, endDate: window.endDate });
    let transientFailures = 0;
    let clockRetried = false;
    let keysRefreshed = false;
    for (let attempt = 1; ; attempt++) {
      signal?.throwIfAborted();
      const outcome = await this.attempt(body, signal);
      if (outcome.kind === 'page') return { items: outcome.items, attempts: attempt };

      if (outcome.kind === 'transient') {
        signal?.throwIfAborted();
        transientFailures++;
        if (transientFailures >= this.retry.maxAttempts) {
          throw new ApiError(`Diyalog request failed after retries: ${outcome.reason}.`, {
            status: outcome.status,
            window,
            attempts: attempt,
            bodySnippet: outcome.body,
            retryable: true,
          });
        }
        const delayMs = nextDelay(transientFailures, this.retry, this.random, outcome.retryAfterMs);
        this.onRetry({ window, attempt, delayMs, reason: outcome.reason });
        await this.sleep(delayMs, signal);
        continue;
      }

      if (outcome.kind === 'oversized') {
        throw new ApiError(
          `Diyalog sent a response body larger than ${this.maxResponseBytes} bytes; refused unparsed.`,
          { status: outcome.status, window, attempts: attempt, retryable: false },
        );
      }
      const details = {
        status: outcome.status,
        window,
        attempts: attempt,
        bodySnippet: outcome.body,
        retryable: false,
      };
      if (outcome.status === 403 && outcome.body.includes('Request time')) {
        if (!clockRetried) {
          clockRetried = true;
          this.onRetry({
            window,
            attempt,
            delayMs: 0,
            reason: 'status 403 (request time); retrying with a fresh date',
          });
          continue;
        }
        throw new ClockSkewError(clockSkewMessage(outcome.serverDate, this.now()), details);
      }
      if (outcome.status === 401) {
        if (!keysRefreshed && (await this.credentials.refresh(outcome.credentials))) {
          keysRefreshed = true;
          this.onRetry({ window, attempt, delayMs: 0, reason: 'status 401; retrying with re-read keys' });
          continue;
        }
        throw new SignatureRejectedError(
          `Diyalog rejected the request signature (signature variant "${this.variant}"). Check the access key id and ` +
            `secret, and the clock; if they are right, the server may check the other variant: set ` +
            `DIYALOG_SIGNATURE_VARIANT=${this.variant === 'newline' ? 'concat' : 'newline'}.`,
          details,
        );
      }
      throw new ApiError(`Diyalog refused the request (status ${outcome.status}); not retried.`, details);
    }
  }

  private async attempt(body: string, external: AbortSignal | undefined): Promise<Attempt> {
    const credentials = await this.credentials.get();
    const headers = signRequest(
      {
        method: 'POST',
        contentType: CONTENT_TYPE,
        date: formatDlgDate(new Date(this.now())),
        body,
        resource: this.url.pathname,
      },
      credentials,
      this.variant,
    );
    const authorization = headers['x-dlg-authorization'];
    const signature = authorization.slice(authorization.lastIndexOf(':') + 1);
    const redact = (text: string): string => redactedSnippet(text, [credentials.accessKeySecret, signature]);

    const abort = new AbortController();
    const timer = setTimeout(() => {
      abort.abort();
    }, this.timeoutMs);
    try {
      const response = await this.fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': CONTENT_TYPE, accept: CONTENT_TYPE, ...headers },
        body,
        signal: external ? AbortSignal.any([abort.signal, external]) : abort.signal,
      });
      const read = await readBoundedBody(response, this.maxResponseBytes);
      if (read.kind === 'oversized') return { kind: 'oversized', status: response.status };
      const { text } = read;
      if (response.status === 200) {
        const items = parsePageItems(text);
        return items
          ? { kind: 'page', items }
          : {
              kind: 'transient',
              reason: 'status 200 with a body that is not a JSON array',
              status: 200,
              body: redact(text),
            };
      }
      if (isRetryableStatus(response.status)) {
        const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), this.now());
        return {
          kind: 'transient',
          reason: `status ${response.status}`,
          status: response.status,
          body: redact(text),
          ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        };
      }
      return {
        kind: 'terminal',
        status: response.status,
        body: redact(text),
        serverDate: response.headers.get('date'),
        credentials,
      };
    } catch (error) {
      const reason = abort.signal.aborted ? `timeout after ${this.timeoutMs} ms` : `network error: ${describe(error)}`;
      return { kind: 'transient', reason };
    } finally {
      clearTimeout(timer);
    }
  }
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
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

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
