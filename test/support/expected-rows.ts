import type { SimSession } from '../../functions/demo/index.js';

/** The row DuckDB should read back for a session (see readSessions): 64-bit values as decimal strings. */
export function expectedRow(s: SimSession): Record<string, unknown> {
  const instant = (ms: number | undefined) => (ms === undefined ? null : String(ms));
  return {
    online_help_id: s.onlineHelpId.toString(),
    customer_no: s.customerNo,
    customer_name: s.customerName,
    agent_id: s.agentId ?? null,
    agent_name: s.agentName ?? null,
    help_state: s.helpState,
    help_requested_at: String(s.helpRequestedAt),
    help_started_at: instant(s.helpStartedAt),
    help_ended_at: instant(s.helpEndedAt),
    wait_time_seconds: s.waitTime ?? null,
    help_time_seconds: s.helpTime ?? null,
    conversation_detail_link: s.conversationDetailLink ?? null,
  };
}

/** Sessions of `[start, end)` in file order: by request time, then id. */
export function expectedRows(sessions: readonly SimSession[], start: number, end: number): Record<string, unknown>[] {
  return sessions
    .filter((s) => s.helpRequestedAt >= start && s.helpRequestedAt < end)
    .sort((a, b) => a.helpRequestedAt - b.helpRequestedAt || (a.onlineHelpId < b.onlineHelpId ? -1 : 1))
    .map(expectedRow);
}
