import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import { text } from 'node:stream/consumers';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RequestWindow } from '../export/core/errors.js';
import { DEFAULTS, type SignatureVariant } from '../contract/settings.js';
import { authenticate, type SimCredentials } from './auth.js';
import {
  applyFault,
  send,
  sendPage,
  TRANSIENT_FAULTS,
  type Answer,
  type Exchange,
  type Fault,
  type FaultKind,
} from './faults.js';
import { createRandom } from './random.js';
import { DEFAULT_ID_START, sessionAt, type SimSession } from './sessions.js';

/** The route of the report, after the path prefix. */
export const API_PATH = '/v1/reporting/getonlinehelplist';

/** Which `helpRequestedAt` values a window [startDate, endDate] selects; the docs do not say (spec §3.2). */
export type BoundSemantics = 'inclusive' | 'exclusive-end' | 'exclusive-both';

/** Every {@link BoundSemantics}, for tests that run under each. */
export const BOUND_SEMANTICS: readonly BoundSemantics[] = ['inclusive', 'exclusive-end', 'exclusive-both'];

/** Whether a server with these semantics selects `instant` for the window. */
export function selects(semantics: BoundSemantics, instant: number, window: RequestWindow): boolean {
  return IN_WINDOW[semantics](instant, window);
}

const IN_WINDOW: Readonly<Record<BoundSemantics, (instant: number, window: RequestWindow) => boolean>> = {
  inclusive: (t, { startDate, endDate }) => startDate <= t && t <= endDate,
  'exclusive-end': (t, { startDate, endDate }) => startDate <= t && t < endDate,
  'exclusive-both': (t, { startDate, endDate }) => startDate < t && t < endDate,
};

/** Behaviour that can change while the simulator runs (see {@link RunningSimulator.configure}). */
export interface SimulatorSettings {
  /** @default 'inclusive' */
  readonly boundSemantics: BoundSemantics;
  /** Which string-to-sign the server checks (spec §3.1). @default 'newline' */
  readonly signatureVariant: SignatureVariant;
  /** Most items in one page; a positive integer. @default 20 */
  readonly pageSize: number;
  /** Delay before every answer, in milliseconds. @default 0 */
  readonly latencyMs: number;
  /** Added to `now()` to make the server's clock, in milliseconds; drives the skew check and `Date`. @default 0 */
  readonly clockOffsetMs: number;
  /** Probability (0–1) that a request with no queued fault gets a seeded random one from `faultPool`. @default 0 */
  readonly faultRate: number;
  /** Faults drawn when `faultRate` > 0. @default TRANSIENT_FAULTS */
  readonly faultPool: readonly Fault[];
}

export interface SimulatorOptions extends Partial<SimulatorSettings> {
  /** Key pairs the server accepts. */
  readonly credentials: SimCredentials | readonly SimCredentials[];
  /** @default [] */
  readonly sessions?: readonly SimSession[];
  /** Path before {@link API_PATH}, e.g. `/api/diyalog`: starts with `/`, no trailing `/`. @default '' */
  readonly pathPrefix?: string;
  /** The base clock, epoch ms. @default Date.now */
  readonly now?: () => number;
  /** Seed of the `faultRate` draws. @default 1 */
  readonly seed?: number;
}

export interface SimulatorCounters {
  /** Every request received, on any path. */
  readonly requests: number;
  /** Responses by HTTP status, counted when the status line is sent; a reset sends none. */
  readonly byStatus: Readonly<Record<number, number>>;
  /** 200 responses that carried a complete, unaltered page. */
  readonly pages: number;
  /** Faults consumed, queued or random (a page-based one counts even when the request failed on its own). */
  readonly faults: number;
  readonly faultsByKind: Readonly<Partial<Record<FaultKind, number>>>;
  /** The windows of the {@link pages} requests, in order. */
  readonly windows: readonly RequestWindow[];
}

export interface RunningSimulator {
  /** Base URL including the path prefix, e.g. `http://127.0.0.1:40123/api/diyalog`; append {@link API_PATH}. */
  readonly url: string;
  /** A snapshot of the counters since the start or the last {@link resetCounters}. */
  readonly counters: SimulatorCounters;
  /** Queued faults not yet consumed. */
  readonly pendingFaults: number;
  resetCounters(): void;
  /** Replaces the data set; takes effect for the next request. */
  setSessions(sessions: readonly SimSession[]): void;
  /** Queues faults; each answers one later request to the API route, in order. */
  injectFaults(...faults: readonly Fault[]): void;
  /** Changes settings for the next requests. @throws RangeError for an invalid value. */
  configure(changes: Partial<SimulatorSettings>): void;
  /** Closes every connection (keep-alive and in-flight ones too); resolves when the server is closed. Idempotent. */
  stop(): Promise<void>;
}

const DEFAULT_SETTINGS: SimulatorSettings = {
  boundSemantics: 'inclusive',
  signatureVariant: DEFAULTS.signatureVariant,
  pageSize: 20,
  latencyMs: 0,
  clockOffsetMs: 0,
  faultRate: 0,
  faultPool: TRANSIENT_FAULTS,
};

const NOT_FOUND: Answer = { kind: 'text', status: 404, body: 'Not Found' };

const BAD_BODY =
  'Invalid request body: expected a JSON object with integer startDate and endDate (epoch milliseconds) and optional string customerId and agentId';

interface Query extends RequestWindow {
  readonly customerId: string | undefined;
  readonly agentId: string | undefined;
}

/**
 * Starts a Diyalog API simulator on 127.0.0.1 with an ephemeral port. It answers `POST <pathPrefix>/v1/reporting/
 * getonlinehelplist` as spec §1–2 describe (newest first, at most `pageSize` items, ties by id descending, exact
 * error bodies) and everything else with 404. It never logs.
 * @throws RangeError for invalid options.
 */
export async function startSimulator(options: SimulatorOptions): Promise<RunningSimulator> {
  const {
    credentials,
    sessions: initialSessions = [],
    pathPrefix = '',
    now = Date.now,
    seed = 1,
    ...overrides
  } = options;
  if (pathPrefix !== '' && (!pathPrefix.startsWith('/') || pathPrefix.endsWith('/'))) {
    throw new RangeError(`pathPrefix must be empty or start with "/" and not end with "/", got "${pathPrefix}"`);
  }
  const routePath = pathPrefix + API_PATH;
  const keyPairs = 'accessKeyId' in credentials ? [credentials] : credentials;
  const secrets = new Map(keyPairs.map((pair) => [pair.accessKeyId, pair.accessKeySecret]));
  let settings = validated({ ...DEFAULT_SETTINGS, ...overrides });
  const faultRandom = createRandom(seed);
  const queuedFaults: Fault[] = [];
  const stopping = new AbortController();
  let sessions: readonly SimSession[] = [];
  let nextFabricatedId = DEFAULT_ID_START;
  let counters = emptyCounters();

  const clock = (): number => now() + settings.clockOffsetMs;
  const pause = (ms: number): Promise<void> =>
    ms > 0 ? sleep(ms, undefined, { signal: stopping.signal }) : Promise.resolve();

  function setSessions(list: readonly SimSession[]): void {
    sessions = [...list].sort(
      (a, b) => b.helpRequestedAt - a.helpRequestedAt || compareBigint(b.onlineHelpId, a.onlineHelpId),
    );
    const maxId = sessions.reduce((max, s) => (s.onlineHelpId > max ? s.onlineHelpId : max), DEFAULT_ID_START - 1n);
    nextFabricatedId = maxId + 1n;
  }

  function answerFor(req: IncomingMessage, body: string, resource: string): Answer {
    const failure = authenticate(
      { method: req.method ?? '', headers: req.headers, body, resource },
      { secrets, variant: settings.signatureVariant, now: clock() },
    );
    if (failure) return { kind: 'text', ...failure };
    const query = parseQuery(body);
    if (query === undefined) return { kind: 'text', status: 400, body: BAD_BODY };
    const inWindow = IN_WINDOW[settings.boundSemantics];
    // Sessions are sorted newest first: start at the first one not after endDate and walk only as far as a page
    // (plus one, for the oversized-page fault) needs, so that a request costs the same on a day of 100 000.
    const matches: SimSession[] = [];
    for (let i = firstAtOrBefore(query.endDate); i < sessions.length && matches.length <= settings.pageSize; i++) {
      const s = sessions[i];
      if (!s || s.helpRequestedAt < query.startDate) break;
      const selected =
        inWindow(s.helpRequestedAt, query) &&
        (query.customerId === undefined || s.customerNo === query.customerId) &&
        (query.agentId === undefined || s.agentId === query.agentId);
      if (selected) matches.push(s);
    }
    return { kind: 'page', window: { startDate: query.startDate, endDate: query.endDate }, matches };
  }

  /** Index of the first session (newest first) whose request time is not after `instant`. */
  function firstAtOrBefore(instant: number): number {
    let low = 0;
    let high = sessions.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((sessions[middle]?.helpRequestedAt ?? -Infinity) > instant) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  function nextFault(): Fault | undefined {
    const queued = queuedFaults.shift();
    if (queued !== undefined || settings.faultRate === 0) return queued;
    return faultRandom.chance(settings.faultRate) ? faultRandom.pick(settings.faultPool) : undefined;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    counters.requests++;
    const body = await text(req);
    const target = req.url ?? '';
    const resource = target.includes('?') ? target.slice(0, target.indexOf('?')) : target;
    await pause(settings.latencyMs);
    const onRoute = req.method === 'POST' && resource === routePath;
    const exchange: Exchange = {
      req,
      res,
      answer: onRoute ? answerFor(req, body, resource) : NOT_FOUND,
      pageSize: settings.pageSize,
      writeHead(status: number, headers: OutgoingHttpHeaders) {
        res.writeHead(status, { ...headers, date: new Date(clock()).toUTCString() });
        counters.byStatus[status] = (counters.byStatus[status] ?? 0) + 1;
      },
      respond() {
        const { answer } = exchange;
        if (answer.kind === 'text') {
          send(exchange, answer.status, answer.body, {});
          return;
        }
        sendPage(exchange, answer.matches.slice(0, exchange.pageSize));
        counters.pages++;
        counters.windows.push(answer.window);
      },
      pause,
      fabricate(helpRequestedAt: number) {
        const session = sessionAt(nextFabricatedId, helpRequestedAt);
        nextFabricatedId++;
        return session;
      },
    };
    const fault = onRoute ? nextFault() : undefined;
    if (fault === undefined) {
      exchange.respond();
      return;
    }
    counters.faults++;
    counters.faultsByKind[fault.kind] = (counters.faultsByKind[fault.kind] ?? 0) + 1;
    await applyFault(fault.kind, fault, exchange);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // Aborted clients and stop() land here too; only a live, unanswered request can still be told.
      if (res.headersSent || res.destroyed || stopping.signal.aborted) {
        res.destroy();
        return;
      }
      const message = `Simulator failure: ${error instanceof Error ? error.message : String(error)}`;
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8', date: new Date(clock()).toUTCString() });
      res.end(message);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('The simulator is not listening on TCP');
  setSessions(initialSessions);

  let stopped: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${address.port}${pathPrefix}`,
    get counters() {
      return structuredClone(counters);
    },
    get pendingFaults() {
      return queuedFaults.length;
    },
    resetCounters() {
      counters = emptyCounters();
    },
    setSessions,
    injectFaults(...faults) {
      queuedFaults.push(...faults);
    },
    configure(changes) {
      settings = validated({ ...settings, ...changes });
    },
    stop() {
      stopped ??= new Promise<void>((resolve, reject) => {
        stopping.abort();
        server.close((error) => {
          if (error) reject(error);
          else resolve();
        });
        server.closeAllConnections();
      });
      return stopped;
    },
  };
}

interface MutableCounters {
  requests: number;
  byStatus: Record<number, number>;
  pages: number;
  faults: number;
  faultsByKind: Partial<Record<FaultKind, number>>;
  windows: RequestWindow[];
}

function emptyCounters(): MutableCounters {
  return { requests: 0, byStatus: {}, pages: 0, faults: 0, faultsByKind: {}, windows: [] };
}

function validated(settings: SimulatorSettings): SimulatorSettings {
  const { pageSize, latencyMs, clockOffsetMs, faultRate, faultPool } = settings;
  if (!Number.isSafeInteger(pageSize) || pageSize < 1) throw new RangeError('pageSize must be a positive integer');
  if (!Number.isFinite(latencyMs) || latencyMs < 0) throw new RangeError('latencyMs must be a finite number ≥ 0');
  if (!Number.isFinite(clockOffsetMs)) throw new RangeError('clockOffsetMs must be a finite number');
  if (!(faultRate >= 0 && faultRate <= 1)) throw new RangeError('faultRate must be between 0 and 1');
  if (faultRate > 0 && faultPool.length === 0) throw new RangeError('faultPool must not be empty when faultRate > 0');
  return settings;
}

function parseQuery(body: string): Query | undefined {
  const parsed = parseJson(body);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const startDate = 'startDate' in parsed ? parsed.startDate : undefined;
  const endDate = 'endDate' in parsed ? parsed.endDate : undefined;
  const customerId = 'customerId' in parsed ? parsed.customerId : undefined;
  const agentId = 'agentId' in parsed ? parsed.agentId : undefined;
  if (!isEpochMs(startDate) || !isEpochMs(endDate) || !isOptionalString(customerId) || !isOptionalString(agentId)) {
    return undefined;
  }
  // Like a typical Java backend, a null or empty filter means "no filter".
  return { startDate, endDate, customerId: customerId || undefined, agentId: agentId || undefined };
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

function isEpochMs(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

function isOptionalString(value: unknown): value is string | null | undefined {
  return value === undefined || value === null || typeof value === 'string';
}

function compareBigint(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
