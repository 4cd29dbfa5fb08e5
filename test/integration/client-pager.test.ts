import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ONLINE_HELP } from '../../functions/contract/reports.js';
import { DiyalogClient } from '../../functions/export/diyalog/client.js';
import { staticCredentials } from '../../functions/export/diyalog/credentials.js';
import type { SignatureVariant } from '../../functions/contract/settings.js';
import { collect, sortIds } from '../support/collect.js';
import {
  BOUND_SEMANTICS,
  generateSessions,
  startSimulator,
  TRANSIENT_FAULTS,
  type RunningSimulator,
  type SimSession,
} from '../../functions/demo/index.js';

const START = Date.UTC(2025, 10, 22, 21, 0, 0); // 2025-11-23T00:00 in Istanbul
const END = START + 86_400_000;
const DAY = { start: START, end: END };
const KEYS = { accessKeyId: 'AK-integration', accessKeySecret: 'integration-secret-3141' };

const sessions: SimSession[] = generateSessions({
  seed: 42,
  from: START,
  to: END,
  count: 1_200,
  tieGroups: [2, 3, 5, 8, 13, 19, 20],
  boundaryInstants: [START - 1, START, END - 1, END],
  idStart: 2n ** 53n - 600n,
});
const expected = sortIds(
  sessions.filter((s) => s.helpRequestedAt >= START && s.helpRequestedAt < END).map((s) => s.onlineHelpId),
);

let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startSimulator({ credentials: KEYS, sessions });
});

afterAll(async () => {
  await sim.stop();
});

function client(variant: SignatureVariant = 'newline'): DiyalogClient {
  return new DiyalogClient({
    report: ONLINE_HELP,
    endpoint: sim.url,
    credentials: staticCredentials({ ...KEYS, requesterUserId: 'integration' }),
    signatureVariant: variant,
    timeoutMs: 1_000,
    retry: { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 5 },
  });
}

describe('client and pager against the simulator over HTTP', () => {
  it.each(BOUND_SEMANTICS)('pages a day exactly on a %s server, within the request budget', async (semantics) => {
    sim.configure({ boundSemantics: semantics, signatureVariant: 'newline', faultRate: 0 });
    sim.resetCounters();
    const result = await collect(client(), DAY);
    expect(result.ids).toHaveLength(new Set(result.ids).size);
    expect(sortIds(result.ids)).toEqual(expected);
    // The overflow report of the group of exactly 20, which the time cursor cannot tell from a larger one.
    expect(result.overflows).toHaveLength(1);
    expect(result.overflows[0]?.countSeen).toBe(20);
    expect(sim.counters.pages).toBeLessThanOrEqual(1.1 * Math.ceil(expected.length / 20) + 1);
  });

  it('signs with the concat variant for a server that checks it', async () => {
    sim.configure({ boundSemantics: 'exclusive-end', signatureVariant: 'concat', faultRate: 0 });
    const result = await collect(client('concat'), DAY);
    expect(sortIds(result.ids)).toEqual(expected);
  });

  it('stays exact when a third of the requests meet a transport fault or a hostile 200', async () => {
    sim.configure({
      boundSemantics: 'exclusive-both',
      signatureVariant: 'newline',
      faultRate: 0.3,
      faultPool: TRANSIENT_FAULTS,
    });
    sim.resetCounters();
    const result = await collect(client(), DAY);
    expect(sortIds(result.ids)).toEqual(expected);
    expect(sim.counters.faults).toBeGreaterThan(10);
    expect(result.requests).toBe(sim.counters.requests);
  });
});
