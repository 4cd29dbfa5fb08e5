import { describe, expect, it } from 'vitest';
import { DEFAULTS, EXPORT_ENV, LIMITS, stateMachineArnSetting } from '../../functions/contract/settings.js';
import { SettingError } from '../../functions/contract/errors.js';
import { REPORTS } from '../../functions/contract/reports.js';
import { ConfigError } from '../../functions/export/core/errors.js';
import { requestFromEvent, type ScheduleSettings } from '../../functions/export/core/event.js';
import { lambdaConfigFromEnv } from '../../functions/export/settings.js';

/** The function learns the backfill state machine's ARN from its environment and names it for a long range. */
const ARN = 'arn:aws:states:eu-central-1:123456789012:stateMachine:DiyalogExport-Backfill';
const BASE = {
  DIYALOG_API_ENDPOINT: 'https://diyalog.example.com',
  DIYALOG_SECRET_ID: 'diyalog/export/keys',
  EXPORT_BUCKET: 'acme-data-lake',
};
const WITH_BACKFILL: ScheduleSettings = {
  timeZone: DEFAULTS.timeZone,
  lookbackDays: 0,
  backfillStateMachineArn: ARN,
  reports: REPORTS,
};
const NOW = Date.parse('2030-01-01T00:00:00Z');

function refusal(event: unknown, settings: ScheduleSettings): ConfigError {
  try {
    requestFromEvent(event, settings, NOW);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(event)}`);
}

describe('EXPORT_BACKFILL_STATE_MACHINE_ARN', () => {
  it('is read, trimmed, into the Lambda configuration; unset, the configuration has none', () => {
    expect(EXPORT_ENV.backfillStateMachineArn).toBe('EXPORT_BACKFILL_STATE_MACHINE_ARN');
    const config = lambdaConfigFromEnv({ ...BASE, EXPORT_BACKFILL_STATE_MACHINE_ARN: ` ${ARN} ` });
    expect(config.backfillStateMachineArn).toBe(ARN);
    expect('backfillStateMachineArn' in lambdaConfigFromEnv(BASE)).toBe(false);
    expect('backfillStateMachineArn' in lambdaConfigFromEnv({ ...BASE, EXPORT_BACKFILL_STATE_MACHINE_ARN: ' ' })).toBe(
      false,
    );
  });

  it.each([
    ARN,
    'arn:aws-cn:states:cn-north-1:123456789012:stateMachine:x',
    'arn:aws-us-gov:states:us-gov-west-1:123456789012:stateMachine:A_b-1',
  ])('accepts %s', (arn) => {
    expect(stateMachineArnSetting(arn, 'X')).toBe(arn);
  });

  it.each([
    'DiyalogExport-Backfill',
    'arn:aws:states:eu-central-1:123456789012:execution:DiyalogExport-Backfill:run',
    'arn:aws:lambda:eu-central-1:123456789012:function:DiyalogExport-Backfill',
    'arn:aws:states:eu-central-1:1234:stateMachine:DiyalogExport-Backfill',
    `arn:aws:states:eu-central-1:123456789012:stateMachine:${'x'.repeat(81)}`,
    `${ARN}'; rm -rf /`,
  ])('refuses %s, naming the variable', (arn) => {
    expect(() => stateMachineArnSetting(arn, 'X')).toThrow(SettingError);
    expect(() => lambdaConfigFromEnv({ ...BASE, EXPORT_BACKFILL_STATE_MACHINE_ARN: arn })).toThrow(
      /^EXPORT_BACKFILL_STATE_MACHINE_ARN: .* is not a state machine ARN/,
    );
  });
});

describe('a range longer than one run holds', () => {
  it('is refused with the state machine and the exact start-execution command for that range', () => {
    const error = refusal({ from: '2024-01-01', to: '2026-11-30' }, WITH_BACKFILL);
    expect(error.setting).toBe('event');
    expect(error.message).toBe(
      `event: Day range 2024-01-01..2026-11-30 has 1065 days, more than the limit of ${LIMITS.maxRangeDays} for ` +
        `one run; load it with the backfill state machine ${ARN}, which exports it in chunks: ` +
        `aws stepfunctions start-execution --state-machine-arn ${ARN} ` +
        `--input '{"from":"2024-01-01","to":"2026-11-30"}'`,
    );
  });

  it('keeps the reports the event named in the start-execution input', () => {
    expect(refusal({ from: '2025-01-01', to: '2025-02-01', reports: ['calls'] }, WITH_BACKFILL).message).toMatch(
      /--input '\{"from":"2025-01-01","to":"2025-02-01","reports":\["calls"\]\}'$/,
    );
  });

  it('starts one day past the limit; the limit itself is still one run', () => {
    expect(refusal({ from: '2025-01-01', to: '2025-02-01' }, WITH_BACKFILL).message).toMatch(
      /has 32 days.* --input '\{"from":"2025-01-01","to":"2025-02-01"\}'$/,
    );
    expect(requestFromEvent({ from: '2025-01-01', to: '2025-01-31' }, WITH_BACKFILL, NOW).days).toHaveLength(31);
  });

  it('without a state machine, is refused as before; a reversed range is not sent to the state machine', () => {
    const without: ScheduleSettings = { timeZone: DEFAULTS.timeZone, lookbackDays: 0, reports: REPORTS };
    const error = refusal({ from: '2025-01-01', to: '2025-02-01' }, without);
    expect(error.message).toContain('more than the limit of 31; export it in smaller ranges');
    expect(error.message).not.toContain('stepfunctions');
    const reversed = refusal({ from: '2026-01-01', to: '2025-01-01' }, WITH_BACKFILL);
    expect(reversed.message).toContain('the first day is after the last');
  });
});
