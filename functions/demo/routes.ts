import { CALLS, columnOf, ONLINE_HELP } from '../contract/reports.js';
import type { RequestWindow } from '../export/core/errors.js';
import { CALL_USE_TYPES, callAt, USER_TYPES, type SimCall } from './calls.js';
import { DEFAULT_ID_START, sessionAt, type SimSession } from './sessions.js';
import { serialiseItems } from './wire.js';

/** The reports the simulator serves, by their contract name. */
export type SimReportName = typeof ONLINE_HELP.name | typeof CALLS.name;

/** Every report the simulator serves, in the contract's order. */
export const SIM_REPORT_NAMES: readonly SimReportName[] = [ONLINE_HELP.name, CALLS.name];

/** A request body's fields by name, as parsed from JSON. */
type BodyFields = ReadonlyMap<string, unknown>;

/**
 * What the simulator's one generic route needs to know of a report: where it is served, how its items are
 * ordered and written, which filters its request body takes, and how a fault makes up an item.
 */
export interface ReportRoute<Item> {
  readonly name: SimReportName;
  /** The route after the path prefix; also the signed resource (spec §2). */
  readonly path: string;
  /** The ordering and paging key, epoch ms; the bounds apply to it. */
  cursorOf(item: Item): number;
  /** The unique signed 64-bit id; ties at one millisecond are ordered by it, descending. */
  idOf(item: Item): bigint;
  /** A page's JSON, ids as exact integer literals. */
  serialise(items: readonly Item[]): string;
  /**
   * Which items the body's filters (the fields besides `startDate` and `endDate`) select, or `undefined` when
   * they are not valid.
   */
  filter(fields: BodyFields): ((item: Item) => boolean) | undefined;
  /** The text of the 400 answer to an invalid body. */
  readonly badBody: string;
  /** A plausible item with this id and cursor, for the faults that make one up. */
  fabricate(id: bigint, at: number): Item;
  /** The smallest id an item is made up with. */
  readonly firstFabricatedId: bigint;
  /** A copy with the same id in another state, for the `duplicateIdDifferentContent` fault. */
  withOtherState(item: Item): Item;
}

/** What a valid request asks for. */
export interface ReportRequest<Item> {
  readonly window: RequestWindow;
  readonly selects: (item: Item) => boolean;
}

/** The window and filters of a request body, or `undefined` when the body is not valid for the route. */
export function parseRequest<Item>(route: ReportRoute<Item>, body: string): ReportRequest<Item> | undefined {
  const parsed = parseJson(body);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const fields = new Map<string, unknown>(Object.entries(parsed));
  const startDate = fields.get('startDate');
  const endDate = fields.get('endDate');
  if (!isEpochMs(startDate) || !isEpochMs(endDate)) return undefined;
  const selects = route.filter(fields);
  return selects && { window: { startDate, endDate }, selects };
}

/** Live-help sessions, `getonlinehelplist` (spec §1): filters `customerId` and `agentId`. */
export const ONLINE_HELP_ROUTE: ReportRoute<SimSession> = {
  name: ONLINE_HELP.name,
  path: ONLINE_HELP.path,
  cursorOf: (session) => session.helpRequestedAt,
  idOf: (session) => session.onlineHelpId,
  serialise: pageJson(columnOf(ONLINE_HELP, ONLINE_HELP.idColumn).source),
  filter(fields) {
    const customerId = fields.get('customerId');
    const agentId = fields.get('agentId');
    if (!isOptionalString(customerId) || !isOptionalString(agentId)) return undefined;
    return (session) => matches(customerId, session.customerNo) && matches(agentId, session.agentId);
  },
  badBody:
    'Invalid request body: expected a JSON object with integer startDate and endDate (epoch milliseconds) and optional string customerId and agentId',
  fabricate: (id, at) => sessionAt(id, at),
  firstFabricatedId: DEFAULT_ID_START,
  withOtherState: (session) => ({
    ...session,
    helpState: session.helpState === 'onlinehelp_started' ? 'onlinehelp_ended_by_agent' : 'onlinehelp_started',
  }),
};

const REQUEST_CALL_TYPES: readonly unknown[] = ['all', 'video', 'voice'];
const STAFF_TYPES: readonly (number | undefined)[] = [USER_TYPES.staff];
const CUSTOMER_TYPES: readonly (number | undefined)[] = [USER_TYPES.customer, USER_TYPES.anonymousCustomer];

/**
 * Video and voice calls, `getcalllist` (spec §4): `callType` `all`, `video` or `voice` (required), filters
 * `staffId` and `customerId` (a staff member or customer on either side of the call) and `callUseType` (a code,
 * see {@link CALL_USE_TYPES}).
 */
export const CALLS_ROUTE: ReportRoute<SimCall> = {
  name: CALLS.name,
  path: CALLS.path,
  cursorOf: (call) => call.callStartedAt,
  idOf: (call) => call.callId,
  serialise: pageJson(columnOf(CALLS, CALLS.idColumn).source),
  filter(fields) {
    const callType = fields.get('callType');
    const staffId = fields.get('staffId');
    const customerId = fields.get('customerId');
    const useTypeCode = fields.get('callUseType');
    const valid =
      REQUEST_CALL_TYPES.includes(callType) &&
      isOptionalString(staffId) &&
      isOptionalString(customerId) &&
      isOptionalUseTypeCode(useTypeCode);
    if (!valid) return undefined;
    const useType = useTypeCode === undefined || useTypeCode === null ? undefined : CALL_USE_TYPES[useTypeCode];
    return (call) =>
      (callType === 'all' || call.callType === callType) &&
      (!staffId || takesPart(call, staffId, STAFF_TYPES)) &&
      (!customerId || takesPart(call, customerId, CUSTOMER_TYPES)) &&
      (useType === undefined || call.callUseType === useType);
  },
  badBody:
    'Invalid request body: expected a JSON object with integer startDate and endDate (epoch milliseconds), callType "all", "video" or "voice", optional string staffId and customerId and optional integer callUseType from 0 to 3',
  fabricate: (id, at) => callAt(id, at),
  // Past 2^53, as real call ids are.
  firstFabricatedId: 2n ** 53n + 1n,
  withOtherState: (call) => ({ ...call, callState: call.callState === 'ENDED' ? 'START' : 'ENDED' }),
};

function pageJson(idField: string): (items: readonly object[]) => string {
  return (items) => serialiseItems(items, idField);
}

/** Whether someone of one of `userTypes` with number `id` makes or takes the call. */
function takesPart(call: SimCall, id: string, userTypes: readonly (number | undefined)[]): boolean {
  return (
    (call.initiatorId === id && userTypes.includes(call.initiatorUserType)) ||
    (call.receiverId === id && userTypes.includes(call.receiverUserType))
  );
}

/** Like a typical Java backend, a null or empty filter means "no filter". */
function matches(wanted: string | null | undefined, actual: string | undefined): boolean {
  return !wanted || actual === wanted;
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

function isOptionalUseTypeCode(value: unknown): value is number | null | undefined {
  return (
    value === undefined ||
    value === null ||
    (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < CALL_USE_TYPES.length)
  );
}
