import { afterEach, describe, expect, it, vi } from 'vitest';
import { CALLS, ONLINE_HELP } from '../../../functions/contract/reports.js';
import {
  ApiError,
  ClockSkewError,
  ConfigError,
  SignatureRejectedError,
} from '../../../functions/export/core/errors.js';
import {
  DiyalogClient,
  type DiyalogClientOptions,
  type RetryNotice,
} from '../../../functions/export/diyalog/client.js';
import { staticCredentials, type CredentialsProvider } from '../../../functions/export/diyalog/credentials.js';
import { computeSignature } from '../../../functions/export/diyalog/sign.js';
import { faultResponse, json, pageJson, text, type TransportFault } from '../../support/fake-fetch.js';

const SECRET = 'canary-secret-7f3a9c';
const credentials = { accessKeyId: 'AK-test', accessKeySecret: SECRET, requesterUserId: 'etl-user' };
const window = { startDate: 1_763_848_799_999, endDate: 1_763_935_200_000 };
const NOW = Date.UTC(2025, 10, 24, 0, 30, 0);
const validPage = pageJson([{ onlineHelpId: 9_007_199_254_740_993n, helpRequestedAt: 1_763_900_000_000 }]);

type Responder = (url: URL, init: RequestInit) => Promise<Response>;

interface Harness {
  client: DiyalogClient;
  calls: { url: URL; init: RequestInit }[];
  sleeps: number[];
  retries: RetryNotice[];
}

/** A client whose fetch answers with `script[i]` on the i-th call (the last one repeats). */
function harness(script: Responder[], options: Partial<DiyalogClientOptions> = {}): Harness {
  const calls: Harness['calls'] = [];
  const sleeps: number[] = [];
  const retries: RetryNotice[] = [];
  const fetchStub = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input);
    const request = init ?? {};
    calls.push({ url, init: request });
    const responder = script[Math.min(calls.length - 1, script.length - 1)];
    if (!responder) throw new Error('empty script');
    return responder(url, request);
  };
  const client = new DiyalogClient({
    report: ONLINE_HELP,
    endpoint: 'https://diyalog.example.com',
    credentials: staticCredentials(credentials),
    fetch: fetchStub,
    now: () => NOW,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    random: () => 0.5,
    timeoutMs: 20,
    onRetry: (notice) => retries.push(notice),
    ...options,
  });
  return { client, calls, sleeps, retries };
}

const ok: Responder = () => json(validPage);
const fault =
  (kind: TransportFault): Responder =>
  (_url, init) =>
    faultResponse(kind, validPage, init.signal ?? null);

function headerOf(init: RequestInit, name: string): string {
  const headers = new Headers(init.headers);
  return headers.get(name) ?? '';
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error('rejected with a non-Error', { cause: error });
  }
  throw new Error('expected a failure');
}

describe('DiyalogClient', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends one signed POST whose signature covers the exact body bytes and the full path', async () => {
    const { client, calls } = harness([ok], { endpoint: 'https://diyalog.example.com/gateway/' });
    const page = await client.fetchPage(window);
    expect(page).toEqual({
      items: [{ onlineHelpId: 9_007_199_254_740_993n, helpRequestedAt: 1_763_900_000_000 }],
      attempts: 1,
    });
    const [call] = calls;
    if (!call) throw new Error('no call');
    expect(call.url.href).toBe('https://diyalog.example.com/gateway/v1/reporting/getonlinehelplist');
    expect(call.init.method).toBe('POST');
    expect(call.init.body).toBe('{"startDate":1763848799999,"endDate":1763935200000}');
    const date = headerOf(call.init, 'x-dlg-date');
    expect(date).toBe('Mon, 24 Nov 2025 00:30:00 GMT');
    expect(headerOf(call.init, 'x-dlg-requester-userid')).toBe('etl-user');
    const expected = computeSignature(
      SECRET,
      {
        method: 'POST',
        contentType: 'application/json',
        date,
        body: '{"startDate":1763848799999,"endDate":1763935200000}',
        resource: '/gateway/v1/reporting/getonlinehelplist',
      },
      'newline',
    );
    expect(headerOf(call.init, 'x-dlg-authorization')).toBe(`DLGA AK-test:${expected}`);
    expect(headerOf(call.init, 'content-type')).toBe('application/json');
  });

  it('pages the calls report at its own path, with callType "all" in the signed body', async () => {
    const { client, calls } = harness([ok], { report: CALLS, endpoint: 'https://diyalog.example.com/gateway' });
    await client.fetchPage(window);
    const init = calls[0]?.init ?? {};
    expect(calls[0]?.url.href).toBe('https://diyalog.example.com/gateway/v1/reporting/getcalllist');
    const body = '{"startDate":1763848799999,"endDate":1763935200000,"callType":"all"}';
    expect(init.body).toBe(body);
    const signature = computeSignature(
      SECRET,
      {
        method: 'POST',
        contentType: 'application/json',
        date: headerOf(init, 'x-dlg-date'),
        body,
        resource: '/gateway/v1/reporting/getcalllist',
      },
      'newline',
    );
    expect(headerOf(init, 'x-dlg-authorization')).toBe(`DLGA AK-test:${signature}`);
  });

  it('signs with the concat variant when configured', async () => {
    const { client, calls } = harness([ok], { signatureVariant: 'concat' });
    await client.fetchPage(window);
    const init = calls[0]?.init ?? {};
    const signature = computeSignature(
      SECRET,
      {
        method: 'POST',
        contentType: 'application/json',
        date: headerOf(init, 'x-dlg-date'),
        body: typeof init.body === 'string' ? init.body : '',
        resource: '/v1/reporting/getonlinehelplist',
      },
      'concat',
    );
    expect(headerOf(init, 'x-dlg-authorization')).toBe(`DLGA AK-test:${signature}`);
  });

  describe('status and error → attempts', () => {
    const transient: TransportFault[] = [
      'reset',
      'timeout',
      'truncated',
      'status500',
      'status429',
      'status502',
      'status503',
      'status504',
      'html200',
      'object200',
      'brokenJson200',
    ];

    it.each(transient)('%s is retried and then succeeds (2 attempts)', async (kind) => {
      const { client, calls, retries } = harness([fault(kind), ok]);
      const page = await client.fetchPage(window);
      expect(page.attempts).toBe(2);
      expect(calls).toHaveLength(2);
      expect(retries).toHaveLength(1);
    });

    it.each(transient)('%s on every attempt fails after maxAttempts with a retryable ApiError', async (kind) => {
      const { client, calls } = harness([fault(kind)], {
        retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 },
      });
      const error = await failure(client.fetchPage(window));
      expect(error).toBeInstanceOf(ApiError);
      expect(error).toMatchObject({ attempts: 4, retryable: true, window });
      expect(calls).toHaveLength(4);
    });

    it.each([
      [400, 'Required headers not found'],
      [400, 'Authorization failed due to data format not valid'],
      [404, 'Not Found'],
      [403, 'Forbidden by WAF'],
      [501, 'Not Implemented'],
    ])('status %i (%s) fails at once', async (status, body) => {
      const { client, calls } = harness([() => text(status, body)]);
      const error = await failure(client.fetchPage(window));
      expect(error).toBeInstanceOf(ApiError);
      expect(error).toMatchObject({ status, attempts: 1, retryable: false, bodySnippet: body });
      expect(error.message).toContain(`status ${status}`);
      expect(calls).toHaveLength(1);
    });
  });

  it('honours Retry-After on 429, capped by the policy', async () => {
    const tooMany =
      (seconds: string): Responder =>
      () =>
        text(429, 'slow down', { 'retry-after': seconds });
    const { client, sleeps } = harness([tooMany('3'), tooMany('86400'), ok], {
      retry: { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1_000, maxRetryAfterMs: 30_000 },
    });
    await client.fetchPage(window);
    expect(sleeps).toEqual([3_000, 30_000]);
  });

  it('waits a jittered exponential backoff between attempts (fake timers)', async () => {
    vi.useFakeTimers();
    const calls: number[] = [];
    const client = new DiyalogClient({
      report: ONLINE_HELP,
      endpoint: 'https://diyalog.example.com',
      credentials: staticCredentials(credentials),
      fetch: () => {
        calls.push(Date.now());
        return calls.length < 3 ? text(503, 'busy') : json(validPage);
      },
      random: () => 0.999,
      retry: { maxAttempts: 5, baseDelayMs: 1_000, maxDelayMs: 60_000, maxRetryAfterMs: 60_000 },
    });
    const start = Date.now();
    const pending = client.fetchPage(window);
    await vi.advanceTimersByTimeAsync(998);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1_997);
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(3);
    await expect(pending).resolves.toMatchObject({ attempts: 3 });
    expect(calls.map((t) => t - start)).toEqual([0, 999, 2_997]);
  });

  it('retries a 403 request-time refusal once with a fresh date, then blames the clock with the measured offset', async () => {
    let now = NOW;
    const serverDate = new Date(NOW - 17 * 60_000 - 5_000).toUTCString();
    const skew: Responder = () => text(403, 'Request time may not be correct.', { date: serverDate });
    const { client, calls } = harness([skew], {
      now: () => (now += 1_000),
    });
    const error = await failure(client.fetchPage(window));
    expect(error).toBeInstanceOf(ClockSkewError);
    expect(error.message).toContain('clock');
    expect(error.message).toMatch(/17 min \d+ s ahead of the server's/);
    expect(calls).toHaveLength(2);
    expect(headerOf(calls[0]?.init ?? {}, 'x-dlg-date')).not.toBe(headerOf(calls[1]?.init ?? {}, 'x-dlg-date'));
  });

  it('recognises a 403 request-time refusal whose text lies past the 200 characters an error quotes', async () => {
    const body = `<html><body><h1>403 Forbidden</h1><p>${'x'.repeat(250)}</p><p>Request time may not be correct.</p></body></html>`;
    expect(body.indexOf('Request time')).toBeGreaterThan(200);
    const { client, calls } = harness([() => text(403, body)]);
    const error = await failure(client.fetchPage(window));
    expect(error).toBeInstanceOf(ClockSkewError);
    expect(calls).toHaveLength(2);
    if (!(error instanceof ApiError)) throw error;
    expect(error.bodySnippet).not.toContain('Request time');
  });

  it('says when no Date header allowed measuring the clock offset', async () => {
    const { client } = harness([() => text(403, 'Request time may not be correct.')]);
    const error = await failure(client.fetchPage(window));
    expect(error.message).toContain('no Date header');
  });

  it('recovers from a 403 when the fresh date is accepted', async () => {
    const { client } = harness([() => text(403, 'Request time may not be correct.'), ok]);
    await expect(client.fetchPage(window)).resolves.toMatchObject({ attempts: 2 });
  });

  it('on 401 names the signature variant and what to check, without retrying static keys', async () => {
    const { client, calls } = harness([() => text(401, 'Authorization failed')]);
    const error = await failure(client.fetchPage(window));
    expect(error).toBeInstanceOf(SignatureRejectedError);
    expect(error.message).toContain('signature');
    expect(error.message).toContain('"newline"');
    expect(error.message).toContain('DIYALOG_SIGNATURE_VARIANT=concat');
    expect(calls).toHaveLength(1);
  });

  it('on 401 re-reads rotated keys once and retries', async () => {
    let refreshes = 0;
    const rotating: CredentialsProvider = {
      get: () => Promise.resolve(refreshes === 0 ? credentials : { ...credentials, accessKeySecret: 'rotated' }),
      refresh: () => {
        refreshes++;
        return Promise.resolve(true);
      },
    };
    const { client, calls } = harness([() => text(401, 'Authorization failed')], { credentials: rotating });
    const error = await failure(client.fetchPage(window));
    expect(error).toBeInstanceOf(SignatureRejectedError);
    expect(refreshes).toBe(1);
    expect(calls).toHaveLength(2);
  });

  it('rejects with the abort reason when the caller aborts during an attempt, and announces no retry', async () => {
    const caller = new AbortController();
    const deadline = new Error('deadline reached');
    const { client, calls, retries } = harness([
      () => {
        caller.abort(deadline);
        return Promise.reject(new DOMException('This operation was aborted', 'AbortError'));
      },
    ]);
    await expect(client.fetchPage(window, caller.signal)).rejects.toBe(deadline);
    expect(calls).toHaveLength(1);
    expect(retries).toEqual([]);
  });

  it('rejects with the abort reason when the caller aborts during the wait for a retry', async () => {
    const caller = new AbortController();
    const deadline = new Error('deadline reached');
    const { client, calls } = harness([() => text(503, 'busy')], {
      sleep: () => {
        caller.abort(deadline);
        return Promise.reject(deadline);
      },
    });
    await expect(client.fetchPage(window, caller.signal)).rejects.toBe(deadline);
    expect(calls).toHaveLength(1);
  });

  it('refuses a response body over the size limit without parsing it', async () => {
    const big = `[${'{"onlineHelpId":1,"helpRequestedAt":1},'.repeat(2_000)}{}]`;
    const { client, calls } = harness([() => json(big)], { maxResponseBytes: 10_000 });
    const error = await failure(client.fetchPage(window));
    expect(error).toBeInstanceOf(ApiError);
    expect(error.message).toContain('larger than 10000 bytes');
    expect(calls).toHaveLength(1);
  });

  it('refuses an oversized streamed body that declares no length', async () => {
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new Uint8Array(4_096).fill(32));
      },
    });
    const { client } = harness([() => Promise.resolve(new Response(stream, { status: 200 }))], {
      maxResponseBytes: 100_000,
    });
    await expect(client.fetchPage(window)).rejects.toThrow('larger than 100000 bytes');
  });

  it('retries a 200 body with a multi-byte character cut short instead of keeping a replacement character', async () => {
    const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
    // 'ş' is C5 9F; the lone C5 would parse as a valid array if decoded leniently.
    const cut = Buffer.concat([encode('[{"onlineHelpId":1,"customerName":"Ay'), Uint8Array.of(0xc5), encode('"}]')]);
    const { client, retries } = harness([() => Promise.resolve(new Response(cut, { status: 200 })), ok]);
    await expect(client.fetchPage(window)).resolves.toMatchObject({ attempts: 2 });
    expect(retries).toHaveLength(1);
  });

  it('keeps error bodies short and never repeats the secret or the signature', async () => {
    const echo: Responder = (_url, init) =>
      text(400, `bad request: ${headerOf(init, 'x-dlg-authorization')} secret=${SECRET} ${'x'.repeat(1_000)}`);
    const { client } = harness([echo]);
    const error = await failure(client.fetchPage(window));
    if (!(error instanceof ApiError)) throw error;
    const rendered = `${error.message} ${JSON.stringify(error)} ${String(error.bodySnippet)}`;
    expect(rendered).not.toContain(SECRET);
    const signature = computeSignature(
      SECRET,
      {
        method: 'POST',
        contentType: 'application/json',
        date: 'Mon, 24 Nov 2025 00:30:00 GMT',
        body: '{"startDate":1763848799999,"endDate":1763935200000}',
        resource: '/v1/reporting/getonlinehelplist',
      },
      'newline',
    );
    expect(rendered).not.toContain(signature);
    expect(error.bodySnippet?.length).toBeLessThanOrEqual(201);
  });

  it('never quotes a 200 body in an error: even cut short, it is report data with personal values', async () => {
    const page = pageJson([
      { onlineHelpId: 7, customerNo: 'C-555014', customerName: 'Ayşe Yılmaz', helpRequestedAt: 1_763_900_000_000 },
    ]);
    const { client } = harness([() => json(page.slice(0, -10))], {
      retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 },
    });
    const error = await failure(client.fetchPage(window));
    if (!(error instanceof ApiError)) throw error;
    expect(error).toMatchObject({ status: 200, retryable: true, bodySnippet: undefined });
    const rendered = `${error.message} ${JSON.stringify(error)}`;
    expect(rendered).toContain('status 200 with a body that is not a JSON array');
    expect(rendered).not.toContain('Ayşe');
    expect(rendered).not.toContain('C-555014');
  });

  it.each([
    ['http://diyalog.example.com', 'plain http://'],
    ['http://10.0.0.5:8080', 'plain http://'],
    ['ftp://diyalog.example.com', 'unsupported scheme'],
    ['not a url', 'not a URL'],
    ['https://user:pw@diyalog.example.com', 'credentials'],
  ])('refuses the endpoint %s', (endpoint, message) => {
    expect(() => harness([ok], { endpoint })).toThrow(ConfigError);
    expect(() => harness([ok], { endpoint })).toThrow(message);
  });

  it.each(['http://127.0.0.1:8080', 'http://localhost:3000/prefix', 'http://[::1]:9000'])(
    'accepts plain http on the loopback host %s',
    (endpoint) => {
      expect(() => harness([ok], { endpoint })).not.toThrow();
    },
  );
});
