import { describe, expect, expectTypeOf, it } from 'vitest';

import { DT_FORMAT, glueColumns, PARTITION_KEY, SESSION_COLUMNS } from '../../../functions/contract/schema.js';
import type { SessionRow } from '../../../functions/contract/schema.js';

/** The contract: name, Athena type, required, and the API field the comment must cite. */
const CONTRACT = [
  ['online_help_id', 'bigint', true, 'onlineHelpId'],
  ['customer_no', 'string', false, 'customerNo'],
  ['customer_name', 'string', false, 'customerName'],
  ['agent_id', 'string', false, 'agentId'],
  ['agent_name', 'string', false, 'agentName'],
  ['help_state', 'string', false, 'helpState'],
  ['help_requested_at', 'timestamp', true, 'helpRequestedAt'],
  ['help_started_at', 'timestamp', false, 'helpStartedAt'],
  ['help_ended_at', 'timestamp', false, 'helpEndedAt'],
  ['wait_time_seconds', 'int', false, 'waitTime'],
  ['help_time_seconds', 'int', false, 'helpTime'],
  ['conversation_detail_link', 'string', false, 'conversationDetailLink'],
] as const;

describe('SESSION_COLUMNS', () => {
  it('is exactly the contract: names, types and required flags, in order', () => {
    expect(SESSION_COLUMNS.map((c) => [c.name, c.athenaType, c.required])).toEqual(
      CONTRACT.map(([name, type, required]) => [name, type, required]),
    );
  });

  it('has unique snake_case names', () => {
    const names = SESSION_COLUMNS.map((c) => c.name);
    for (const name of names) expect(name).toMatch(/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/);
    expect(new Set(names).size).toBe(names.length);
  });

  it('comments every column within the Glue limit, citing its source API field', () => {
    for (const [index, column] of SESSION_COLUMNS.entries()) {
      expect(column.comment.length).toBeGreaterThan(10);
      expect(column.comment.length).toBeLessThanOrEqual(255);
      expect(column.comment).toContain(`Source: ${CONTRACT[index]?.[3] ?? '(missing from CONTRACT)'}`);
    }
  });

  it('does not store the partition column', () => {
    expect(SESSION_COLUMNS.map((c) => c.name)).not.toContain(PARTITION_KEY.name);
  });

  it('is frozen, list and entries', () => {
    expect(Object.isFrozen(SESSION_COLUMNS)).toBe(true);
    for (const column of SESSION_COLUMNS) expect(Object.isFrozen(column)).toBe(true);
  });

  it('derives SessionRow: bigint id, ms timestamps, nullable optional columns', () => {
    expectTypeOf<SessionRow>().toEqualTypeOf<{
      readonly online_help_id: bigint;
      readonly customer_no: string | null;
      readonly customer_name: string | null;
      readonly agent_id: string | null;
      readonly agent_name: string | null;
      readonly help_state: string | null;
      readonly help_requested_at: number;
      readonly help_started_at: number | null;
      readonly help_ended_at: number | null;
      readonly wait_time_seconds: number | null;
      readonly help_time_seconds: number | null;
      readonly conversation_detail_link: string | null;
    }>();
  });
});

describe('glueColumns', () => {
  it('lists the data columns in file order with their Athena types and comments', () => {
    expect(glueColumns()).toEqual(
      SESSION_COLUMNS.map((c) => ({ name: c.name, type: c.athenaType, comment: c.comment })),
    );
    expect(glueColumns().map((c) => c.type)).toEqual(CONTRACT.map(([, type]) => type));
  });
});

describe('partition key', () => {
  it('is dt, a yyyy-MM-dd string', () => {
    expect(PARTITION_KEY).toMatchObject({ name: 'dt', type: 'string' });
    expect(PARTITION_KEY.comment).toContain('yyyy-MM-dd');
    expect(DT_FORMAT).toBe('yyyy-MM-dd');
  });
});
