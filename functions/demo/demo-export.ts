import { demoCalls, type SimCall } from './calls.js';
import { demoDataset, type SimSession } from './sessions.js';

/** What `--demo` serves for one window: the demo sessions and the calls that go with them. */
export interface DemoExport {
  readonly sessions: SimSession[];
  readonly calls: SimCall[];
}

/** The demo data of [start, end) (epoch ms, usually one day) for every report. Deterministic. */
export function demoExport(start: number, end: number): DemoExport {
  const sessions = demoDataset(start, end);
  return { sessions, calls: demoCalls(sessions, start, end) };
}
