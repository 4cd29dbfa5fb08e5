import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { RequestWindow } from '../export/core/errors.js';

/**
 * Every fault the simulator can inject, by kind. A fault answers one request to a report's route in place of the
 * normal answer; it is applied after the body is read and before authentication, like a failing gateway would.
 * The page-based kinds (`truncated`, `brokenJson200`, `oversizedPage`, `outOfWindowItem`,
 * `duplicateIdDifferentContent`) need the page the request would have got: when the request fails on its own
 * (authentication, body), the normal error answer is sent instead.
 */
export interface FaultShapes {
  /** 500 with a plain-text Java stack trace. */
  readonly status500: { readonly kind: 'status500' };
  /** 429 from a gateway, HTML body, with `Retry-After` (whole seconds) when given. */
  readonly status429: { readonly kind: 'status429'; readonly retryAfterSeconds?: number };
  /** 502 from a gateway, HTML body. */
  readonly status502: { readonly kind: 'status502' };
  /** 503 from a gateway, HTML body. */
  readonly status503: { readonly kind: 'status503' };
  /** 504 from a gateway, HTML body. */
  readonly status504: { readonly kind: 'status504' };
  /** The connection is reset (TCP RST) without any response. */
  readonly reset: { readonly kind: 'reset' };
  /** 200 whose `Content-Length` is the full page's, but only the first half of the page is sent before closing. */
  readonly truncated: { readonly kind: 'truncated' };
  /** The normal answer, after `delayMs` milliseconds (on top of the latency setting). */
  readonly slow: { readonly kind: 'slow'; readonly delayMs: number };
  /** 200 with an HTML login page. */
  readonly html200: { readonly kind: 'html200' };
  /** 200 with a JSON object instead of an array. */
  readonly object200: { readonly kind: 'object200' };
  /** 200 with the first half of the page's JSON text and a matching `Content-Length`. */
  readonly brokenJson200: { readonly kind: 'brokenJson200' };
  /** Any status, body (sent as is, plain text unless `headers` say otherwise) and headers. */
  readonly status: {
    readonly kind: 'status';
    readonly status: number;
    readonly body: string;
    readonly headers?: Readonly<Record<string, string>>;
  };
  /**
   * pageSize + 1 items: the matching items, padded by repeating the last of them when too few match (an
   * empty page stays empty); it never invents an item.
   */
  readonly oversizedPage: { readonly kind: 'oversizedPage' };
  /**
   * The page's last item (or one appended to a short page) is made up, with its cursor (`helpRequestedAt`,
   * `callStartedAt`) a minute before `startDate`.
   */
  readonly outOfWindowItem: { readonly kind: 'outOfWindowItem' };
  /**
   * Right after the page's first item, a copy with the same id in a different state (`helpState`, `callState`);
   * the page keeps at most pageSize items (pageSize ≥ 2).
   */
  readonly duplicateIdDifferentContent: { readonly kind: 'duplicateIdDifferentContent' };
}

export type FaultKind = keyof FaultShapes;

/** One injected fault; see {@link FaultShapes} for what each kind does. */
export type Fault = FaultShapes[FaultKind];

/** The default pool of random faults (`faultPool` setting): what a flaky network and gateway produce. */
export const TRANSIENT_FAULTS: readonly Fault[] = [
  { kind: 'status500' },
  { kind: 'status429' },
  { kind: 'status502' },
  { kind: 'status503' },
  { kind: 'status504' },
  { kind: 'reset' },
  { kind: 'truncated' },
];

/** The answer a request to a report's route gets when no fault interferes. */
export type Answer<Item> =
  | { readonly kind: 'text'; readonly status: number; readonly body: string }
  | {
      readonly kind: 'page';
      readonly window: RequestWindow;
      /** The first `pageSize + 1` matching items, newest first; the page is the first `pageSize` of them. */
      readonly matches: readonly Item[];
    };

/** Where a response goes. */
export interface Responder {
  readonly res: ServerResponse;
  /** Writes the status line and headers, adding `Date` from the simulator's clock, and counts the status. */
  writeHead(status: number, headers: OutgoingHttpHeaders): void;
}

/**
 * One request to a report's route in flight, as a fault handler sees it. The handlers are generic in the
 * report's item: they move, repeat, make up and serialise items through this, never look into one.
 */
export interface Exchange<Item> extends Responder {
  readonly req: IncomingMessage;
  readonly answer: Answer<Item>;
  readonly pageSize: number;
  /** Sends {@link answer}; an unaltered page counts as a successful page request. */
  respond(): void;
  /** Waits `ms` milliseconds; rejects when the simulator stops. */
  pause(ms: number): Promise<void>;
  /** A page's JSON, ids as exact integers. */
  serialise(items: readonly Item[]): string;
  /** A plausible item with an id no other item has, its cursor at `at` (epoch ms). */
  fabricate(at: number): Item;
  /** A copy of `item` with the same id in another state. */
  withOtherState(item: Item): Item;
}

type FaultHandler<K extends FaultKind> = <Item>(
  fault: FaultShapes[K],
  exchange: Exchange<Item>,
) => void | Promise<void>;

const TEXT = 'text/plain; charset=utf-8';
const HTML = 'text/html; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';

const STACK_TRACE = `java.lang.NullPointerException: Cannot invoke "java.util.List.size()" because "items" is null
\tat com.diyalog.reporting.service.ReportService.list(ReportService.java:118)
\tat com.diyalog.reporting.api.ReportingController.report(ReportingController.java:64)`;

const LOGIN_PAGE =
  '<!DOCTYPE html><html lang="tr"><head><title>Diyalog Yönetim Paneli</title></head>' +
  '<body><form action="/login" method="post"><h1>Oturum süreniz doldu</h1><p>Lütfen tekrar giriş yapın.</p></form></body></html>';

const GATEWAY_REASONS = {
  429: 'Too Many Requests',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** Sends a complete response with a correct `Content-Length`. */
export function send(responder: Responder, status: number, body: string, headers: OutgoingHttpHeaders): void {
  const bytes = Buffer.from(body, 'utf8');
  responder.writeHead(status, { 'content-type': TEXT, ...headers, 'content-length': bytes.length });
  responder.res.end(bytes);
}

/** The response of a page: `application/json`, ids as exact integers. */
export function sendPage<Item>(exchange: Exchange<Item>, items: readonly Item[]): void {
  send(exchange, 200, exchange.serialise(items), { 'content-type': JSON_TYPE });
}

function gatewayError(
  status: keyof typeof GATEWAY_REASONS,
  exchange: Responder,
  headers: OutgoingHttpHeaders = {},
): void {
  const title = `${status} ${GATEWAY_REASONS[status]}`;
  const page = `<html><head><title>${title}</title></head><body><center><h1>${title}</h1></center><hr><center>nginx</center></body></html>`;
  send(exchange, status, page, { 'content-type': HTML, ...headers });
}

/** Sends `alter(page)` when the request would get a page, otherwise the normal (error) answer. */
function alterPage<Item>(
  exchange: Exchange<Item>,
  alter: (page: readonly Item[], answer: Extract<Answer<Item>, { kind: 'page' }>) => readonly Item[],
): void {
  const { answer } = exchange;
  if (answer.kind === 'page') sendPage(exchange, alter(answer.matches.slice(0, exchange.pageSize), answer));
  else exchange.respond();
}

function midpoint({ startDate, endDate }: RequestWindow): number {
  return Math.floor((startDate + endDate) / 2);
}

const FAULT_HANDLERS: { readonly [K in FaultKind]: FaultHandler<K> } = {
  status500: (_fault, exchange) => {
    send(exchange, 500, STACK_TRACE, {});
  },
  status429: (fault, exchange) => {
    const retryAfter = fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) };
    gatewayError(429, exchange, retryAfter);
  },
  status502: (_fault, exchange) => {
    gatewayError(502, exchange);
  },
  status503: (_fault, exchange) => {
    gatewayError(503, exchange);
  },
  status504: (_fault, exchange) => {
    gatewayError(504, exchange);
  },
  reset: (_fault, exchange) => {
    exchange.req.socket.resetAndDestroy();
  },
  truncated: (_fault, exchange) => {
    const { answer } = exchange;
    if (answer.kind !== 'page') {
      exchange.respond();
      return;
    }
    const bytes = Buffer.from(exchange.serialise(answer.matches.slice(0, exchange.pageSize)), 'utf8');
    exchange.writeHead(200, { 'content-type': JSON_TYPE, 'content-length': bytes.length });
    // A plain close, not a reset: a reset could make the client's kernel drop the half page already received.
    exchange.res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => {
      exchange.res.destroy();
    });
  },
  slow: async (fault, exchange) => {
    await exchange.pause(fault.delayMs);
    exchange.respond();
  },
  html200: (_fault, exchange) => {
    send(exchange, 200, LOGIN_PAGE, { 'content-type': HTML });
  },
  object200: (_fault, exchange) => {
    send(exchange, 200, '{"error":"Internal Server Error","status":500}', { 'content-type': JSON_TYPE });
  },
  brokenJson200: (_fault, exchange) => {
    const { answer } = exchange;
    if (answer.kind !== 'page') {
      exchange.respond();
      return;
    }
    const json = exchange.serialise(answer.matches.slice(0, exchange.pageSize));
    send(exchange, 200, json.slice(0, Math.max(1, Math.floor(json.length / 2))), { 'content-type': JSON_TYPE });
  },
  status: (fault, exchange) => {
    const headers = Object.fromEntries(
      Object.entries(fault.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
    );
    send(exchange, fault.status, fault.body, headers);
  },
  oversizedPage: (_fault, exchange) => {
    alterPage(exchange, (_page, answer) => {
      const oversized = answer.matches.slice(0, exchange.pageSize + 1);
      // A short page is padded by repeating its last real item, so that the fault never invents one.
      const filler = oversized.at(-1);
      while (filler && oversized.length <= exchange.pageSize) oversized.push(filler);
      return oversized;
    });
  },
  outOfWindowItem: (_fault, exchange) => {
    alterPage(exchange, (page, answer) => [
      ...page.slice(0, exchange.pageSize - 1),
      exchange.fabricate(answer.window.startDate - 60_000),
    ]);
  },
  duplicateIdDifferentContent: (_fault, exchange) => {
    alterPage(exchange, (page, answer) => {
      const first = page[0] ?? exchange.fabricate(midpoint(answer.window));
      return [first, exchange.withOtherState(first), ...page.slice(1, exchange.pageSize - 1)];
    });
  },
};

/** Answers the exchange as `fault` dictates. */
export function applyFault<K extends FaultKind, Item>(
  kind: K,
  fault: FaultShapes[K],
  exchange: Exchange<Item>,
): void | Promise<void> {
  return FAULT_HANDLERS[kind](fault, exchange);
}
