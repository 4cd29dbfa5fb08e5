import { describe, expect, expectTypeOf, it } from 'vitest';

import { DT_FORMAT, glueColumns, PARTITION_KEY } from '../../../functions/contract/schema.js';
import {
  CALLS,
  columnOf,
  ONLINE_HELP,
  partitionColumn,
  REPORTS,
  reportsNamed,
  reportsSetting,
  type CallRow,
  type SessionRow,
} from '../../../functions/contract/reports.js';
import { preflightKey } from '../../../functions/contract/layout.js';
import { SettingError } from '../../../functions/contract/errors.js';

/** The contracts: name, Athena type, required, source API field, personal. */
const SESSION_CONTRACT = [
  ['online_help_id', 'bigint', true, 'onlineHelpId', false],
  ['customer_no', 'string', false, 'customerNo', true],
  ['customer_name', 'string', false, 'customerName', true],
  ['agent_id', 'string', false, 'agentId', true],
  ['agent_name', 'string', false, 'agentName', true],
  ['help_state', 'string', false, 'helpState', false],
  ['help_requested_at', 'timestamp', true, 'helpRequestedAt', false],
  ['help_started_at', 'timestamp', false, 'helpStartedAt', false],
  ['help_ended_at', 'timestamp', false, 'helpEndedAt', false],
  ['wait_time_seconds', 'int', false, 'waitTime', false],
  ['help_time_seconds', 'int', false, 'helpTime', false],
  ['conversation_detail_link', 'string', false, 'conversationDetailLink', true],
] as const;

const CALL_CONTRACT = [
  ['call_id', 'bigint', true, 'callId', false],
  ['call_started_at', 'timestamp', true, 'callStartedAt', false],
  ['call_ended_at', 'timestamp', false, 'callEndedAt', false],
  ['call_time_seconds', 'int', false, 'callTime', false],
  ['call_type', 'string', false, 'callType', false],
  ['call_state', 'string', false, 'callState', false],
  ['call_use_type', 'string', false, 'callUseType', false],
  ['initiator_id', 'string', false, 'initiatorId', true],
  ['initiator_name', 'string', false, 'nameOfInitiator', true],
  ['initiator_user_type', 'int', false, 'initiatorUserType', false],
  ['initiator_app_name', 'string', false, 'initiatorAppName', false],
  ['receiver_id', 'string', false, 'receiverId', true],
  ['receiver_name', 'string', false, 'nameOfReceiver', true],
  ['receiver_user_type', 'int', false, 'receiverUserType', false],
  ['receiver_app_name', 'string', false, 'receiverAppName', false],
  ['call_view_url', 'string', false, 'callViewUrl', true],
] as const;

describe.each([
  { report: ONLINE_HELP, contract: SESSION_CONTRACT },
  { report: CALLS, contract: CALL_CONTRACT },
])('the $report.name report', ({ report, contract }) => {
  it('has exactly the contract: names, types, required and personal flags, source fields, in order', () => {
    expect(report.columns.map((c) => [c.name, c.athenaType, c.required, c.source, c.personal])).toEqual(contract);
  });

  it('has unique snake_case names, none of them the partition column', () => {
    const names = report.columns.map((c) => c.name);
    for (const name of names) expect(name).toMatch(/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/);
    expect(new Set(names).size).toBe(names.length);
    expect(names).not.toContain(PARTITION_KEY.name);
  });

  it('comments every column within the Glue limit, citing its source field and marking personal data', () => {
    for (const column of report.columns) {
      expect(column.comment.length).toBeGreaterThan(10);
      expect(column.comment.length).toBeLessThanOrEqual(255);
      expect(column.comment).toContain(`Source: ${column.source}.`);
      expect(column.comment.includes('(personal data)')).toBe(column.personal);
    }
  });

  it('names an id column that is a required bigint and a cursor column that is a required timestamp', () => {
    expect(columnOf(report, report.idColumn)).toMatchObject({ athenaType: 'bigint', required: true });
    expect(columnOf(report, report.cursorColumn)).toMatchObject({ athenaType: 'timestamp', required: true });
    for (const name of report.progressColumns) expect(columnOf(report, name).athenaType).toBe('timestamp');
  });

  it('is frozen, list and entries', () => {
    expect(Object.isFrozen(report)).toBe(true);
    expect(Object.isFrozen(report.columns)).toBe(true);
    for (const column of report.columns) expect(Object.isFrozen(column)).toBe(true);
  });

  it('gives Glue its columns in file order, and a partition column naming the cursor column', () => {
    expect(glueColumns(report.columns)).toEqual(
      report.columns.map((c) => ({ name: c.name, type: c.athenaType, comment: c.comment })),
    );
    expect(partitionColumn(report)).toMatchObject({ name: 'dt', type: 'string' });
    expect(partitionColumn(report).comment).toContain(report.cursorColumn);
    expect(partitionColumn(report).comment).toContain('yyyy-MM-dd');
  });
});

describe('the report list', () => {
  it('holds online_help then calls, with distinct names, paths and objects', () => {
    expect(REPORTS.map((r) => r.name)).toEqual(['online_help', 'calls']);
    for (const key of ['name', 'path', 'objectName'] as const) {
      expect(new Set(REPORTS.map((r) => r[key])).size).toBe(REPORTS.length);
    }
  });

  it('sends callType "all" for calls and nothing extra for sessions', () => {
    expect(CALLS.requestExtras).toEqual({ callType: 'all' });
    expect(ONLINE_HELP.requestExtras).toEqual({});
    expect(CALLS.path).toBe('/v1/reporting/getcalllist');
    expect(ONLINE_HELP.path).toBe('/v1/reporting/getonlinehelplist');
  });

  it('has no table whose manifests could meet the preflight probes', () => {
    for (const report of REPORTS) expect(preflightKey('x').startsWith(`_runs/${report.name}/`)).toBe(false);
  });

  it('derives the row types: bigint ids, ms timestamps, nullable optional columns', () => {
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
    expectTypeOf<CallRow['call_id']>().toEqualTypeOf<bigint>();
    expectTypeOf<CallRow['call_started_at']>().toEqualTypeOf<number>();
    expectTypeOf<CallRow['call_type']>().toEqualTypeOf<string | null>();
    expectTypeOf<CallRow['receiver_user_type']>().toEqualTypeOf<number | null>();
  });
});

describe('reportsSetting', () => {
  it('reads names in any order into the canonical order, each once', () => {
    expect(reportsSetting('calls, online_help', 'X').map((r) => r.name)).toEqual(['online_help', 'calls']);
    expect(reportsSetting('calls', 'X')).toEqual([CALLS]);
    expect(reportsSetting('calls,calls', 'X')).toEqual([CALLS]);
  });

  it.each([
    ['sessions', '"sessions" is not a report; known reports: online_help, calls'],
    ['online_help,,calls', 'has an empty name'],
    ['calls,', 'has an empty name'],
    ['', 'names no report; known reports: online_help, calls'],
    ['CALLS', '"CALLS" is not a report'],
  ])('refuses %j', (text, problem) => {
    expect(() => reportsSetting(text, '--reports')).toThrow(SettingError);
    expect(() => reportsSetting(text, '--reports')).toThrow(problem);
  });

  it('refuses an empty list of names', () => {
    expect(() => reportsNamed([], 'reports')).toThrow('reports: names no report');
  });
});

describe('partition key', () => {
  it('is dt, a yyyy-MM-dd string', () => {
    expect(PARTITION_KEY).toEqual({ name: 'dt', type: 'string' });
    expect(DT_FORMAT).toBe('yyyy-MM-dd');
  });
});
