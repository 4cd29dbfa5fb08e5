/**
 * The backfill state machine's helper Lambda: the two steps Amazon States Language (JSONPath) cannot do itself,
 * date arithmetic and filtering the map's results. Its events come from the state machine's definition
 * (infra/constructs/backfill.ts), never from a person:
 *
 * - `{"step":"plan","input":<the execution's input>,"chunkDays":n,"firstDay":"YYYY-MM-DD","reports":[names]}`
 *   → {@link planBackfill}
 * - `{"step":"report","results":[<one per chunk>]}` → {@link reportBackfill}
 */
import { parseDay } from '../contract/calendar.js';
import { isNameList, reportsNamed, type ReportDefinition } from '../contract/reports.js';
import { planBackfill, type BackfillPlan } from './plan.js';
import { reportBackfill, type BackfillReport } from './report.js';

/** The Lambda entry: runs the step the event names; an event the definition cannot send is rejected. */
export function handler(event: unknown): Promise<BackfillPlan | BackfillReport> {
  // A promise executor turns what a step throws into a rejection.
  return new Promise((resolve) => {
    resolve(runStep(event));
  });
}

function runStep(event: unknown): BackfillPlan | BackfillReport {
  const { step, input, chunkDays, firstDay, reports, results } = (
    typeof event === 'object' && event !== null ? event : {}
  ) as Record<string, unknown>;
  if (step === 'plan' && typeof chunkDays === 'number') {
    return planBackfill(input, {
      chunkDays,
      ...(firstDay === undefined ? {} : { firstDay: parseDay(firstDay) }),
      ...(reports === undefined ? {} : { reports: exportedReports(reports) }),
    });
  }
  if (step === 'report') return reportBackfill(results);
  throw new TypeError(`not a backfill step: ${JSON.stringify(event)}`);
}

/** The reports the export function exports, as the definition names them. */
function exportedReports(names: unknown): readonly ReportDefinition[] {
  if (!isNameList(names)) {
    throw new TypeError(`reports is not a list of report names: ${JSON.stringify(names)}`);
  }
  return reportsNamed(names, 'reports');
}
