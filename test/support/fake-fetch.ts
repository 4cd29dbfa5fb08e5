import { stringify as stringifyLossless } from 'lossless-json';
import type { RequestWindow } from '../../functions/export/core/errors.js';

/** Failures of transport and of gateways, as a fetch sees them. */
export type TransportFault =
  | 'reset'
  | 'timeout'
  | 'truncated'
  | 'status500'
  | 'status429'
  | 'status502'
  | 'status503'
  | 'status504'
  | 'html200'
  | 'object200'
  | 'brokenJson200';

export const TRANSPORT_FAULTS: readonly TransportFault[] = [
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

const HTML = '<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>';

/** The JSON text of a page; bigint ids become bare integer literals, as the real server writes them. */
export function pageJson(items: readonly unknown[]): string {
  return stringifyLossless(items) ?? '[]';
}

/** Reads the `{startDate, endDate}` body the client sent. */
export function requestWindow(init: RequestInit | undefined): RequestWindow {
  if (typeof init?.body !== 'string') throw new Error('expected a string body');
  const parsed: unknown = JSON.parse(init.body);
  if (typeof parsed !== 'object' || parsed === null || !('startDate' in parsed) || !('endDate' in parsed)) {
    throw new Error(`unexpected body ${init.body}`);
  }
  const { startDate, endDate } = parsed;
  if (typeof startDate !== 'number' || typeof endDate !== 'number') throw new Error(`unexpected body ${init.body}`);
  return { startDate, endDate };
}

/** What a fetch call does for a fault: a response to resolve with, or a rejection. */
export function faultResponse(fault: TransportFault, validPage: string, signal: AbortSignal | null): Promise<Response> {
  switch (fault) {
    case 'reset':
      return Promise.reject(
        new TypeError('fetch failed', { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) }),
      );
    case 'timeout':
      return new Promise((_resolve, reject) => {
        signal?.addEventListener('abort', () => {
          reject(new DOMException('This operation was aborted', 'AbortError'));
        });
      });
    case 'truncated': {
      const bytes = new TextEncoder().encode(validPage);
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(bytes.slice(0, Math.floor(bytes.length / 2)));
          controller.error(new TypeError('terminated'));
        },
      });
      return Promise.resolve(new Response(body, { status: 200, headers: { 'content-type': 'application/json' } }));
    }
    case 'status500':
      return text(500, 'java.lang.NullPointerException\n\tat com.diyalog.reporting.OnlineHelpService.list');
    case 'status429':
      return text(429, 'Too Many Requests', { 'retry-after': '1' });
    case 'status502':
      return html(502);
    case 'status503':
      return html(503);
    case 'status504':
      return html(504);
    case 'html200':
      return html(200);
    case 'object200':
      return json('{"error":"internal","message":"try later"}');
    case 'brokenJson200':
      return json(validPage.slice(0, Math.max(1, validPage.length - 3)));
  }
}

export function json(body: string, status = 200, headers: Record<string, string> = {}): Promise<Response> {
  return Promise.resolve(new Response(body, { status, headers: { 'content-type': 'application/json', ...headers } }));
}

export function text(status: number, body: string, headers: Record<string, string> = {}): Promise<Response> {
  return Promise.resolve(new Response(body, { status, headers: { 'content-type': 'text/plain', ...headers } }));
}

function html(status: number): Promise<Response> {
  return Promise.resolve(new Response(HTML, { status, headers: { 'content-type': 'text/html' } }));
}
