import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { text } from 'node:stream/consumers';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RequestWindow } from '../export/core/errors.js';
import { DEFAULTS, type SignatureVariant } from '../contract/settings.js';
import { authenticate, type SimCredentials } from './auth.js';
import { selects, type BoundSemantics } from './bounds.js';
import type { SimCall } from './calls.js';
import {
  applyFault,
  send,
  sendPage,
  TRANSIENT_FAULTS,
  type Answer,
  type Exchange,
  type Fault,
  type FaultKind,
  type Responder,
} from './faults.js';
import { createRandom } from './random.js';
import { createReportData } from './report-data.js';
import {
  CALLS_ROUTE,
  ONLINE_HELP_ROUTE,
  parseRequest,
  SIM_REPORT_NAMES,
  type ReportRoute,
  type SimReportName,
} from './routes.js';
import type { SimSession } from './sessions.js';

/** The route of the live-help report (`getonlinehelplist`), after the path prefix. */
export const API_PATH = ONLINE_HELP_ROUTE.path;

/** The route of the call report (`getcalllist`), after the path prefix. */
export const CALLS_API_PATH = CALLS_ROUTE.path;

/** Behaviour that can change while the simulator runs (see {@link RunningSimulator.configure}). */
export interface SimulatorSettings {
  /** Which cursor values the window selects, for every report. @default 'inclusive' */
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
  /** The reports whose requests `faultRate` applies to. @default every report */
  readonly faultReports: readonly SimReportName[];
}

export interface SimulatorOptions extends Partial<SimulatorSettings> {
  /** Key pairs the server accepts. */
  readonly credentials: SimCredentials | readonly SimCredentials[];
  /** Live-help sessions, served at {@link API_PATH}. @default [] */
  readonly sessions?: readonly SimSession[];
  /** Calls, served at {@link CALLS_API_PATH}. @default [] */
  readonly calls?: readonly SimCall[];
  /** Path before the routes, e.g. `/api/diyalog`: starts with `/`, no trailing `/`. @default '' */
  readonly pathPrefix?: string;
  /** The base clock, epoch ms. @default Date.now */
  readonly now?: () => number;
  /** Seed of the `faultRate` draws. @default 1 */
  readonly seed?: number;
}

/** What one report's route did. */
export interface ReportCounters {
  /** Requests to the route (POST to its path). */
  readonly requests: number;
  /** 200 responses that carried a complete, unaltered page. */
  readonly pages: number;
  /** Faults consumed by requests to the route. */
  readonly faults: number;
  /** The windows of the {@link pages} requests, in order. */
  readonly windows: readonly RequestWindow[];
}

export interface SimulatorCounters {
  /** Every request received, on any path. */
  readonly requests: number;
  /** Responses by HTTP status, counted when the status line is sent; a reset sends none. */
  readonly byStatus: Readonly<Record<number, number>>;
  /** 200 responses that carried a complete, unaltered page, of any report. */
  readonly pages: number;
  /** Faults consumed, queued or random (a page-based one counts even when the request failed on its own). */
  readonly faults: number;
  readonly faultsByKind: Readonly<Partial<Record<FaultKind, number>>>;
  /** The windows of the {@link pages} requests, in order. */
  readonly windows: readonly RequestWindow[];
  /** The same, by report. */
  readonly byReport: Readonly<Record<SimReportName, ReportCounters>>;
}

export interface RunningSimulator {
  /**
   * Base URL including the path prefix, e.g. `http://127.0.0.1:40123/api/diyalog`; append {@link API_PATH} or
   * {@link CALLS_API_PATH}.
   */
  readonly url: string;
  /** A snapshot of the counters since the start or the last {@link resetCounters}. */
  readonly counters: SimulatorCounters;
  /** Queued faults not yet consumed, for any report. */
  readonly pendingFaults: number;
  resetCounters(): void;
  /** Replaces the live-help sessions; takes effect for the next request. */
  setSessions(sessions: readonly SimSession[]): void;
  /** Replaces the calls; takes effect for the next request. */
  setCalls(calls: readonly SimCall[]): void;
  /** Queues faults; each answers one later request to any report's route, in order. */
  injectFaults(...faults: readonly Fault[]): void;
  /**
   * Queues faults for one report; each answers one later request to that report's route, in order, before the
   * faults of {@link injectFaults}. @throws RangeError for an unknown report.
   */
  injectFaultsFor(report: SimReportName, ...faults: readonly Fault[]): void;
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
  faultReports: SIM_REPORT_NAMES,
};

/**
 * Starts a Diyalog API simulator on 127.0.0.1 with an ephemeral port. It answers `POST <pathPrefix>` +
 * {@link API_PATH} (spec §1) and {@link CALLS_API_PATH} (spec §4) as the docs describe, each with its own
 * signed resource and request filters, and alike in all else (spec §2–3: newest first, at most `pageSize` items,
 * ties by id descending, ids as exact integers, exact error bodies), and everything else with 404. It never logs.
 * @throws RangeError for invalid options.
 */
export async function startSimulator(options: SimulatorOptions): Promise<RunningSimulator> {
  const {
    credentials,
    sessions: initialSessions = [],
    calls: initialCalls = [],
    pathPrefix = '',
    now = Date.now,
    seed = 1,
    ...overrides
  } = options;
  if (pathPrefix !== '' && (!pathPrefix.startsWith('/') || pathPrefix.endsWith('/'))) {
    throw new RangeError(`pathPrefix must be empty or start with "/" and not end with "/", got "${pathPrefix}"`);
  }
  const keyPairs = 'accessKeyId' in credentials ? [credentials] : credentials;
  const secrets = new Map(keyPairs.map((pair) => [pair.accessKeyId, pair.accessKeySecret]));
  let settings = validated({ ...DEFAULT_SETTINGS, ...overrides });
  const faultRandom = createRandom(seed);
  const sharedFaults: Fault[] = [];
  const stopping = new AbortController();
  let counters = emptyCounters();

  const clock = (): number => now() + settings.clockOffsetMs;
  const pause = (ms: number): Promise<void> =>
    ms > 0 ? sleep(ms, undefined, { signal: stopping.signal }) : Promise.resolve();

  function responderFor(res: ServerResponse): Responder {
    return {
      res,
      writeHead(status, headers) {
        res.writeHead(status, { ...headers, date: new Date(clock()).toUTCString() });
        counters.byStatus[status] = (counters.byStatus[status] ?? 0) + 1;
      },
    };
  }

  function randomFault(report: SimReportName): Fault | undefined {
    if (settings.faultRate === 0 || !settings.faultReports.includes(report)) return undefined;
    return faultRandom.chance(settings.faultRate) ? faultRandom.pick(settings.faultPool) : undefined;
  }

  /** The one route implementation, for any report: authentication, body, paging, faults and counters. */
  function openRoute<Item>(route: ReportRoute<Item>, initialItems: readonly Item[]) {
    const data = createReportData(route);
    data.replace(initialItems);
    const queuedFaults: Fault[] = [];

    function answerFor(req: IncomingMessage, body: string, resource: string): Answer<Item> {
      const failure = authenticate(
        { method: req.method ?? '', headers: req.headers, body, resource },
        { secrets, variant: settings.signatureVariant, now: clock() },
      );
      if (failure) return { kind: 'text', ...failure };
      const request = parseRequest(route, body);
      if (request === undefined) return { kind: 'text', status: 400, body: route.badBody };
      const { boundSemantics, pageSize } = settings;
      const selected = (item: Item): boolean =>
        selects(boundSemantics, route.cursorOf(item), request.window) && request.selects(item);
      // One more than a page, for the oversized-page fault.
      return { kind: 'page', window: request.window, matches: data.select(request.window, selected, pageSize + 1) };
    }

    async function serve(req: IncomingMessage, res: ServerResponse, body: string, resource: string): Promise<void> {
      counters.byReport[route.name].requests++;
      const exchange: Exchange<Item> = {
        ...responderFor(res),
        req,
        answer: answerFor(req, body, resource),
        pageSize: settings.pageSize,
        respond() {
          const { answer } = exchange;
          if (answer.kind === 'text') {
            send(exchange, answer.status, answer.body, {});
            return;
          }
          sendPage(exchange, answer.matches.slice(0, exchange.pageSize));
          for (const tally of [counters, counters.byReport[route.name]]) {
            tally.pages++;
            tally.windows.push(answer.window);
          }
        },
        pause,
        serialise: (items) => route.serialise(items),
        fabricate: (at) => data.fabricate(at),
        withOtherState: (item) => route.withOtherState(item),
      };
      const fault = queuedFaults.shift() ?? sharedFaults.shift() ?? randomFault(route.name);
      if (fault === undefined) {
        exchange.respond();
        return;
      }
      counters.faults++;
      counters.byReport[route.name].faults++;
      counters.faultsByKind[fault.kind] = (counters.faultsByKind[fault.kind] ?? 0) + 1;
      await applyFault(fault.kind, fault, exchange);
    }

    return { route, data, queuedFaults, serve };
  }

  const onlineHelp = openRoute(ONLINE_HELP_ROUTE, initialSessions);
  const calls = openRoute(CALLS_ROUTE, initialCalls);
  const routes = [onlineHelp, calls];
  const routesByPath = new Map(routes.map((opened) => [pathPrefix + opened.route.path, opened]));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    counters.requests++;
    const body = await text(req);
    const target = req.url ?? '';
    const resource = target.includes('?') ? target.slice(0, target.indexOf('?')) : target;
    await pause(settings.latencyMs);
    const opened = req.method === 'POST' ? routesByPath.get(resource) : undefined;
    if (opened === undefined) send(responderFor(res), 404, 'Not Found', {});
    else await opened.serve(req, res, body, resource);
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

  let stopped: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${address.port}${pathPrefix}`,
    get counters() {
      return structuredClone(counters);
    },
    get pendingFaults() {
      return routes.reduce((sum, opened) => sum + opened.queuedFaults.length, sharedFaults.length);
    },
    resetCounters() {
      counters = emptyCounters();
    },
    setSessions(sessions) {
      onlineHelp.data.replace(sessions);
    },
    setCalls(list) {
      calls.data.replace(list);
    },
    injectFaults(...faults) {
      sharedFaults.push(...faults);
    },
    injectFaultsFor(report, ...faults) {
      const opened = routes.find((candidate) => candidate.route.name === report);
      if (opened === undefined)
        throw new RangeError(`unknown report "${report}"; known: ${SIM_REPORT_NAMES.join(', ')}`);
      opened.queuedFaults.push(...faults);
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

interface MutableReportCounters {
  requests: number;
  pages: number;
  faults: number;
  windows: RequestWindow[];
}

interface MutableCounters {
  requests: number;
  byStatus: Record<number, number>;
  pages: number;
  faults: number;
  faultsByKind: Partial<Record<FaultKind, number>>;
  windows: RequestWindow[];
  byReport: Record<SimReportName, MutableReportCounters>;
}

function emptyCounters(): MutableCounters {
  const report = (): MutableReportCounters => ({ requests: 0, pages: 0, faults: 0, windows: [] });
  return {
    requests: 0,
    byStatus: {},
    pages: 0,
    faults: 0,
    faultsByKind: {},
    windows: [],
    byReport: { online_help: report(), calls: report() },
  };
}

function validated(settings: SimulatorSettings): SimulatorSettings {
  const { pageSize, latencyMs, clockOffsetMs, faultRate, faultPool, faultReports } = settings;
  if (!Number.isSafeInteger(pageSize) || pageSize < 1) throw new RangeError('pageSize must be a positive integer');
  if (!Number.isFinite(latencyMs) || latencyMs < 0) throw new RangeError('latencyMs must be a finite number ≥ 0');
  if (!Number.isFinite(clockOffsetMs)) throw new RangeError('clockOffsetMs must be a finite number');
  if (!(faultRate >= 0 && faultRate <= 1)) throw new RangeError('faultRate must be between 0 and 1');
  if (faultRate > 0 && faultPool.length === 0) throw new RangeError('faultPool must not be empty when faultRate > 0');
  const unknown = faultReports.filter((name) => !SIM_REPORT_NAMES.includes(name));
  if (unknown.length > 0) {
    throw new RangeError(
      `faultReports names unknown reports (${unknown.join(', ')}); known: ${SIM_REPORT_NAMES.join(', ')}`,
    );
  }
  return settings;
}
