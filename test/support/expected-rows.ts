import type { SimCall, SimSession } from '../../functions/demo/index.js';

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

/** The row DuckDB should read back for a call (see readCalls): an absent field is NULL, `''` stays `''`. */
export function expectedCallRow(c: SimCall): Record<string, unknown> {
  const instant = (ms: number | undefined) => (ms === undefined ? null : String(ms));
  return {
    call_id: c.callId.toString(),
    call_started_at: String(c.callStartedAt),
    call_ended_at: instant(c.callEndedAt),
    call_time_seconds: c.callTime ?? null,
    call_type: c.callType ?? null,
    call_state: c.callState ?? null,
    call_use_type: c.callUseType ?? null,
    initiator_id: c.initiatorId ?? null,
    initiator_name: c.nameOfInitiator ?? null,
    initiator_user_type: c.initiatorUserType ?? null,
    initiator_app_name: c.initiatorAppName ?? null,
    receiver_id: c.receiverId ?? null,
    receiver_name: c.nameOfReceiver ?? null,
    receiver_user_type: c.receiverUserType ?? null,
    receiver_app_name: c.receiverAppName ?? null,
    call_view_url: c.callViewUrl ?? null,
  };
}

/** Calls of `[start, end)` in file order: by start time, then id. */
export function expectedCallRows(calls: readonly SimCall[], start: number, end: number): Record<string, unknown>[] {
  return calls
    .filter((c) => c.callStartedAt >= start && c.callStartedAt < end)
    .sort((a, b) => a.callStartedAt - b.callStartedAt || (a.callId < b.callId ? -1 : 1))
    .map(expectedCallRow);
}
