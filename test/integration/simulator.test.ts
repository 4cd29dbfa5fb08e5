import fc from 'fast-check';
import type { SignatureVariant } from '../../functions/contract/settings.js';
import { Agent, request } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatDlgDate, signRequest } from '../../functions/export/diyalog/sign.js';
import {
  API_PATH,
  DOCUMENTED_HELP_STATES,
  EXAMPLE_HELP_STATE,
  demoDataset,
  generateSessions,
  startSimulator,
  type Fault,
  type RunningSimulator,
  type SimSession,
  type SimulatorOptions,
} from '../../functions/demo/index.js';

const KEY = { accessKeyId: 'AK-SIM-1', accessKeySecret: 'sim-secret-0123456789' };
const REQUESTER = 'etl-test';
/** 24 Nov 2025 00:00 in Istanbul (UTC+3). */
const DAY_START = Date.UTC(2025, 10, 23, 21);
const DAY_END = DAY_START + 86_400_000;
const WHOLE_DAY = body(DAY_START, DAY_END);
const FIFTEEN_MINUTES = 15 * 60_000;

const running: RunningSimulator[] = [];

afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(running.splice(0).map((sim) => sim.stop()));
});

async function simulator(options: Partial<SimulatorOptions> = {}): Promise<RunningSimulator> {
  const sim = await startSimulator({ credentials: KEY, ...options });
  running.push(sim);
  return sim;
}

function body(startDate: number, endDate: number, filters: Record<string, string> = {}): string {
  return JSON.stringify({ startDate, endDate, ...filters });
}

interface SendOptions {
  readonly date?: string;
  readonly variant?: SignatureVariant;
  readonly accessKeyId?: string;
  readonly secret?: string;
  /** The body the signature covers, when it should differ from the one sent. */
  readonly signedBody?: string;
  /** The path the signature covers, when it should differ from the one requested. */
  readonly signedPath?: string;
  /** Overrides of the signed headers; `null` leaves a header out. */
  readonly headers?: Readonly<Record<string, string | null>>;
  /** Path appended to `sim.url`. */
  readonly path?: string;
}

/** A request signed like the exporter signs it, with knobs to break it. */
function signedFetch(sim: RunningSimulator, payload: string, options: SendOptions = {}): Promise<Response> {
  const url = sim.url + (options.path ?? API_PATH);
  const signed = signRequest(
    {
      method: 'POST',
      contentType: 'application/json',
      date: options.date ?? formatDlgDate(new Date()),
      body: options.signedBody ?? payload,
      resource: options.signedPath ?? new URL(url).pathname,
    },
    {
      accessKeyId: options.accessKeyId ?? KEY.accessKeyId,
      accessKeySecret: options.secret ?? KEY.accessKeySecret,
      requesterUserId: REQUESTER,
    },
    options.variant ?? 'newline',
  );
  const merged: Record<string, string | null> = { 'content-type': 'application/json', ...signed, ...options.headers };
  const headers = Object.entries(merged).filter((entry): entry is [string, string] => entry[1] !== null);
  return fetch(url, { method: 'POST', headers, body: payload });
}

interface Reply {
  readonly status: number;
  readonly text: string;
  readonly headers: Headers;
}

async function post(sim: RunningSimulator, payload: string, options: SendOptions = {}): Promise<Reply> {
  const response = await signedFetch(sim, payload, options);
  return { status: response.status, text: await response.text(), headers: response.headers };
}

interface Item {
  readonly id: bigint;
  readonly at: number;
}

/** The items of a page body, with exact ids read from the raw text. */
function items(text: string): Item[] {
  const parsed: unknown = JSON.parse(text);
  expect(Array.isArray(parsed)).toBe(true);
  const found = [...text.matchAll(/\{"onlineHelpId":(\d+),.*?"helpRequestedAt":(\d+)/g)].map(([, id, at]) => ({
    id: BigInt(id ?? 'x'),
    at: Number(at),
  }));
  expect(found).toHaveLength(Array.isArray(parsed) ? parsed.length : -1);
  return found;
}

function newestFirst(sessions: readonly SimSession[]): Item[] {
  return sessions
    .map((s) => ({ id: s.onlineHelpId, at: s.helpRequestedAt }))
    .sort((a, b) => b.at - a.at || (b.id > a.id ? 1 : b.id < a.id ? -1 : 0));
}

const daySessions = (count: number, seed = 7): SimSession[] =>
  generateSessions({ seed, from: DAY_START, to: DAY_END, count });

describe('authentication', () => {
  const NOW = Date.UTC(2025, 10, 24, 0, 30, 0);
  const at = (offsetMs: number): string => formatDlgDate(new Date(NOW + offsetMs));

  it('accepts a correctly signed request', async () => {
    const sim = await simulator({ now: () => NOW, sessions: daySessions(5) });
    const reply = await post(sim, WHOLE_DAY, { date: at(0) });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(items(reply.text)).toHaveLength(5);
  });

  it.each(['x-dlg-date', 'x-dlg-requester-userid', 'x-dlg-authorization'])(
    'answers 400 "Required headers not found" without %s, or with it empty',
    async (name) => {
      const sim = await simulator({ now: () => NOW });
      for (const value of [null, '']) {
        const reply = await post(sim, WHOLE_DAY, { date: at(0), headers: { [name]: value } });
        expect(reply).toMatchObject({ status: 400, text: 'Required headers not found' });
        expect(reply.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      }
    },
  );

  it.each(['Bearer abc', 'DLGA AK-SIM-1', 'DLGA AK-SIM-1:', 'DLGA :c2ln', 'dlga AK-SIM-1:c2ln', 'DLGA AK SIM:c2ln'])(
    'answers 400 for the authorization %j',
    async (authorization) => {
      const sim = await simulator({ now: () => NOW });
      const reply = await post(sim, WHOLE_DAY, { date: at(0), headers: { 'x-dlg-authorization': authorization } });
      expect(reply).toMatchObject({ status: 400, text: 'Authorization failed due to data format not valid' });
    },
  );

  it.each([
    'yesterday',
    '2025-11-24T00:30:00Z',
    'Mon, 24 Nov 2025 00:30 GMT',
    'Mon, 31 Feb 2025 00:30:00 GMT',
    'Mon, 24 Nov 2025 24:00:00 GMT',
    'Mon, 24 Nov 2025 00:30:00 CET',
  ])('answers 400 for the date %j', async (date) => {
    const sim = await simulator({ now: () => NOW });
    const reply = await post(sim, WHOLE_DAY, { date });
    expect(reply).toMatchObject({ status: 400, text: 'Authorization failed due to date not valid' });
  });

  it.each(['Mon, 24 Nov 2025 03:30:00 +0300', 'Mon, 24 Nov 2025 00:30:00 UTC', 'Mon, 24 Nov 2025 00:30:00'])(
    'accepts the date %j (zone offsets, GMT assumed without a zone)',
    async (date) => {
      const sim = await simulator({ now: () => NOW });
      expect((await post(sim, WHOLE_DAY, { date })).status).toBe(200);
    },
  );

  it('accepts a date exactly 15 minutes off either way and refuses one a second further with 403', async () => {
    const sim = await simulator({ now: () => NOW });
    for (const offset of [FIFTEEN_MINUTES, -FIFTEEN_MINUTES]) {
      expect((await post(sim, WHOLE_DAY, { date: at(offset) })).status).toBe(200);
      const late = await post(sim, WHOLE_DAY, { date: at(offset + Math.sign(offset) * 1000) });
      expect(late).toMatchObject({ status: 403, text: 'Request time may not be correct.' });
    }
  });

  it('answers 401 "Authorization failed" for an unknown key, a wrong secret, a changed body or path', async () => {
    const sim = await simulator({ now: () => NOW });
    const attempts: SendOptions[] = [
      { accessKeyId: 'AK-UNKNOWN' },
      { secret: 'not-the-secret' },
      { signedBody: body(DAY_START, DAY_END - 1) },
      { signedPath: `/other${API_PATH}` },
      { headers: { 'content-type': 'application/json; charset=utf-8' } },
    ];
    for (const attempt of attempts) {
      const reply = await post(sim, WHOLE_DAY, { date: at(0), ...attempt });
      expect(reply).toMatchObject({ status: 401, text: 'Authorization failed' });
    }
  });

  it('checks in the documented order: headers, format, date, skew, signature', async () => {
    const sim = await simulator({ now: () => NOW });
    const wrong = { secret: 'wrong' };
    const badFormat = { 'x-dlg-authorization': 'Basic xyz' };
    expect((await post(sim, WHOLE_DAY, { headers: { ...badFormat, 'x-dlg-date': null } })).status).toBe(400);
    expect((await post(sim, WHOLE_DAY, { date: 'nonsense', headers: badFormat })).text).toBe(
      'Authorization failed due to data format not valid',
    );
    expect((await post(sim, WHOLE_DAY, { date: 'nonsense', ...wrong })).text).toBe(
      'Authorization failed due to date not valid',
    );
    expect((await post(sim, WHOLE_DAY, { date: at(FIFTEEN_MINUTES * 2), ...wrong })).status).toBe(403);
  });

  it('accepts any of several key pairs', async () => {
    const second = { accessKeyId: 'AK-SIM-2', accessKeySecret: 'second-secret' };
    const sim = await simulator({ now: () => NOW, credentials: [KEY, second] });
    expect((await post(sim, WHOLE_DAY, { date: at(0) })).status).toBe(200);
    const reply = await post(sim, WHOLE_DAY, { date: at(0), ...second, secret: second.accessKeySecret });
    expect(reply.status).toBe(200);
  });

  it('checks the configured signature variant only', async () => {
    const sim = await simulator({ now: () => NOW, signatureVariant: 'concat' });
    expect((await post(sim, WHOLE_DAY, { date: at(0), variant: 'concat' })).status).toBe(200);
    expect((await post(sim, WHOLE_DAY, { date: at(0), variant: 'newline' })).status).toBe(401);
    sim.configure({ signatureVariant: 'newline' });
    expect((await post(sim, WHOLE_DAY, { date: at(0), variant: 'newline' })).status).toBe(200);
    expect((await post(sim, WHOLE_DAY, { date: at(0), variant: 'concat' })).status).toBe(401);
  });

  it('applies clockOffsetMs to the skew check and to the Date header', async () => {
    const sim = await simulator({ clockOffsetMs: -20 * 60_000 });
    expect((await post(sim, WHOLE_DAY)).status).toBe(403);
    const reply = await post(sim, WHOLE_DAY, { date: formatDlgDate(new Date(Date.now() - 20 * 60_000)) });
    expect(reply.status).toBe(200);
    expect(Math.abs(Date.parse(reply.headers.get('date') ?? '') - (Date.now() - 20 * 60_000))).toBeLessThan(5_000);
  });

  it('uses the fixed clock for the Date header', async () => {
    const sim = await simulator({ now: () => NOW });
    expect((await post(sim, WHOLE_DAY, { date: at(0) })).headers.get('date')).toBe(at(0));
  });

  it('never writes to the console', async () => {
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((method) => vi.spyOn(console, method));
    const sim = await simulator({ now: () => NOW });
    await post(sim, WHOLE_DAY, { date: at(0) });
    await post(sim, WHOLE_DAY, { date: at(0), secret: 'wrong' });
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
  });
});

describe('request body and routing', () => {
  it.each([
    'not json',
    '[]',
    'null',
    '{"startDate":1763931600000}',
    '{"startDate":"1763931600000","endDate":1764018000000}',
    '{"startDate":1763931600000.5,"endDate":1764018000000}',
    '{"startDate":1763931600000,"endDate":1764018000000,"customerId":42}',
  ])('answers 400 in plain text for the body %j', async (payload) => {
    const sim = await simulator();
    const reply = await post(sim, payload);
    expect(reply.status).toBe(400);
    expect(reply.text).toMatch(/^Invalid request body/);
    expect(reply.headers.get('content-type')).toBe('text/plain; charset=utf-8');
  });

  it('answers 404 for other paths and methods', async () => {
    const sim = await simulator();
    expect((await post(sim, WHOLE_DAY, { path: '/v1/reporting/other' })).status).toBe(404);
    const get = await fetch(sim.url + API_PATH);
    expect(get.status).toBe(404);
    expect(await get.text()).toBe('Not Found');
  });

  it('serves under a path prefix, which the signature covers', async () => {
    const sim = await simulator({ pathPrefix: '/api/diyalog', sessions: daySessions(3) });
    expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/diyalog$/);
    expect((await post(sim, WHOLE_DAY)).status).toBe(200);
    expect((await post(sim, WHOLE_DAY, { signedPath: API_PATH })).status).toBe(401);
    const origin = new URL(sim.url).origin;
    expect((await fetch(origin + API_PATH, { method: 'POST', body: WHOLE_DAY })).status).toBe(404);
  });

  it('rejects an invalid path prefix and invalid settings', async () => {
    await expect(startSimulator({ credentials: KEY, pathPrefix: 'api/' })).rejects.toThrow(RangeError);
    const sim = await simulator();
    expect(() => {
      sim.configure({ pageSize: 0 });
    }).toThrow(RangeError);
    expect(() => {
      sim.configure({ faultRate: 0.5, faultPool: [] });
    }).toThrow(RangeError);
  });

  it('filters by customerId and agentId', async () => {
    const sessions = daySessions(300);
    const sim = await simulator({ sessions });
    const [sample] = sessions.filter((s) => s.agentId !== undefined);
    const customerNo = sample?.customerNo ?? '';
    const agentId = sample?.agentId ?? '';
    const byCustomer = items((await post(sim, body(DAY_START, DAY_END, { customerId: customerNo }))).text);
    const expectedCustomer = newestFirst(sessions.filter((s) => s.customerNo === customerNo));
    expect(byCustomer).toEqual(expectedCustomer.slice(0, 20));
    const byAgent = items((await post(sim, body(DAY_START, DAY_END, { agentId }))).text);
    expect(byAgent).toEqual(newestFirst(sessions.filter((s) => s.agentId === agentId)).slice(0, 20));
  });
});

describe('paging semantics', () => {
  const start = DAY_START;
  const end = DAY_START + 3_600_000;
  const mid = start + 1_800_000;
  const onEdges = generateSessions({
    seed: 3,
    from: start,
    to: end,
    count: 0,
    boundaryInstants: [start - 1, start, mid, end, end + 1],
  });

  it.each([
    ['inclusive', [end, mid, start]],
    ['exclusive-end', [mid, start]],
    ['exclusive-both', [mid]],
  ] as const)('selects %s bounds', async (boundSemantics, expected) => {
    const sim = await simulator({ sessions: onEdges, boundSemantics });
    expect(items((await post(sim, body(start, end))).text).map((item) => item.at)).toEqual(expected);
  });

  it('switches bound semantics at runtime', async () => {
    const sim = await simulator({ sessions: onEdges });
    expect(items((await post(sim, body(start, end))).text)).toHaveLength(3);
    sim.configure({ boundSemantics: 'exclusive-both' });
    expect(items((await post(sim, body(start, end))).text)).toHaveLength(1);
  });

  it('answers at most 20 items, newest first, the newest of the window', async () => {
    const sessions = daySessions(200);
    const sim = await simulator({ sessions });
    const page = items((await post(sim, WHOLE_DAY)).text);
    expect(page).toEqual(newestFirst(sessions).slice(0, 20));
    const older = items((await post(sim, body(DAY_START, page.at(-1)?.at ?? 0))).text);
    expect(older[0]?.at).toBe(page.at(-1)?.at);
  });

  it('honours pageSize', async () => {
    const sim = await simulator({ sessions: daySessions(50), pageSize: 5 });
    expect(items((await post(sim, WHOLE_DAY)).text)).toHaveLength(5);
  });

  it('answers an empty array when nothing matches', async () => {
    const sim = await simulator({ sessions: daySessions(50) });
    expect((await post(sim, body(DAY_END, DAY_END + 1000))).text).toBe('[]');
  });

  it('breaks ties by id, descending, the same way every time', async () => {
    const sessions = generateSessions({ seed: 11, from: DAY_START, to: DAY_END, count: 100, tieGroups: [25] });
    const sim = await simulator({ sessions });
    const tied = newestFirst(sessions).filter(
      (item, _, all) => all.filter((other) => other.at === item.at).length === 25,
    );
    const instant = tied[0]?.at ?? 0;
    const first = await post(sim, body(instant, instant));
    const second = await post(sim, body(instant, instant));
    expect(second.text).toBe(first.text);
    expect(items(first.text)).toEqual(tied.slice(0, 20));
  });

  it('writes ids beyond 2^53 as exact integer literals', async () => {
    const sessions = [
      ...generateSessions({ seed: 5, from: DAY_START, to: DAY_END, count: 2, idStart: 2n ** 53n + 1n }),
      ...generateSessions({ seed: 6, from: DAY_START, to: DAY_END, count: 1, idStart: 2n ** 63n - 1n }),
    ];
    const sim = await simulator({ sessions });
    const reply = await post(sim, WHOLE_DAY);
    expect(reply.text).toContain('"onlineHelpId":9007199254740993,');
    expect(reply.text).toContain('"onlineHelpId":9223372036854775807,');
    expect(new Set(items(reply.text).map((item) => item.id))).toEqual(new Set(sessions.map((s) => s.onlineHelpId)));
  });
});

const KEYS_BY_PHASE = {
  waiting: [],
  cancelled: ['waitTime'],
  talking: ['agentId', 'agentName', 'helpStartedAt', 'waitTime', 'conversationDetailLink'],
  ended: ['agentId', 'agentName', 'helpStartedAt', 'helpEndedAt', 'waitTime', 'helpTime', 'conversationDetailLink'],
};
const PHASE_OF_STATE: Record<string, keyof typeof KEYS_BY_PHASE> = {
  onlinehelp_requested: 'waiting',
  onlinehelp_cancelled_by_customer: 'cancelled',
  onlinehelp_started: 'talking',
  onlinehelp_ended_by_customer: 'ended',
  onlinehelp_ended_by_agent: 'ended',
  onlinehelp_ended_customer_kill_app: 'ended',
  [EXAMPLE_HELP_STATE]: 'ended',
};
const REQUIRED_KEYS = ['onlineHelpId', 'customerNo', 'customerName', 'helpState', 'helpRequestedAt'];

function expectConsistent(session: SimSession): void {
  const phase = PHASE_OF_STATE[session.helpState];
  expect(phase).toBeDefined();
  expect(Object.keys(session).sort()).toEqual([...REQUIRED_KEYS, ...KEYS_BY_PHASE[phase ?? 'waiting']].sort());
  const { helpRequestedAt, helpStartedAt, helpEndedAt, helpTime, waitTime } = session;
  if (helpStartedAt !== undefined) {
    expect(waitTime).toBe(Math.round((helpStartedAt - helpRequestedAt) / 1000));
    expect(session.conversationDetailLink).toMatch(/^https:\/\//);
  }
  if (helpStartedAt !== undefined && helpEndedAt !== undefined) {
    expect(helpTime).toBe(Math.round((helpEndedAt - helpStartedAt) / 1000));
  }
}

describe('session generator', () => {
  const generate = (seed: number, count = 120, tieGroups: readonly number[] = [4]): SimSession[] =>
    generateSessions({ seed, from: DAY_START, to: DAY_END, count, tieGroups });

  it('is deterministic for a seed', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        expect(generate(seed)).toEqual(generate(seed));
      }),
      { numRuns: 15 },
    );
    expect(generate(1)).not.toEqual(generate(2));
  });

  it('gives unique ids, the requested count, instants in the window and states consistent with fields', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.integer({ min: 0, max: 150 }),
        fc.array(fc.integer({ min: 1, max: 30 }), { maxLength: 3 }),
        (seed, count, tieGroups) => {
          const sessions = generate(seed, count, tieGroups);
          expect(sessions).toHaveLength(count + tieGroups.reduce((sum, size) => sum + size, 0));
          expect(new Set(sessions.map((s) => s.onlineHelpId)).size).toBe(sessions.length);
          for (const session of sessions) {
            expect(session.helpRequestedAt).toBeGreaterThanOrEqual(DAY_START);
            expect(session.helpRequestedAt).toBeLessThan(DAY_END);
            expect(session.onlineHelpId).toBeGreaterThanOrEqual(5_000_000_000n);
            expectConsistent(session);
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  it('produces every help state and Turkish characters in a large set', () => {
    const sessions = generate(42, 2_000);
    expect(new Set(sessions.map((s) => s.helpState))).toEqual(new Set([...DOCUMENTED_HELP_STATES, EXAMPLE_HELP_STATE]));
    const names = sessions.flatMap((s) => [s.customerName, s.agentName ?? '']).join(' ');
    for (const letter of 'ğüşıöçİĞÜŞÖÇ') expect(names).toContain(letter);
  });

  it('produces tie groups of exactly the requested sizes, including 20 and more', () => {
    const sessions = generate(9, 500, [20, 21, 3]);
    const sizes = new Map<number, number>();
    for (const s of sessions) sizes.set(s.helpRequestedAt, (sizes.get(s.helpRequestedAt) ?? 0) + 1);
    expect([...sizes.values()].filter((size) => size >= 3).sort((a, b) => a - b)).toEqual([3, 20, 21]);
  });

  it('places sessions on the boundary instants, also outside [from, to)', () => {
    const boundaryInstants = [DAY_START, DAY_END - 1, DAY_END];
    const sessions = generateSessions({ seed: 4, from: DAY_START, to: DAY_END, count: 300, boundaryInstants });
    for (const instant of boundaryInstants) {
      expect(sessions.filter((s) => s.helpRequestedAt === instant)).toHaveLength(1);
    }
  });

  it('rejects impossible options', () => {
    expect(() => generateSessions({ seed: 1, from: DAY_END, to: DAY_START, count: 1 })).toThrow(RangeError);
    expect(() => generateSessions({ seed: 1, from: 0, to: 2, count: 0, tieGroups: [2, 2] })).toThrow(RangeError);
  });

  it('builds a deterministic demo day of a few hundred sessions', () => {
    const demo = demoDataset(DAY_START, DAY_END);
    expect(demo).toEqual(demoDataset(DAY_START, DAY_END));
    expect(demo.length).toBeGreaterThan(200);
    expect(demo.length).toBeLessThan(1000);
    expect(demo.every((s) => s.helpRequestedAt >= DAY_START && s.helpRequestedAt < DAY_END)).toBe(true);
  });
});

describe('faults', () => {
  const sessions = daySessions(40);
  const normalPage = async (sim: RunningSimulator): Promise<string> => {
    const reply = await post(sim, WHOLE_DAY);
    expect(reply.status).toBe(200);
    return reply.text;
  };

  it('consumes queued faults one request each, in order, then answers normally', async () => {
    const sim = await simulator({ sessions });
    sim.injectFaults({ kind: 'status500' }, { kind: 'status503' });
    expect(sim.pendingFaults).toBe(2);
    expect((await post(sim, WHOLE_DAY)).status).toBe(500);
    expect((await post(sim, WHOLE_DAY)).status).toBe(503);
    expect(sim.pendingFaults).toBe(0);
    expect(items(await normalPage(sim))).toHaveLength(20);
    expect(sim.counters.faultsByKind).toEqual({ status500: 1, status503: 1 });
  });

  it('answers 500 with a plain-text stack trace', async () => {
    const sim = await simulator({ sessions });
    sim.injectFaults({ kind: 'status500' });
    const reply = await post(sim, WHOLE_DAY);
    expect(reply.status).toBe(500);
    expect(reply.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(reply.text).toMatch(/^java\.lang\.NullPointerException/);
  });

  it('answers gateway errors with HTML, and 429 with Retry-After when asked', async () => {
    const sim = await simulator({ sessions });
    const faults: Fault[] = [
      { kind: 'status429', retryAfterSeconds: 7 },
      { kind: 'status429' },
      { kind: 'status502' },
      { kind: 'status503' },
      { kind: 'status504' },
    ];
    sim.injectFaults(...faults);
    const replies = [];
    for (let i = 0; i < faults.length; i++) replies.push(await post(sim, WHOLE_DAY));
    expect(replies.map((reply) => reply.status)).toEqual([429, 429, 502, 503, 504]);
    expect(replies.map((reply) => reply.headers.get('retry-after'))).toEqual(['7', null, null, null, null]);
    for (const reply of replies) {
      expect(reply.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(reply.text).toMatch(/^<html>/);
    }
  });

  it('resets the connection without a response', async () => {
    const sim = await simulator({ sessions });
    sim.injectFaults({ kind: 'reset' });
    await expect(post(sim, WHOLE_DAY)).rejects.toThrow();
    expect(sim.counters.byStatus).toEqual({});
    expect(items(await normalPage(sim))).toHaveLength(20);
  });

  it('truncates a page below its Content-Length and closes the connection', async () => {
    const sim = await simulator({ sessions });
    const full = await normalPage(sim);
    sim.injectFaults({ kind: 'truncated' });
    const response = await signedFetch(sim, WHOLE_DAY);
    expect(response.status).toBe(200);
    expect(Number(response.headers.get('content-length'))).toBe(Buffer.byteLength(full));
    await expect(response.text()).rejects.toThrow();
    expect(sim.counters.pages).toBe(1);
  });

  it('answers slowly but correctly', async () => {
    const sim = await simulator({ sessions });
    const full = await normalPage(sim);
    sim.injectFaults({ kind: 'slow', delayMs: 300 });
    const started = performance.now();
    const reply = await post(sim, WHOLE_DAY);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(reply.text).toBe(full);
    expect(sim.counters.pages).toBe(2);
  });

  it('answers 200 with an HTML page, a JSON object or broken JSON', async () => {
    const sim = await simulator({ sessions });
    const full = await normalPage(sim);
    sim.injectFaults({ kind: 'html200' }, { kind: 'object200' }, { kind: 'brokenJson200' });
    const html = await post(sim, WHOLE_DAY);
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(html.text).toMatch(/^<!DOCTYPE html>/);
    const object = await post(sim, WHOLE_DAY);
    expect(object.status).toBe(200);
    const parsed: unknown = JSON.parse(object.text);
    expect(parsed).toEqual({ error: 'Internal Server Error', status: 500 });
    const broken = await post(sim, WHOLE_DAY);
    expect(broken.status).toBe(200);
    expect(Number(broken.headers.get('content-length'))).toBe(Buffer.byteLength(broken.text));
    expect(full.startsWith(broken.text)).toBe(true);
    expect((): unknown => JSON.parse(broken.text)).toThrow(SyntaxError);
    expect(sim.counters).toMatchObject({ pages: 1, faults: 3, byStatus: { 200: 4 } });
  });

  it('answers any status, body and headers', async () => {
    const sim = await simulator({ sessions });
    sim.injectFaults({ kind: 'status', status: 418, body: 'çay', headers: { 'X-Brewed': 'yes' } });
    const reply = await post(sim, WHOLE_DAY);
    expect(reply).toMatchObject({ status: 418, text: 'çay' });
    expect(reply.headers.get('x-brewed')).toBe('yes');
  });

  it('serves hostile pages: oversized, with an out-of-window item, with a duplicate id', async () => {
    const sim = await simulator({ sessions });
    const full = items(await normalPage(sim));
    sim.injectFaults({ kind: 'oversizedPage' }, { kind: 'outOfWindowItem' }, { kind: 'duplicateIdDifferentContent' });

    const oversized = items((await post(sim, WHOLE_DAY)).text);
    expect(oversized).toHaveLength(21);
    expect(oversized.slice(0, 20)).toEqual(full);

    const outside = items((await post(sim, WHOLE_DAY)).text);
    expect(outside).toHaveLength(20);
    expect(outside.slice(0, 19)).toEqual(full.slice(0, 19));
    expect(outside[19]?.at).toBeLessThan(DAY_START);

    const duplicate = await post(sim, WHOLE_DAY);
    const duplicated = items(duplicate.text);
    expect(duplicated).toHaveLength(20);
    expect(duplicated[1]?.id).toBe(duplicated[0]?.id);
    const objects = duplicate.text.slice(1, -1).split(/,(?=\{"onlineHelpId")/);
    expect(objects[1]).not.toBe(objects[0]);
    expect(sim.counters.pages).toBe(1);
  });

  it('pads an oversized page by repeating its last real item when too few match', async () => {
    const sim = await simulator({ sessions: daySessions(3), pageSize: 5 });
    sim.injectFaults({ kind: 'oversizedPage' });
    const page = items((await post(sim, WHOLE_DAY)).text);
    expect(page).toHaveLength(6);
    expect(new Set(page.map((item) => item.id)).size).toBe(3);
  });

  it('lets a request that fails on its own fail normally, consuming a page-based fault', async () => {
    const sim = await simulator({ sessions });
    sim.injectFaults({ kind: 'truncated' });
    expect(await post(sim, WHOLE_DAY, { secret: 'wrong' })).toMatchObject({
      status: 401,
      text: 'Authorization failed',
    });
    expect(sim.pendingFaults).toBe(0);
  });

  it('injects seeded random faults at faultRate', async () => {
    const statuses = async (seed: number): Promise<number[]> => {
      const sim = await simulator({ sessions, faultRate: 0.5, faultPool: [{ kind: 'status503' }], seed });
      const result = [];
      for (let i = 0; i < 16; i++) result.push((await post(sim, WHOLE_DAY)).status);
      return result;
    };
    const first = await statuses(3);
    expect(await statuses(3)).toEqual(first);
    expect(new Set(first)).toEqual(new Set([200, 503]));
  });
});

describe('counters', () => {
  it('counts requests, statuses, pages, faults and windows, in total and by report, and resets', async () => {
    const sim = await simulator({ sessions: daySessions(10) });
    await post(sim, WHOLE_DAY);
    await post(sim, WHOLE_DAY, { secret: 'wrong' });
    await fetch(sim.url + '/elsewhere');
    sim.injectFaults({ kind: 'status502' });
    await post(sim, body(DAY_START, DAY_START + 1));
    const window = { startDate: DAY_START, endDate: DAY_END };
    expect(sim.counters).toEqual({
      requests: 4,
      byStatus: { 200: 1, 401: 1, 404: 1, 502: 1 },
      pages: 1,
      faults: 1,
      faultsByKind: { status502: 1 },
      windows: [window],
      byReport: {
        online_help: { requests: 3, pages: 1, faults: 1, windows: [window] },
        calls: { requests: 0, pages: 0, faults: 0, windows: [] },
      },
    });
    sim.resetCounters();
    const none = { requests: 0, pages: 0, faults: 0, windows: [] };
    expect(sim.counters).toEqual({
      requests: 0,
      byStatus: {},
      pages: 0,
      faults: 0,
      faultsByKind: {},
      windows: [],
      byReport: { online_help: none, calls: none },
    });
  });

  it('hands out snapshots', async () => {
    const sim = await simulator();
    const before = sim.counters;
    await post(sim, WHOLE_DAY);
    expect(before.requests).toBe(0);
    expect(sim.counters.requests).toBe(1);
  });
});

describe('stop', () => {
  it('closes promptly while a keep-alive connection is open', async () => {
    const sim = await simulator();
    const agent = new Agent({ keepAlive: true });
    const socketClosed = new Promise<void>((resolve, reject) => {
      const req = request(sim.url + '/elsewhere', { agent }, (res) => {
        res.resume();
      });
      req.on('socket', (socket) => {
        socket.on('close', () => {
          resolve();
        });
      });
      req.on('error', reject);
      req.end();
    });
    await vi.waitFor(() => {
      expect(sim.counters.requests).toBe(1);
    });
    const started = performance.now();
    await sim.stop();
    await socketClosed;
    expect(performance.now() - started).toBeLessThan(1_000);
    agent.destroy();
  });

  it('closes promptly while a request waits out its latency, and is idempotent', async () => {
    const sim = await simulator({ latencyMs: 10_000 });
    const pending = post(sim, WHOLE_DAY);
    await vi.waitFor(() => {
      expect(sim.counters.requests).toBe(1);
    });
    const started = performance.now();
    await Promise.all([sim.stop(), sim.stop()]);
    expect(performance.now() - started).toBeLessThan(1_000);
    await expect(pending).rejects.toThrow();
  });
});
