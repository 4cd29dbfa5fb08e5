import { DEFAULTS, type SignatureVariant } from '../../contract/settings.js';
import type { ReportDefinition } from '../../contract/reports.js';
import type { RequestWindow } from '../core/errors.js';
import type { Page, PageSource } from '../core/ports.js';
import type { CredentialsProvider } from './credentials.js';
import { parsePageItems, readBoundedBody } from './decode.js';
import { reportUrl } from './endpoint.js';
import { pageError } from './page-error.js';
import { redactedSnippet } from './redact.js';
import {
  decideRetry,
  DEFAULT_RETRY_POLICY,
  newRetryBudget,
  parseRetryAfter,
  type AttemptFailure,
  type RetryPolicy,
} from './retry.js';
import { formatDlgDate, signRequest, type Credentials } from './sign.js';

const CONTENT_TYPE = 'application/json';

export interface RetryNotice {
  /** The report's name. */
  readonly report: string;
  readonly window: RequestWindow;
  /** The attempt that failed, 1-based. */
  readonly attempt: number;
  /** Attempts a page may take for transient failures (the policy's `maxAttempts`). */
  readonly maxAttempts: number;
  readonly delayMs: number;
  /** Why it failed, without secrets: e.g. `status 503`, `timeout after 15000 ms`. */
  readonly reason: string;
}

export interface DiyalogClientOptions {
  /** Base URL of the installation; may carry a path prefix. Validated: https, or http on loopback only. */
  readonly endpoint: string;
  /** The report this client pages: its path and the fields every request carries. */
  readonly report: Pick<ReportDefinition, 'name' | 'path' | 'requestExtras'>;
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

/** What one attempt ended with: a page, or a failure for the retry decision. */
type AttemptOutcome = { readonly kind: 'page'; readonly items: readonly unknown[] } | AttemptFailure;

/**
 * One signed `POST …/v1/reporting/<report>` per page, e.g. `getonlinehelplist`, with a timeout per attempt, retried as
 * {@link decideRetry} decides: transient failures (network, timeout, truncated or non-array bodies, 429, 5xx) with
 * backoff; 403 (request time) once with a fresh date; 401 once after re-reading the keys if they changed; anything
 * else fails at once.
 */
export class DiyalogClient implements PageSource {
  private readonly url: URL;
  private readonly report: string;
  private readonly requestExtras: Readonly<Record<string, string>>;
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
    this.url = reportUrl(options.endpoint, options.report.path, 'endpoint');
    this.report = options.report.name;
    this.requestExtras = options.report.requestExtras;
    this.credentials = options.credentials;
    this.variant = options.signatureVariant ?? DEFAULTS.signatureVariant;
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
    const body = JSON.stringify({ startDate: window.startDate, endDate: window.endDate, ...this.requestExtras });
    let budget = newRetryBudget(this.retry, this.random);
    for (let attempt = 1; ; attempt++) {
      signal?.throwIfAborted();
      const credentials = await this.credentials.get();
      const outcome = await this.attempt(body, credentials, signal);
      if (outcome.kind === 'page') return { items: outcome.items, attempts: attempt };
      // An abort fails the attempt too; report the abort, not the failure it caused.
      signal?.throwIfAborted();

      let decision = decideRetry(outcome, budget);
      if (decision.kind === 'reread-keys' && !(await this.credentials.refresh(credentials))) {
        // No other keys to try: decided again with the re-read spent, the 401 is final.
        decision = decideRetry(outcome, decision.budget);
      }
      if (decision.kind === 'give-up') {
        throw pageError(decision, outcome, {
          window,
          attempts: attempt,
          signatureVariant: this.variant,
          maxResponseBytes: this.maxResponseBytes,
          now: this.now(),
        });
      }
      this.onRetry({
        report: this.report,
        window,
        attempt,
        maxAttempts: this.retry.maxAttempts,
        delayMs: decision.delayMs,
        reason: decision.reason,
      });
      if (decision.kind === 'back-off') await this.sleep(decision.delayMs, signal);
      budget = decision.budget;
    }
  }

  /** Signs and sends `body` once, and reads the response within the timeout and the size limit. */
  private async attempt(
    body: string,
    credentials: Credentials,
    external: AbortSignal | undefined,
  ): Promise<AttemptOutcome> {
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

    const timeout = new AbortController();
    const timer = setTimeout(() => {
      timeout.abort();
    }, this.timeoutMs);
    try {
      const response = await this.fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': CONTENT_TYPE, accept: CONTENT_TYPE, ...headers },
        body,
        signal: external ? AbortSignal.any([timeout.signal, external]) : timeout.signal,
      });
      const read = await readBoundedBody(response, this.maxResponseBytes);
      if (read.kind === 'oversized') return { kind: 'oversized', status: response.status };
      const items = response.status === 200 ? parsePageItems(read.text) : undefined;
      if (items) return { kind: 'page', items };
      return {
        kind: 'response',
        status: response.status,
        body: read.text,
        snippet:
          response.status === 200 ? undefined : redactedSnippet(read.text, [credentials.accessKeySecret, signature]),
        retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), this.now()),
        serverDate: response.headers.get('date'),
      };
    } catch (error) {
      // A broken connection, a body cut mid-stream or not UTF-8, or the timeout's abort.
      return timeout.signal.aborted
        ? { kind: 'timeout', timeoutMs: this.timeoutMs }
        : { kind: 'network-error', detail: describe(error) };
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

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
