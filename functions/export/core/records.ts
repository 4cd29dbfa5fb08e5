import type { KeyedSession, RejectedItem } from './paging/interval-cursor.js';
import { parseEpochMillis, parseInteger } from './fields.js';
import { checkRow, type CheckedRow } from './column-values.js';
import type { SessionRow } from '../../contract/schema.js';

export type RecordOutcome = { readonly row: CheckedRow } | RejectedItem;

class FieldError extends Error {}

/**
 * Turns one received session into a row. Values are kept as received where the type allows (an unknown
 * `helpState` is kept); numbers sent as numeric strings are coerced, and so are ids or links sent as numbers
 * where a string is documented. A value that cannot be coerced, or that its column cannot hold (see
 * {@link checkRow}), rejects the whole record, so that no row in the table silently differs from what the API
 * sent and one odd record cannot fail the day.
 */
export function toSessionRow(session: KeyedSession): RecordOutcome {
  const item = session.item;
  let row: SessionRow;
  try {
    row = {
      online_help_id: session.id,
      customer_no: text(item, 'customerNo'),
      customer_name: text(item, 'customerName'),
      agent_id: text(item, 'agentId'),
      agent_name: text(item, 'agentName'),
      help_state: text(item, 'helpState'),
      help_requested_at: session.requestedAt,
      help_started_at: instant(item, 'helpStartedAt'),
      help_ended_at: instant(item, 'helpEndedAt'),
      wait_time_seconds: wholeNumber(item, 'waitTime'),
      help_time_seconds: wholeNumber(item, 'helpTime'),
      conversation_detail_link: text(item, 'conversationDetailLink'),
    };
  } catch (error) {
    if (error instanceof FieldError) return { reason: error.message, item };
    throw error;
  }
  const checked = checkRow(row);
  return 'row' in checked ? checked : { reason: `${checked.column} ${checked.problem}`, item };
}

function text(item: Readonly<Record<string, unknown>>, field: string): string | null {
  const value = item[field];
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint' || (typeof value === 'number' && Number.isFinite(value))) return String(value);
  throw new FieldError(`${field} is ${describe(value)}, expected a string`);
}

function instant(item: Readonly<Record<string, unknown>>, field: string): number | null {
  const value = item[field];
  if (value === undefined || value === null) return null;
  const ms = parseEpochMillis(value);
  if (ms === undefined) throw new FieldError(`${field} is ${describe(value)}, expected epoch milliseconds`);
  return ms;
}

function wholeNumber(item: Readonly<Record<string, unknown>>, field: string): number | null {
  const value = item[field];
  if (value === undefined || value === null) return null;
  const n = parseInteger(value);
  if (n === undefined) throw new FieldError(`${field} is ${describe(value)}, expected whole seconds`);
  return n;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `the string ${JSON.stringify(value.slice(0, 40))}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${value}`;
  return Array.isArray(value) ? 'an array' : `of type ${typeof value}`;
}
