import { addDays, dayCount, daysInRange, previousDay, refuseDaysBeforeFirstDay, refuseDaysNotOver } from './days.js';
import { parseDay, type CalendarDay, type TimeZone } from '../../contract/calendar.js';
import { LIMITS } from '../../contract/settings.js';
import { isNameList, reportsNamed, type ReportDefinition } from '../../contract/reports.js';
import { ConfigError, rethrowAs } from './errors.js';
import { jsonObject } from './json.js';
import type { ExportRequest } from './run.js';

const EXPECTED =
  'expected {}, {"scheduledTime":"<ISO instant>"}, {"date":"YYYY-MM-DD"} or {"from":"YYYY-MM-DD","to":"YYYY-MM-DD"}, ' +
  'each with an optional "reports": ["online_help", "calls"]';

/** The settings that decide which days an event may ask for. */
export interface ScheduleSettings {
  readonly timeZone: TimeZone;
  readonly lookbackDays: number;
  /**
   * The first day of Athena's partition projection: earlier days are refused, and a scheduled run's lookback
   * stops there. @default - no first day
   */
  readonly firstDay?: CalendarDay;
  /** Where a range longer than one run holds is sent instead, if deployed. */
  readonly backfillStateMachineArn?: string;
  /** The reports an event without `reports` exports (`EXPORT_REPORTS`). */
  readonly reports: readonly ReportDefinition[];
}

/** The days an event asks for, and the field that asked, which a refusal names. */
interface AskedDays {
  readonly days: CalendarDay[];
  readonly setting: string;
}

/**
 * The days a Lambda event asks for:
 * - `{}` or `{"scheduledTime": ISO}`: yesterday (relative to the schedule's time, else to `now`) in the zone,
 *   then the `lookbackDays` days before it that are not before `firstDay`, newest first so that the most recent
 *   day lands first;
 * - `{"date": "YYYY-MM-DD"}`: that day;
 * - `{"from", "to"}`: each day of the inclusive range, oldest first, at most `LIMITS.maxRangeDays`; a longer range
 *   is refused with the command that starts the backfill state machine for it.
 * Each may carry `"reports": [names]`, the reports to export (else the configured ones), e.g. to re-run only the
 * report-days that failed. Anything else is refused with a message that shows the accepted shapes. So is the
 * whole event if any day it asks for is not over at `now` (whatever its scheduledTime says) or is before
 * `firstDay`.
 *
 * @throws {@link ConfigError} of `event` or one of its fields, before any day is exported.
 */
export function requestFromEvent(event: unknown, settings: ScheduleSettings, now: number): ExportRequest {
  const fields = event === null || event === undefined ? {} : jsonObject(event);
  if (!fields) throw new ConfigError('event', `is not a JSON object; ${EXPECTED}`);
  const { reports: asked, ...dayFields } = fields;
  const reports = asked === undefined ? settings.reports : reportsField(asked, settings.reports);
  const { days, setting } = daysAskedFor(dayFields, reports, settings, now);
  if (settings.firstDay !== undefined) refuseDaysBeforeFirstDay(days, settings.firstDay, setting);
  refuseDaysNotOver(days, settings.timeZone, now, setting);
  return { days, reports };
}

/**
 * The reports an event names, among those the function exports: the stack grants access to the tables of these
 * only, so another report could only fail at its first write.
 */
function reportsField(value: unknown, exported: readonly ReportDefinition[]): readonly ReportDefinition[] {
  if (!isNameList(value)) {
    throw new ConfigError('event.reports', 'is not a list of report names, e.g. ["online_help", "calls"]');
  }
  const reports = rethrowAs('event.reports', () => reportsNamed(value, 'event.reports'));
  const others = reports.filter((report) => !exported.includes(report)).map((report) => report.name);
  if (others.length > 0) {
    throw new ConfigError(
      'event.reports',
      `${others.join(', ')} ${others.length > 1 ? 'are' : 'is'} not exported by this function, which exports ` +
        `${exported.map((report) => report.name).join(', ')} (EXPORT_REPORTS)`,
    );
  }
  return reports;
}

function daysAskedFor(
  fields: Readonly<Record<string, unknown>>,
  reports: readonly ReportDefinition[],
  settings: ScheduleSettings,
  now: number,
): AskedDays {
  const keys = Object.keys(fields).sort().join(',');
  switch (keys) {
    case '':
      return { days: scheduledDays(now, settings), setting: 'event' };
    case 'scheduledTime':
      return {
        days: scheduledDays(instantField(fields['scheduledTime']), settings),
        setting: 'event.scheduledTime',
      };
    case 'date':
      return { days: [dayField(fields['date'], 'event.date')], setting: 'event.date' };
    case 'from,to': {
      const from = dayField(fields['from'], 'event.from');
      const to = dayField(fields['to'], 'event.to');
      const backfill = settings.backfillStateMachineArn;
      if (backfill !== undefined && dayCount(from, to) > LIMITS.maxRangeDays) {
        const input = reports === settings.reports ? { from, to } : { from, to, reports: reports.map((r) => r.name) };
        throw new ConfigError('event', tooLongForOneRun(input, backfill));
      }
      return {
        days: rethrowAs('event', () => daysInRange(from, to, { maxDays: LIMITS.maxRangeDays })),
        setting: 'event',
      };
    }
    default:
      throw new ConfigError('event', `has the fields {${keys}}; ${EXPECTED}`);
  }
}

/**
 * Why one run refuses the range, and the exact command that sends it (with its reports, if the event named them)
 * to the backfill state machine instead.
 */
function tooLongForOneRun(
  input: { readonly from: CalendarDay; readonly to: CalendarDay; readonly reports?: readonly string[] },
  stateMachineArn: string,
): string {
  const { from, to } = input;
  return (
    `Day range ${from}..${to} has ${dayCount(from, to)} days, more than the limit of ${LIMITS.maxRangeDays} for one run; ` +
    `load it with the backfill state machine ${stateMachineArn}, which exports it in chunks: aws stepfunctions ` +
    `start-execution --state-machine-arn ${stateMachineArn} --input '${JSON.stringify(input)}'`
  );
}

/** Yesterday relative to `instant`, then the lookback days before it. */
function scheduledDays(instant: number, { timeZone, lookbackDays, firstDay }: ScheduleSettings): CalendarDay[] {
  const yesterday = previousDay(instant, timeZone);
  const days = Array.from({ length: lookbackDays + 1 }, (_, i) => addDays(yesterday, -i));
  // The lookback only re-exports days for late changes: in a deployment's first nights it stops at the first day
  // rather than fail the run over days Athena would not show. Yesterday itself is still refused if before it.
  return firstDay === undefined ? days : days.filter((day) => day === yesterday || day >= firstDay);
}

/** An ISO 8601 instant with a zone (`Z` or an offset), on a date that exists: never the process's local time. */
const ISO_INSTANT = /^(\d{4}-\d{2}-\d{2})T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

function instantField(value: unknown): number {
  const match = typeof value === 'string' ? ISO_INSTANT.exec(value) : null;
  const instant = match ? Date.parse(String(value)) : NaN;
  if (!match?.[1] || Number.isNaN(instant)) {
    throw new ConfigError(
      'event.scheduledTime',
      `${JSON.stringify(value)} is not an ISO 8601 instant with a zone, e.g. 2025-11-24T04:30:00Z`,
    );
  }
  dayField(match[1], 'event.scheduledTime');
  return instant;
}

function dayField(value: unknown, setting: string): CalendarDay {
  return rethrowAs(setting, () => parseDay(value));
}
