import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CALL_USE_TYPES,
  USER_TYPES,
  callAt,
  demoCalls,
  demoExport,
  generateSessions,
  type SimCall,
  type SimSession,
} from '../../../functions/demo/index.js';

/** 24 Nov 2025 00:00 in Istanbul (UTC+3). */
const DAY_START = Date.UTC(2025, 10, 23, 21);
const DAY_END = DAY_START + 86_400_000;
const CUSTOMER_APPS = ['Diyalog Android', 'Diyalog iOS'];

const demo = demoExport(DAY_START, DAY_END);

/** The session inside whose conversation an online-help call was made, by its agent to its customer. */
function sessionOf(call: SimCall, sessions: readonly SimSession[]): SimSession | undefined {
  return sessions.find(
    (s) =>
      s.agentId === call.initiatorId &&
      s.agentName === call.nameOfInitiator &&
      s.customerNo === call.receiverId &&
      s.customerName === call.nameOfReceiver &&
      s.helpStartedAt !== undefined &&
      s.helpEndedAt !== undefined &&
      s.helpStartedAt <= call.callStartedAt &&
      call.callStartedAt <= s.helpEndedAt,
  );
}

/** What holds for any demo calls of any sessions and window. */
function expectValid(calls: readonly SimCall[], sessions: readonly SimSession[], start: number, end: number): void {
  expect(new Set(calls.map((c) => c.callId)).size).toBe(calls.length);
  for (const [index, call] of calls.entries()) {
    expect(call.callStartedAt).toBeGreaterThanOrEqual(start);
    expect(call.callStartedAt).toBeLessThan(end);
    const previous = calls[index - 1];
    if (previous) expect(previous.callStartedAt).toBeLessThanOrEqual(call.callStartedAt);
    expect(call.callId < 0n ? -call.callId : call.callId).toBeGreaterThan(2n ** 53n);
    expect(call.callId).toBeGreaterThanOrEqual(-(2n ** 63n));
    expect(call.callId).toBeLessThan(2n ** 63n);
    expect(CALL_USE_TYPES).toContain(call.callUseType);
    if (call.callState === 'MISSED') {
      expect(call).toMatchObject({ callTime: 0, callViewUrl: '' });
    } else {
      expect(call.callState).toBe('ENDED');
      expect(call.callTime).toBe(Math.round(((call.callEndedAt ?? NaN) - call.callStartedAt) / 1000));
      expect(call.callTime).toBeGreaterThan(0);
    }
    if (call.callUseType === 'ONLINE_HELP_CALL') {
      expect(sessionOf(call, sessions)).toBeDefined();
      expect(call).toMatchObject({ initiatorUserType: USER_TYPES.staff, initiatorAppName: 'Agent Web App' });
      expect(call.receiverUserType).toBe(USER_TYPES.customer);
      expect(CUSTOMER_APPS).toContain(call.receiverAppName);
    }
    if (call.callUseType === 'VIDEO_HELP_CALL') {
      expect(call.receiverUserType).toBe(USER_TYPES.staff);
      expect([USER_TYPES.customer, USER_TYPES.anonymousCustomer]).toContain(call.initiatorUserType);
      expect(call.initiatorId === undefined).toBe(call.initiatorUserType === USER_TYPES.anonymousCustomer);
    }
  }
}

describe('demo calls', () => {
  it('are deterministic', () => {
    expect(demoExport(DAY_START, DAY_END)).toEqual(demo);
    expect(demoCalls(demo.sessions, DAY_START, DAY_END)).toEqual(demo.calls);
    expect(callAt(-5n, DAY_START)).toEqual(callAt(-5n, DAY_START));
  });

  it('go with the demo sessions: every online-help call lies in a session of its agent and customer', () => {
    expectValid(demo.calls, demo.sessions, DAY_START, DAY_END);
    expect(demo.calls.filter((c) => c.callUseType === 'ONLINE_HELP_CALL').length).toBeGreaterThan(10);
  });

  it('are made and taken by the sessions’ own customers and agents', () => {
    const customers = new Map(demo.sessions.map((s) => [s.customerNo, s.customerName]));
    const agents = new Map(demo.sessions.map((s) => [s.agentId, s.agentName]));
    for (const call of demo.calls) {
      for (const [id, name, userType] of [
        [call.initiatorId, call.nameOfInitiator, call.initiatorUserType],
        [call.receiverId, call.nameOfReceiver, call.receiverUserType],
      ] as const) {
        if (userType === USER_TYPES.staff) expect(agents.get(id)).toBe(name);
        if (userType === USER_TYPES.customer) expect(customers.get(id ?? '')).toBe(name);
      }
    }
  });

  it('hold every kind of call the exporter must keep apart', () => {
    const { calls } = demo;
    expect(calls.length).toBeGreaterThan(150);
    expect(calls.length).toBeLessThan(400);
    expect(new Set(calls.map((c) => c.callUseType))).toEqual(new Set(CALL_USE_TYPES));
    expect(new Set(calls.map((c) => c.callType))).toEqual(new Set(['video', 'voice', '']));
    expect(new Set(calls.map((c) => c.callState))).toEqual(new Set(['ENDED', 'MISSED']));
    expect(calls.some((c) => c.callState === 'ENDED' && c.callViewUrl === '')).toBe(true);
    expect(calls.some((c) => c.callViewUrl?.startsWith('https://'))).toBe(true);
    expect(calls.some((c) => c.initiatorId === undefined)).toBe(true);
    expect(calls.filter((c) => c.callId < 0n).length).toBeGreaterThanOrEqual(3);
    const names = calls.flatMap((c) => [c.nameOfInitiator, c.nameOfReceiver]).join(' ');
    for (const letter of 'ğüşıöçİĞÜŞÖÇ') expect(names).toContain(letter);
  });

  it('put a call on each edge of the window and three in one millisecond, one with a negative id', () => {
    const { calls } = demo;
    expect(calls[0]?.callStartedAt).toBe(DAY_START);
    expect(calls.at(-1)?.callStartedAt).toBe(DAY_END - 1);
    const tied = calls.filter((c) => calls.filter((other) => other.callStartedAt === c.callStartedAt).length >= 3);
    expect(tied).toHaveLength(3);
    expect(new Set(tied.map((c) => c.callStartedAt)).size).toBe(1);
    expect(tied.some((c) => c.callId < 0n)).toBe(true);
  });

  it('never share an id between two demo days', () => {
    const next = demoExport(DAY_END, DAY_END + 86_400_000).calls;
    const ids = new Set(demo.calls.map((c) => c.callId));
    expect(next.filter((c) => ids.has(c.callId))).toEqual([]);
  });

  it('keep to any window and sessions, also sessions that reach outside the window, and no sessions', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.integer({ min: 0, max: 80 }),
        fc.integer({ min: 1, max: 86_400_000 }),
        fc.integer({ min: 0, max: 86_400_000 }),
        (seed, count, length, offset) => {
          const sessions = generateSessions({ seed, from: DAY_START, to: DAY_END, count });
          const start = DAY_START + Math.min(offset, 86_400_000 - length);
          const calls = demoCalls(sessions, start, start + length);
          expectValid(calls, sessions, start, start + length);
        },
      ),
      { numRuns: 40 },
    );
    const alone = demoCalls([], DAY_START, DAY_END);
    expect(alone.length).toBeGreaterThan(100);
    expect(alone.some((c) => c.callUseType === 'ONLINE_HELP_CALL')).toBe(false);
  });

  it('refuse an empty or reversed window', () => {
    expect(() => demoCalls([], DAY_START, DAY_START)).toThrow(RangeError);
    expect(() => demoCalls([], DAY_END, DAY_START)).toThrow(RangeError);
  });
});
