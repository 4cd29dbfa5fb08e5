import { columnOf, ONLINE_HELP } from '../contract/reports.js';
import { businessInstant } from './instants.js';
import { createCast, type Cast } from './people.js';
import { createRandom, type Random } from './random.js';
import { serialiseItems } from './wire.js';

/**
 * One live-help session as the API returns it (spec §1, "Response 200"). Optional fields are absent, never
 * `undefined`, exactly as the session's state implies.
 */
export interface SimSession {
  /** 64-bit id; a `bigint` because real ids may exceed 2^53. */
  readonly onlineHelpId: bigint;
  readonly customerNo: string;
  readonly customerName: string;
  /** Staff number ("sicil") of the agent; absent if the session never started. */
  readonly agentId?: string;
  readonly agentName?: string;
  readonly helpState: string;
  /** Epoch milliseconds; the ordering and paging key. */
  readonly helpRequestedAt: number;
  /** Epoch milliseconds; absent if the session never started. */
  readonly helpStartedAt?: number;
  /** Epoch milliseconds; absent unless the session ended. */
  readonly helpEndedAt?: number;
  /** Whole seconds the customer waited (until an agent answered or the customer cancelled). */
  readonly waitTime?: number;
  /** Whole seconds of conversation; only for ended sessions. */
  readonly helpTime?: number;
  /** URL of the transcript; only for sessions that started. */
  readonly conversationDetailLink?: string;
}

/** The `helpState` values the docs list (spec §1). */
export const DOCUMENTED_HELP_STATES = [
  'onlinehelp_requested',
  'onlinehelp_cancelled_by_customer',
  'onlinehelp_started',
  'onlinehelp_ended_by_customer',
  'onlinehelp_ended_by_agent',
  'onlinehelp_ended_customer_kill_app',
] as const;

/** The undocumented value of the docs' example response (spec §3.4); treated as an ended session. */
export const EXAMPLE_HELP_STATE = 'Ended by customer';

export interface GenerateSessionsOptions {
  /** Same seed and options, same sessions. */
  readonly seed: number;
  /** Start of the window, epoch ms, inclusive. */
  readonly from: number;
  /** End of the window, epoch ms, exclusive. */
  readonly to: number;
  /** Sessions at random instants in [from, to), weighted towards Istanbul business hours. */
  readonly count: number;
  /**
   * Sizes of same-millisecond groups, each at its own random instant in [from, to) that no other generated
   * session uses, so a group of 20 has exactly 20 members.
   * @default []
   */
  readonly tieGroups?: readonly number[];
  /**
   * Instants (epoch ms, may lie outside [from, to)) that get one session each, e.g. `from`, `to - 1` and `to`;
   * no other generated session uses them. Repeating an instant places several sessions there.
   * @default []
   */
  readonly boundaryInstants?: readonly number[];
  /**
   * Id of the oldest session; later sessions get larger ids with small random gaps.
   * @default 5_000_000_000n (above 2^32)
   */
  readonly idStart?: bigint;
}

type Phase = 'waiting' | 'cancelled' | 'talking' | 'ended';

interface StateKind {
  readonly helpState: string;
  readonly phase: Phase;
}

/** Each state with its relative frequency. */
const STATES: readonly (readonly [StateKind, number])[] = [
  [{ helpState: 'onlinehelp_requested', phase: 'waiting' }, 4],
  [{ helpState: 'onlinehelp_cancelled_by_customer', phase: 'cancelled' }, 14],
  [{ helpState: 'onlinehelp_started', phase: 'talking' }, 4],
  [{ helpState: 'onlinehelp_ended_by_customer', phase: 'ended' }, 25],
  [{ helpState: 'onlinehelp_ended_by_agent', phase: 'ended' }, 40],
  [{ helpState: 'onlinehelp_ended_customer_kill_app', phase: 'ended' }, 8],
  [{ helpState: EXAMPLE_HELP_STATE, phase: 'ended' }, 5],
];

/** Default id of the first generated session, above 2^32. */
export const DEFAULT_ID_START = 5_000_000_000n;
const LINK_BASE = 'https://diyalog.example.com.tr/panel/#/onlinehelp/conversation/';
const SESSION_ID_FIELD = columnOf(ONLINE_HELP, ONLINE_HELP.idColumn).source;

/**
 * Realistic sessions, sorted oldest first: `count` at random instants, plus every tie group and boundary
 * session, so the result has `count + sum(tieGroups) + boundaryInstants.length` sessions with unique ids.
 * Deterministic for a given seed and options.
 * @throws RangeError when the options are inconsistent or [from, to) has too few milliseconds for the groups.
 */
export function generateSessions(options: GenerateSessionsOptions): SimSession[] {
  const { seed, from, to, count, tieGroups = [], boundaryInstants = [], idStart = DEFAULT_ID_START } = options;
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from >= to) {
    throw new RangeError(`generateSessions: need integer epoch ms with from < to, got [${from}, ${to})`);
  }
  if (!Number.isSafeInteger(count) || count < 0 || tieGroups.some((size) => !Number.isSafeInteger(size) || size < 1)) {
    throw new RangeError('generateSessions: count must be a non-negative integer and tie group sizes positive');
  }
  if (boundaryInstants.some((instant) => !Number.isSafeInteger(instant))) {
    throw new RangeError('generateSessions: boundary instants must be integer epoch ms');
  }
  const reserved = new Set(boundaryInstants);
  if (reserved.size + tieGroups.length >= to - from) {
    throw new RangeError(
      'generateSessions: [from, to) is too short to leave a free millisecond beside the tie groups and boundaries',
    );
  }

  const random = createRandom(seed);
  const cast = createCast(random);
  const instants = [...boundaryInstants];
  for (const size of tieGroups) {
    const instant = businessInstant(random, from, to, reserved);
    reserved.add(instant);
    for (let i = 0; i < size; i++) instants.push(instant);
  }
  for (let i = 0; i < count; i++) instants.push(businessInstant(random, from, to, reserved));
  instants.sort((a, b) => a - b);

  let id = idStart;
  return instants.map((instant, index) => {
    if (index > 0) id += BigInt(random.int(1, 3));
    return createSession(random, cast, id, instant);
  });
}

/**
 * A few hundred sessions for one day, [dayStart, dayEnd) in epoch ms, with small same-millisecond groups and a
 * session on each edge of the day. Deterministic.
 */
export function demoDataset(dayStart: number, dayEnd: number): SimSession[] {
  return generateSessions({
    seed: 20_251_124,
    from: dayStart,
    to: dayEnd,
    count: 300,
    tieGroups: [2, 3, 5],
    boundaryInstants: [dayStart, dayEnd - 1],
    // Ids grow with the day, as real ones do, so that the demo days of a range never share an id.
    idStart: DEFAULT_ID_START + BigInt(Math.floor(dayStart / 86_400_000)) * 10_000n,
  });
}

/** One plausible session with the given id, requested at `helpRequestedAt` (epoch ms); deterministic for the id. */
export function sessionAt(onlineHelpId: bigint, helpRequestedAt: number): SimSession {
  const random = createRandom(Number(BigInt.asUintN(32, onlineHelpId)));
  return createSession(random, createCast(random), onlineHelpId, helpRequestedAt);
}

/** The response body for a page: a JSON array whose `onlineHelpId`s are exact integer literals, even past 2^53. */
export function serialisePage(sessions: readonly SimSession[]): string {
  return serialiseItems(sessions, SESSION_ID_FIELD);
}

function createSession(random: Random, cast: Cast, onlineHelpId: bigint, helpRequestedAt: number): SimSession {
  const customer = random.pick(cast.customers);
  const agent = random.pick(cast.agents);
  const { helpState, phase } = random.weighted(STATES);
  const waitMs = random.chance(0.8) ? random.int(2_000, 60_000) : random.int(60_000, 900_000);
  const helpStartedAt = helpRequestedAt + waitMs;
  const helpEndedAt = helpStartedAt + random.int(20_000, 2_700_000);
  const waitTime = Math.round(waitMs / 1000);
  const base = { onlineHelpId, customerNo: customer.id, customerName: customer.name };
  const started = { agentId: agent.id, agentName: agent.name, helpState, helpRequestedAt, helpStartedAt };
  const conversationDetailLink = `${LINK_BASE}${onlineHelpId.toString()}`;
  switch (phase) {
    case 'waiting':
      return { ...base, helpState, helpRequestedAt };
    case 'cancelled':
      return { ...base, helpState, helpRequestedAt, waitTime };
    case 'talking':
      return { ...base, ...started, waitTime, conversationDetailLink };
    case 'ended': {
      const helpTime = Math.round((helpEndedAt - helpStartedAt) / 1000);
      return { ...base, ...started, helpEndedAt, waitTime, helpTime, conversationDetailLink };
    }
  }
}
