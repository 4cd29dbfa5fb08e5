/**
 * The backfill state machine's helper Lambda: the two steps Amazon States Language (JSONPath) cannot do itself,
 * date arithmetic and filtering the map's results. Its events come from the state machine's definition
 * (infra/constructs/backfill.ts), never from a person:
 *
 * - `{"step":"plan","input":<the execution's input>,"chunkDays":n}` → {@link planBackfill}
 * - `{"step":"report","results":[<one per chunk>]}` → {@link reportBackfill}
 */
import { planBackfill, type BackfillPlan } from './plan.js';
import { reportBackfill, type BackfillReport } from './report.js';

export function handler(event: unknown): Promise<BackfillPlan | BackfillReport> {
  const { step, input, chunkDays, results } = (typeof event === 'object' && event !== null ? event : {}) as Record<
    string,
    unknown
  >;
  if (step === 'plan' && typeof chunkDays === 'number') return Promise.resolve(planBackfill(input, chunkDays));
  if (step === 'report') return Promise.resolve(reportBackfill(results));
  return Promise.reject(new TypeError(`not a backfill step: ${JSON.stringify(event)}`));
}
