import { addDays, daysInRange, previousDay } from './days.js';
import { parseDay, type CalendarDay, type TimeZone } from '../../contract/calendar.js';
import { LIMITS } from '../../contract/settings.js';
import { ConfigError, rethrowAs } from './errors.js';
import { jsonObject } from './json.js';
import type { ExportRequest } from './run.js';

const EXPECTED =
  'expected {}, {"scheduledTime":"<ISO instant>"}, {"date":"YYYY-MM-DD"} or {"from":"YYYY-MM-DD","to":"YYYY-MM-DD"}';

export interface ScheduleSettings {
  readonly timeZone: TimeZone;
  readonly lookbackDays: number;
  /** Where a range longer than one run holds is sent instead, if deployed. */
  readonly backfillStateMachineArn?: string;
}

/**
 * The days a Lambda event asks for:
 * - `{}` or `{"scheduledTime": ISO}`: yesterday (relative to the schedule's time, else to `now`) in the zone,
 *   then the `lookbackDays` days before it, newest first so that the most recent day lands first;
 * - `{"date": "YYYY-MM-DD"}`: that day;
 * - `{"from", "to"}`: each day of the inclusive range, oldest first, at most `LIMITS.maxRangeDays`; a longer range
 *   is refused with the command that starts the backfill state machine for it.
 * Anything else is refused with a message that shows the accepted shapes.
 */
export function requestFromEvent(event: unknown, settings: ScheduleSettings, now: number): ExportRequest {
  if (event === null || event === undefined) return scheduledRequest(now, settings);
  const fields = jsonObject(event);
  if (!fields) throw new ConfigError('event', `is not a JSON object; ${EXPECTED}`);
  const keys = Object.keys(fields).sort().join(',');
  switch (keys) {
    case '':
      return scheduledRequest(now, settings);
    case 'scheduledTime':
      return scheduledRequest(instantField(fields['scheduledTime']), settings);
    case 'date':
      return { days: [dayField(fields['date'], 'event.date')] };
    case 'from,to': {
      const from = dayField(fields['from'], 'event.from');
      const to = dayField(fields['to'], 'event.to');
      const backfill = settings.backfillStateMachineArn;
      if (backfill !== undefined && Date.parse(to) - Date.parse(from) >= LIMITS.maxRangeDays * MS_PER_DAY) {
        throw new ConfigError('event', tooLongForOneRun(from, to, backfill));
      }
      return { days: rethrowAs('event', () => daysInRange(from, to, { maxDays: LIMITS.maxRangeDays })) };
    }
    default:
      throw new ConfigError('event', `has the fields {${keys}}; ${EXPECTED}`);
  }
}

const MS_PER_DAY = 86_400_000;

/** Why one run refuses the range, and the exact command that sends it to the backfill state machine instead. */
function tooLongForOneRun(from: CalendarDay, to: CalendarDay, stateMachineArn: string): string {
  const days = (Date.parse(to) - Date.parse(from)) / MS_PER_DAY + 1;
  return (
    `Day range ${from}..${to} has ${days} days, more than the limit of ${LIMITS.maxRangeDays} for one run; ` +
    `load it with the backfill state machine ${stateMachineArn}, which exports it in chunks: aws stepfunctions ` +
    `start-execution --state-machine-arn ${stateMachineArn} --input '${JSON.stringify({ from, to })}'`
  );
}

/** Yesterday relative to `instant`, then the lookback days before it. */
function scheduledRequest(instant: number, settings: ScheduleSettings): ExportRequest {
  const yesterday: CalendarDay = previousDay(instant, settings.timeZone);
  return { days: Array.from({ length: settings.lookbackDays + 1 }, (_, i) => addDays(yesterday, -i)) };
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
