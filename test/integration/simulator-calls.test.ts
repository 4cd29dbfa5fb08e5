import { afterEach, describe, expect, it } from 'vitest';
import { CALLS, columnOf, ONLINE_HELP, type ReportDefinition } from '../../functions/contract/reports.js';
import { formatDlgDate, signRequest } from '../../functions/export/diyalog/sign.js';
import {
  API_PATH,
  CALLS_API_PATH,
  demoExport,
  generateSessions,
  startSimulator,
  type BoundSemantics,
  type RunningSimulator,
  type SimCall,
  type SimReportName,
  type SimulatorOptions,
} from '../../functions/demo/index.js';

const KEY = { accessKeyId: 'AK-SIM-1', accessKeySecret: 'sim-secret-0123456789' };
/** 24 Nov 2025 00:00 in Istanbul (UTC+3). */
const DAY_START = Date.UTC(2025, 10, 23, 21);
const DAY_END = DAY_START + 86_400_000;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/** The docs' own example id (spec §4). */
const DOCS_CALL_ID = -1527120504243668640n;

const running: RunningSimulator[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((sim) => sim.stop()));
});

async function simulator(options: Partial<SimulatorOptions> = {}): Promise<RunningSimulator> {
  const sim = await startSimulator({ credentials: KEY, ...options });
  running.push(sim);
  return sim;
}

/** A calls request body as the exporter sends it: the window and the report's request extras. */
function callsBody(startDate: number, endDate: number, filters: Readonly<Record<string, unknown>> = {}): string {
  return JSON.stringify({ startDate, endDate, ...CALLS.requestExtras, ...filters });
}

interface Reply {
  readonly status: number;
  readonly text: string;
}

interface PostOptions {
  /** Path appended to `sim.url`. @default CALLS_API_PATH */
  readonly path?: string;
  /** The resource the signature covers, when it should differ from the requested path. */
  readonly signedResource?: string;
  readonly date?: Date;
}

/** POSTs `payload` signed like the exporter signs it. */
async function post(sim: RunningSimulator, payload: string, options: PostOptions = {}): Promise<Reply> {
  const url = sim.url + (options.path ?? CALLS_API_PATH);
  const headers = signRequest(
    {
      method: 'POST',
      contentType: 'application/json',
      date: formatDlgDate(options.date ?? new Date()),
      body: payload,
      resource: options.signedResource ?? new URL(url).pathname,
    },
    { ...KEY, requesterUserId: 'etl-test' },
    'newline',
  );
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: payload,
  });
  return { status: response.status, text: await response.text() };
}

interface Item {
  readonly id: bigint;
  readonly at: number;
}

/** The id and cursor of each item of a page, read from the raw text so that ids stay exact. */
function items(text: string, report: ReportDefinition = CALLS): Item[] {
  const parsed: unknown = JSON.parse(text);
  const id = columnOf(report, report.idColumn).source;
  const cursor = columnOf(report, report.cursorColumn).source;
  const found = [...text.matchAll(new RegExp(`\\{"${id}":(-?\\d+),.*?"${cursor}":(\\d+)`, 'g'))].map(
    ([, itemId, at]) => ({ id: BigInt(itemId ?? 'x'), at: Number(at) }),
  );
  expect(found).toHaveLength(Array.isArray(parsed) ? parsed.length : -1);
  return found;
}

/** The items of a page as objects, ids left out (JSON.parse would round them). */
function objects(text: string): Record<string, unknown>[] {
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) throw new Error(`not an array: ${text}`);
  return parsed.map(({ callId: _rounded, ...rest }: Record<string, unknown>) => rest);
}

/** A call's fields but its id, as {@link objects} reads them. */
const withoutId = ({ callId: _id, ...rest }: SimCall): Omit<SimCall, 'callId'> => rest;

function newestFirst(calls: readonly SimCall[]): Item[] {
  return calls
    .map((c) => ({ id: c.callId, at: c.callStartedAt }))
    .sort((a, b) => b.at - a.at || (b.id > a.id ? 1 : b.id < a.id ? -1 : 0));
}

const call = (callId: bigint, callStartedAt: number, fields: Partial<SimCall> = {}): SimCall => ({
  callId,
  callStartedAt,
  callType: 'video',
  ...fields,
});

const demo = demoExport(DAY_START, DAY_END);
const WHOLE_DAY = callsBody(DAY_START, DAY_END);

describe('calls route: authentication', () => {
  it('accepts a request signed for the calls resource and refuses one signed for the sessions resource', async () => {
    const sim = await simulator({ calls: demo.calls });
    const reply = await post(sim, WHOLE_DAY);
    expect(reply.status).toBe(200);
    expect(items(reply.text)).toHaveLength(20);
    expect(await post(sim, WHOLE_DAY, { signedResource: API_PATH })).toEqual({
      status: 401,
      text: 'Authorization failed',
    });
  });

  it('signs the prefixed path, refuses a skewed clock and missing headers with the exact bodies', async () => {
    const sim = await simulator({ pathPrefix: '/api/diyalog', calls: demo.calls });
    expect((await post(sim, WHOLE_DAY)).status).toBe(200);
    expect((await post(sim, WHOLE_DAY, { signedResource: CALLS_API_PATH })).status).toBe(401);
    const skewed = await post(sim, WHOLE_DAY, { date: new Date(Date.now() + 16 * 60_000) });
    expect(skewed).toEqual({ status: 403, text: 'Request time may not be correct.' });
    const unsigned = await fetch(sim.url + CALLS_API_PATH, { method: 'POST', body: WHOLE_DAY });
    expect(unsigned.status).toBe(400);
    expect(await unsigned.text()).toBe('Required headers not found');
  });

  it('answers 404 for a GET of the calls path', async () => {
    const sim = await simulator();
    const reply = await fetch(sim.url + CALLS_API_PATH);
    expect(reply.status).toBe(404);
  });
});

describe('calls route: paging', () => {
  const start = DAY_START;
  const end = DAY_START + 3_600_000;
  const mid = start + 1_800_000;
  const onEdges = [start - 1, start, mid, end, end + 1].map((at, index) => call(BigInt(index) - 2n, at));

  it.each([
    ['inclusive', [end, mid, start]],
    ['exclusive-end', [mid, start]],
    ['exclusive-both', [mid]],
  ] as const)('applies %s bounds to callStartedAt', async (boundSemantics: BoundSemantics, expected) => {
    const sim = await simulator({ calls: onEdges, boundSemantics });
    expect(items((await post(sim, callsBody(start, end))).text).map((item) => item.at)).toEqual(expected);
  });

  it('answers the newest pageSize calls, newest first', async () => {
    const sim = await simulator({ calls: demo.calls });
    expect(items((await post(sim, WHOLE_DAY)).text)).toEqual(newestFirst(demo.calls).slice(0, 20));
    sim.configure({ pageSize: 7 });
    expect(items((await post(sim, WHOLE_DAY)).text)).toEqual(newestFirst(demo.calls).slice(0, 7));
    expect((await post(sim, callsBody(DAY_END, DAY_END + 1000))).text).toBe('[]');
  });

  it('orders calls of one millisecond by signed id, descending, negative ids last', async () => {
    const at = DAY_START + 5_000;
    const ids = [-5n, 3n, INT64_MAX, INT64_MIN, 0n, DOCS_CALL_ID, 2n ** 53n + 1n, -1n];
    const tied = [...ids, ...Array.from({ length: 17 }, (_, i) => BigInt(i) * 1_000_003n - 9_000_000n)];
    const sim = await simulator({ calls: [call(7n, at + 1), ...tied.map((id) => call(id, at)), call(8n, at - 1)] });
    const page = items((await post(sim, callsBody(at, at))).text);
    const expected = [...tied].sort((a, b) => (b > a ? 1 : b < a ? -1 : 0)).slice(0, 20);
    expect(page.map((item) => item.id)).toEqual(expected);
    const again = await post(sim, callsBody(at, at));
    expect(items(again.text)).toEqual(page);
  });

  it('pages through a whole demo day with the documented algorithm, losing and repeating nothing', async () => {
    const sim = await simulator({ calls: demo.calls, boundSemantics: 'inclusive' });
    const seen = new Map<bigint, number>();
    let endDate = DAY_END - 1;
    for (;;) {
      const page = items((await post(sim, callsBody(DAY_START, endDate))).text);
      for (const item of page) seen.set(item.id, item.at);
      const oldest = page.at(-1);
      if (page.length < 20 || oldest === undefined) break;
      endDate = oldest.at;
    }
    expect(new Set(seen.keys())).toEqual(new Set(demo.calls.map((c) => c.callId)));
  });
});

describe('calls route: the wire', () => {
  it('writes 64-bit ids, beyond 2^53 and negative, as exact integer literals', async () => {
    const ids = [INT64_MIN, DOCS_CALL_ID, -1n, 2n ** 53n + 1n, INT64_MAX];
    const sim = await simulator({ calls: ids.map((id, index) => call(id, DAY_START + index)) });
    const reply = await post(sim, WHOLE_DAY);
    for (const id of ids) expect(reply.text).toContain(`{"callId":${id.toString()},`);
    expect(items(reply.text).map((item) => item.id)).toEqual([...ids].reverse());
  });

  it('keeps "" apart from an absent field, and writes a minimal call as it is', async () => {
    const old: SimCall = {
      callId: 11n,
      nameOfInitiator: 'Şule Çetin',
      receiverId: '412345',
      callStartedAt: DAY_START + 2,
      callTime: 0,
      callType: '',
      callState: 'MISSED',
      callViewUrl: '',
      callUseType: 'UNKOWN',
    };
    const sim = await simulator({ calls: [old, { callId: 10n, callStartedAt: DAY_START + 1 }] });
    const reply = await post(sim, WHOLE_DAY);
    expect(reply.text.endsWith(`{"callId":10,"callStartedAt":${DAY_START + 1}}]`)).toBe(true);
    const [served] = objects(reply.text);
    expect(served).toStrictEqual(withoutId(old));
    expect(served && 'initiatorId' in served).toBe(false);
  });

  it('serves the demo calls field for field', async () => {
    const sim = await simulator({ calls: demo.calls, pageSize: 1_000 });
    const reply = await post(sim, WHOLE_DAY);
    expect(objects(reply.text)).toEqual([...demo.calls].reverse().map(withoutId));
  });
});

describe('calls route: request body', () => {
  const calls = [
    call(1n, DAY_START + 1, { callType: 'video', callUseType: 'VIDEO_HELP_CALL' }),
    call(2n, DAY_START + 2, { callType: 'voice', callUseType: 'DIYALOG_STANDART_CALL' }),
    call(3n, DAY_START + 3, { callType: '', callUseType: 'UNKOWN' }),
    call(4n, DAY_START + 4, {
      callType: 'video',
      callUseType: 'ONLINE_HELP_CALL',
      initiatorId: '412345',
      initiatorUserType: 4,
      receiverId: '10000001',
      receiverUserType: 5,
    }),
  ];
  const ids = async (sim: RunningSimulator, filters: Readonly<Record<string, unknown>>): Promise<bigint[]> =>
    items((await post(sim, callsBody(DAY_START, DAY_END, filters))).text).map((item) => item.id);

  it('filters by callType: all (also the unknown type ""), video, voice', async () => {
    const sim = await simulator({ calls });
    expect(await ids(sim, { callType: 'all' })).toEqual([4n, 3n, 2n, 1n]);
    expect(await ids(sim, { callType: 'video' })).toEqual([4n, 1n]);
    expect(await ids(sim, { callType: 'voice' })).toEqual([2n]);
  });

  it('filters by callUseType code, staffId and customerId; null and "" filter nothing', async () => {
    const sim = await simulator({ calls });
    expect(await ids(sim, { callUseType: 0 })).toEqual([3n]);
    expect(await ids(sim, { callUseType: 3 })).toEqual([4n]);
    expect(await ids(sim, { staffId: '412345' })).toEqual([4n]);
    expect(await ids(sim, { staffId: '10000001' })).toEqual([]);
    expect(await ids(sim, { customerId: '10000001' })).toEqual([4n]);
    expect(await ids(sim, { staffId: '', customerId: null, callUseType: null })).toEqual([4n, 3n, 2n, 1n]);
  });

  it.each([
    'not json',
    '[]',
    JSON.stringify({ startDate: DAY_START, endDate: DAY_END }),
    callsBody(DAY_START, DAY_END, { callType: 'VIDEO' }),
    callsBody(DAY_START, DAY_END, { callType: null }),
    callsBody(DAY_START, DAY_END, { callType: 1 }),
    callsBody(DAY_START, DAY_END, { callUseType: 4 }),
    callsBody(DAY_START, DAY_END, { callUseType: 1.5 }),
    callsBody(DAY_START, DAY_END, { callUseType: '2' }),
    callsBody(DAY_START, DAY_END, { staffId: 412345 }),
    callsBody(DAY_START, DAY_END, { customerId: ['10000001'] }),
    callsBody(DAY_START, DAY_END + 0.5),
  ])('answers 400 in plain text naming the calls fields for %s', async (payload) => {
    const sim = await simulator({ calls });
    const reply = await post(sim, payload);
    expect(reply.status).toBe(400);
    expect(reply.text).toMatch(/^Invalid request body: .*callType "all", "video" or "voice"/);
  });

  it('keeps the sessions route to its own fields', async () => {
    const sim = await simulator();
    const sessionsBody = JSON.stringify({ startDate: DAY_START, endDate: DAY_END });
    expect((await post(sim, sessionsBody, { path: API_PATH })).status).toBe(200);
    expect((await post(sim, sessionsBody)).status).toBe(400);
  });
});

describe('calls route: faults and counters', () => {
  const sessions = generateSessions({ seed: 7, from: DAY_START, to: DAY_END, count: 30 });
  const sessionsBody = JSON.stringify({ startDate: DAY_START, endDate: DAY_END });
  const both = (sim: RunningSimulator): Promise<number[]> =>
    Promise.all([post(sim, sessionsBody, { path: API_PATH }), post(sim, WHOLE_DAY)]).then((replies) =>
      replies.map((reply) => reply.status),
    );

  it.each([
    ['calls', [200, 503]],
    ['online_help', [503, 200]],
  ] as const)('answers only the %s route with faults injected for it', async (report: SimReportName, expected) => {
    const sim = await simulator({ sessions, calls: demo.calls });
    sim.injectFaultsFor(report, { kind: 'status503' });
    expect(sim.pendingFaults).toBe(1);
    expect(await both(sim)).toEqual(expected);
    expect(await both(sim)).toEqual([200, 200]);
    expect(sim.counters.byReport[report].faults).toBe(1);
  });

  it('answers a report’s own faults before the shared ones, and the shared ones on any route', async () => {
    const sim = await simulator({ sessions, calls: demo.calls });
    sim.injectFaults({ kind: 'status502' });
    sim.injectFaultsFor('calls', { kind: 'status500' });
    expect((await post(sim, WHOLE_DAY)).status).toBe(500);
    expect((await post(sim, sessionsBody, { path: API_PATH })).status).toBe(502);
    expect(sim.pendingFaults).toBe(0);
  });

  it('draws random faults for the faultReports only', async () => {
    const sim = await simulator({
      sessions,
      calls: demo.calls,
      faultRate: 1,
      faultPool: [{ kind: 'status504' }],
      faultReports: ['calls'],
    });
    for (let i = 0; i < 3; i++) expect(await both(sim)).toEqual([200, 504]);
    sim.configure({ faultReports: ['online_help'] });
    expect(await both(sim)).toEqual([504, 200]);
    expect(() => {
      sim.configure({ faultReports: ['sessions' as SimReportName] });
    }).toThrow(RangeError);
  });

  it('makes up calls for the page faults: an out-of-window call, a duplicate id in another state', async () => {
    const sim = await simulator({ calls: demo.calls });
    const full = items((await post(sim, WHOLE_DAY)).text);
    sim.injectFaultsFor('calls', { kind: 'outOfWindowItem' }, { kind: 'duplicateIdDifferentContent' });
    const outside = items((await post(sim, WHOLE_DAY)).text);
    expect(outside.slice(0, 19)).toEqual(full.slice(0, 19));
    expect(outside[19]?.at).toBe(DAY_START - 60_000);
    expect(demo.calls.some((c) => c.callId === outside[19]?.id)).toBe(false);
    const duplicate = await post(sim, WHOLE_DAY);
    const [first, copy] = objects(duplicate.text);
    expect(items(duplicate.text)[1]?.id).toBe(full[0]?.id);
    expect({ ...copy, callState: first?.callState }).toEqual(first);
    expect(copy?.callState).not.toBe(first?.callState);
  });

  it('counts pages and windows by report', async () => {
    const sim = await simulator({ sessions, calls: demo.calls });
    await post(sim, sessionsBody, { path: API_PATH });
    await post(sim, callsBody(DAY_START, DAY_START + 1000));
    await post(sim, WHOLE_DAY, { signedResource: API_PATH });
    const { byReport, pages, windows } = sim.counters;
    expect(pages).toBe(2);
    expect(windows).toHaveLength(2);
    expect(byReport.online_help).toEqual({
      requests: 1,
      pages: 1,
      faults: 0,
      windows: [{ startDate: DAY_START, endDate: DAY_END }],
    });
    expect(byReport.calls).toEqual({
      requests: 2,
      pages: 1,
      faults: 0,
      windows: [{ startDate: DAY_START, endDate: DAY_START + 1000 }],
    });
  });

  it('replaces the calls with setCalls, leaving the sessions alone', async () => {
    const sim = await simulator({ sessions, calls: demo.calls });
    sim.setCalls([call(DOCS_CALL_ID, DAY_START)]);
    expect(items((await post(sim, WHOLE_DAY)).text)).toEqual([{ id: DOCS_CALL_ID, at: DAY_START }]);
    const sessionsPage = (await post(sim, sessionsBody, { path: API_PATH })).text;
    expect(items(sessionsPage, ONLINE_HELP)).toHaveLength(20);
  });
});
