import { businessInstant } from './instants.js';
import { createCast, personName, type Cast, type Person } from './people.js';
import { createRandom, type Random } from './random.js';
import type { SimSession } from './sessions.js';

/**
 * One call as the API returns it (spec §4, "Response 200"). Only the id and the start are always there; any
 * other field may be absent, and `''` is a value of its own (`callType: ''` an unknown type, `callViewUrl: ''`
 * no recording), never the same as an absent field.
 */
export interface SimCall {
  /** Signed 64-bit id; a `bigint` because real ids pass 2^53 and may be negative. */
  readonly callId: bigint;
  /** Staff or customer number of the caller; absent for an anonymous customer. */
  readonly initiatorId?: string;
  readonly nameOfInitiator?: string;
  /** See {@link USER_TYPES}. */
  readonly initiatorUserType?: number;
  readonly initiatorAppName?: string;
  readonly receiverId?: string;
  readonly nameOfReceiver?: string;
  readonly receiverUserType?: number;
  readonly receiverAppName?: string;
  /** Epoch milliseconds; the ordering and paging key. */
  readonly callStartedAt: number;
  /** Epoch milliseconds. */
  readonly callEndedAt?: number;
  /** Whole seconds of conversation; `0` when the call never connected. */
  readonly callTime?: number;
  /** `video`, `voice`, or `''` for clients older than Diyalog 1.6.2. */
  readonly callType?: string;
  /** `ENDED`, `MISSED` (or the unexpected `START`). */
  readonly callState?: string;
  /** Link to the recording; `''` when there is none. */
  readonly callViewUrl?: string;
  /** One of {@link CALL_USE_TYPES}, as received. */
  readonly callUseType?: string;
}

/** The response's `callUseType` for each request `callUseType` code: the index is the code (spec §4, sic). */
export const CALL_USE_TYPES = ['UNKOWN', 'DIYALOG_STANDART_CALL', 'VIDEO_HELP_CALL', 'ONLINE_HELP_CALL'] as const;

type CallUseType = (typeof CALL_USE_TYPES)[number];

/** The `initiatorUserType` and `receiverUserType` values of the people who make and take calls (spec §4). */
export const USER_TYPES = { staff: 4, customer: 5, anonymousCustomer: 7 } as const;

/** One side of a call. */
interface Party {
  readonly person: Person | { readonly name: string };
  readonly userType: number;
  readonly app: string;
}

/** A call before its id is known. */
interface Plan {
  readonly useType: CallUseType;
  readonly initiator: Party;
  readonly receiver: Party;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly missed: boolean;
  readonly callType: string;
  readonly recorded: boolean;
}

const DEMO_SEED = 20_251_125;
/** Share of the sessions in which the agent calls the customer. */
const ONLINE_HELP_CALL_SHARE = 0.2;
/** Calls that no session started: video help, standard and unknown ones. */
const INDEPENDENT_CALLS = 140;
const NEGATIVE_ID_SHARE = 0.05;
const INDEPENDENT_USE_TYPES: readonly (readonly [CallUseType, number])[] = [
  ['VIDEO_HELP_CALL', 110],
  ['DIYALOG_STANDART_CALL', 27],
  ['UNKOWN', 3],
];
const CALL_TYPES: Readonly<Record<CallUseType, readonly (readonly [string, number])[]>> = {
  ONLINE_HELP_CALL: [
    ['video', 13],
    ['voice', 6],
    ['', 1],
  ],
  VIDEO_HELP_CALL: [
    ['video', 23],
    ['', 2],
  ],
  DIYALOG_STANDART_CALL: [
    ['voice', 6],
    ['video', 3],
    ['', 1],
  ],
  UNKOWN: [['', 1]],
};
const MISSED_SHARE: Readonly<Record<CallUseType, number>> = {
  ONLINE_HELP_CALL: 0.15,
  VIDEO_HELP_CALL: 0.2,
  DIYALOG_STANDART_CALL: 0.3,
  UNKOWN: 0.3,
};
const AGENT_APP = 'Agent Web App';
const CUSTOMER_APPS = ['Diyalog Android', 'Diyalog iOS'];
const ANONYMOUS_APP = 'Diyalog Web';
const ANONYMOUS_SHARE = 0.05;
/** A call shorter than this is not worth connecting: one with less room left in its session rings unanswered. */
const MIN_CONNECTED_MS = 5_000;
const RECORDING_BASE = 'https://diyalog.example.com.tr/panel/#/call/recording/';
const SEQUENCE_BITS = 20n;
const SIGN_BIT = 1n << 63n;

/**
 * Demo calls for the window [start, end) (epoch ms) that go with its demo sessions, oldest first:
 * - calls the agent starts from inside a session to its customer (`ONLINE_HELP_CALL`), during the conversation;
 * - video-help calls from customers (a few anonymous) to the call centre (`VIDEO_HELP_CALL`);
 * - standard calls between customers and staff (`DIYALOG_STANDART_CALL`) and a few `UNKOWN` ones;
 * with missed calls (no recording), calls from old clients (`callType: ''`), a call on each edge of the window,
 * three in one millisecond, ids past 2^53 and a few negative ones. Every call starts inside [start, end); the
 * people are the sessions' own. Deterministic for the same arguments.
 * @throws RangeError unless start < end are integers.
 */
export function demoCalls(sessions: readonly SimSession[], start: number, end: number): SimCall[] {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start >= end) {
    throw new RangeError(`demoCalls: need integer epoch ms with start < end, got [${start}, ${end})`);
  }
  const random = createRandom(DEMO_SEED);
  const cast = castOf(sessions, createCast(random));
  const calls: SimCall[] = [];
  const add = (plan: Plan, negative = random.chance(NEGATIVE_ID_SHARE)): void => {
    calls.push(toCall(plan, callIdOf(plan.startedAt, calls.length, negative)));
  };

  for (const session of sessions) {
    const plan = random.chance(ONLINE_HELP_CALL_SHARE) ? onlineHelpCall(random, session, start, end) : undefined;
    if (plan) add(plan);
  }
  add(independentCall(random, cast, start));
  add(independentCall(random, cast, end - 1));
  const tie = businessInstant(random, start, end);
  for (const negative of [false, true, false]) add(independentCall(random, cast, tie), negative);
  for (let i = 0; i < INDEPENDENT_CALLS; i++) add(independentCall(random, cast, businessInstant(random, start, end)));
  return calls.sort((a, b) => a.callStartedAt - b.callStartedAt || (a.callId < b.callId ? -1 : 1));
}

/** One plausible call with the given id, started at `callStartedAt` (epoch ms); deterministic for the id. */
export function callAt(callId: bigint, callStartedAt: number): SimCall {
  const random = createRandom(Number(BigInt.asUintN(32, callId)));
  return toCall(independentCall(random, createCast(random), callStartedAt), callId);
}

/**
 * Ids grow with the start time and carry the call's sequence number in the low bits, so that they are unique
 * within a window and across windows; some get the sign bit, as the docs' example id has.
 */
function callIdOf(startedAt: number, sequence: number, negative: boolean): bigint {
  if (sequence >= 2 ** Number(SEQUENCE_BITS)) throw new RangeError('demoCalls: too many calls for unique ids');
  const id = (BigInt(startedAt) << SEQUENCE_BITS) | BigInt(sequence);
  return negative ? BigInt.asIntN(64, id | SIGN_BIT) : id;
}

/** The customers and agents of the sessions, each once; a pool with nobody in it is taken from `fallback`. */
function castOf(sessions: readonly SimSession[], fallback: Cast): Cast {
  const customers = new Map<string, string>();
  const agents = new Map<string, string>();
  for (const session of sessions) {
    customers.set(session.customerNo, session.customerName);
    if (session.agentId !== undefined && session.agentName !== undefined) {
      agents.set(session.agentId, session.agentName);
    }
  }
  const people = (found: ReadonlyMap<string, string>): Person[] => [...found].map(([id, name]) => ({ id, name }));
  return {
    customers: customers.size > 0 ? people(customers) : fallback.customers,
    agents: agents.size > 0 ? people(agents) : fallback.agents,
  };
}

/** The agent calls the customer while the session's conversation lasts, or nothing when it lies outside the window. */
function onlineHelpCall(random: Random, session: SimSession, start: number, end: number): Plan | undefined {
  const { agentId, agentName, helpStartedAt, helpEndedAt } = session;
  if (agentId === undefined || agentName === undefined || helpStartedAt === undefined || helpEndedAt === undefined) {
    return undefined;
  }
  const earliest = Math.max(helpStartedAt, start);
  const latest = Math.min(helpEndedAt, end - 1);
  if (earliest > latest) return undefined;
  const startedAt = random.int(earliest, latest);
  const useType = 'ONLINE_HELP_CALL';
  return {
    useType,
    initiator: agentParty({ id: agentId, name: agentName }),
    receiver: customerParty(random, { id: session.customerNo, name: session.customerName }),
    startedAt,
    ...ending(random, useType, startedAt, Math.min(helpEndedAt - startedAt, 20 * 60_000)),
    callType: random.weighted(CALL_TYPES[useType]),
    recorded: random.chance(0.7),
  };
}

/** A video-help, standard or unknown call at `startedAt`. */
function independentCall(random: Random, cast: Cast, startedAt: number): Plan {
  const useType = random.weighted(INDEPENDENT_USE_TYPES);
  const agent = agentParty(random.pick(cast.agents));
  const customer = customerParty(random, random.pick(cast.customers));
  if (useType === 'VIDEO_HELP_CALL') {
    const anonymous = random.chance(ANONYMOUS_SHARE);
    return {
      useType,
      initiator: anonymous
        ? { person: { name: personName(random) }, userType: USER_TYPES.anonymousCustomer, app: ANONYMOUS_APP }
        : customer,
      receiver: agent,
      startedAt,
      ...ending(random, useType, startedAt, 25 * 60_000),
      callType: random.weighted(CALL_TYPES[useType]),
      recorded: random.chance(0.9),
    };
  }
  const customerCalls = random.chance(0.6);
  return {
    useType,
    initiator: customerCalls ? customer : agent,
    receiver: customerCalls ? agent : customer,
    startedAt,
    ...ending(random, useType, startedAt, 15 * 60_000),
    callType: random.weighted(CALL_TYPES[useType]),
    recorded: false,
  };
}

/** When the call ends: after a ring when missed, otherwise after a conversation of at most `longestMs`. */
function ending(
  random: Random,
  useType: CallUseType,
  startedAt: number,
  longestMs: number,
): Pick<Plan, 'endedAt' | 'missed'> {
  const missed = longestMs < MIN_CONNECTED_MS || random.chance(MISSED_SHARE[useType]);
  const lastsMs = missed ? random.int(5_000, 40_000) : random.int(MIN_CONNECTED_MS, longestMs);
  return { endedAt: startedAt + lastsMs, missed };
}

function agentParty(agent: Person): Party {
  return { person: agent, userType: USER_TYPES.staff, app: AGENT_APP };
}

function customerParty(random: Random, customer: Person): Party {
  return { person: customer, userType: USER_TYPES.customer, app: random.pick(CUSTOMER_APPS) };
}

function toCall(plan: Plan, callId: bigint): SimCall {
  const { initiator, receiver, startedAt, endedAt, missed } = plan;
  return {
    callId,
    ...('id' in initiator.person ? { initiatorId: initiator.person.id } : {}),
    nameOfInitiator: initiator.person.name,
    initiatorUserType: initiator.userType,
    initiatorAppName: initiator.app,
    ...('id' in receiver.person ? { receiverId: receiver.person.id } : {}),
    nameOfReceiver: receiver.person.name,
    receiverUserType: receiver.userType,
    receiverAppName: receiver.app,
    callStartedAt: startedAt,
    callEndedAt: endedAt,
    callTime: missed ? 0 : Math.round((endedAt - startedAt) / 1000),
    callType: plan.callType,
    callState: missed ? 'MISSED' : 'ENDED',
    callViewUrl: plan.recorded && !missed ? `${RECORDING_BASE}${callId.toString()}` : '',
    callUseType: plan.useType,
  };
}
