import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  createStore,
  exportContext,
  personalDataFor,
  secretsManagerCredentials,
  type ContextParts,
} from './compose.js';
import type { PersonalData } from './core/export-day.js';
import { lambdaConfigFromEnv, type Environment, type LambdaConfig } from './settings.js';
import { DeadlineError, ExportError } from './core/errors.js';
import { requestFromEvent } from './core/event.js';
import type { ObjectStore } from './core/ports.js';
import { failureLine, newRunId, runExport, unfinishedRanges, type DayResult } from './core/run.js';
import { METRIC, METRICS_NAMESPACE, METRICS_SERVICE, REPORT_DIMENSION } from '../contract/telemetry.js';
import type { CredentialsProvider } from './diyalog/credentials.js';

/** What a run returns to its invoker, one entry per report-day. */
export interface HandlerResult {
  readonly runId: string;
  readonly ok: boolean;
  readonly days: readonly unknown[];
}

export interface HandlerDependencies {
  readonly env?: Environment;
  readonly now?: () => number;
  readonly secretsClient?: SecretsManagerClient;
  readonly transport?: ContextParts['transport'];
  readonly logger?: Logger;
  readonly metrics?: Metrics;
  /**
   * How long before the Lambda's hard timeout the run stops, so that encoding and writing a day is never cut
   * off mid-way. Milliseconds. @default 60_000
   */
  readonly deadlineReserveMs?: number;
}

/** The part of the Lambda context the handler uses. */
export interface InvocationContext {
  getRemainingTimeInMillis(): number;
}

/** Built once per container: configuration validated at cold start, clients and cached keys reused. */
interface Runtime {
  readonly config: LambdaConfig;
  readonly credentials: CredentialsProvider;
  readonly store: ObjectStore;
  /** See {@link personalDataOnce}. */
  personalData?: Promise<PersonalData> | undefined;
}

/**
 * The Lambda adapter: event → days → the shared export → structured logs and EMF metrics per day. If any day
 * failed, the others still run, and then it throws, so that Lambda's async retries and the failure destination
 * act; a swallowed error would be a silent hole in the data lake.
 */
export function createHandler(
  dependencies: HandlerDependencies = {},
): (event: unknown, invocation?: InvocationContext) => Promise<HandlerResult> {
  const logger = dependencies.logger ?? new Logger({ serviceName: METRICS_SERVICE });
  const metrics = dependencies.metrics ?? new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE });
  const now = dependencies.now ?? Date.now;
  let runtime: Runtime | undefined;

  const start = (): Runtime => {
    const config = lambdaConfigFromEnv(dependencies.env ?? process.env);
    return {
      config,
      credentials: secretsManagerCredentials(config.secretId, dependencies.secretsClient),
      store: createStore({ kind: 's3', bucket: config.bucket, prefix: config.prefix }, config.s3Endpoint),
    };
  };

  return async (event, invocation) => {
    const deadline = armDeadline(invocation, dependencies.deadlineReserveMs ?? 60_000);
    try {
      runtime ??= start();
      const { config } = runtime;
      const request = requestFromEvent(event, config, now());
      const personalData = await personalDataOnce(runtime, dependencies.secretsClient);
      const runId = newRunId(now());
      logger.info('export started', {
        runId,
        days: request.days,
        reports: request.reports.map((report) => report.name),
        event,
      });
      const context = exportContext({
        api: config,
        credentials: runtime.credentials,
        store: runtime.store,
        personalData,
        runId,
        now,
        signal: deadline.signal,
        ...(dependencies.transport ? { transport: dependencies.transport } : {}),
        onRetry: (notice) => {
          logger.warn('request retried', { ...notice });
        },
      });
      const run = await runExport(request, context, {
        dayFinished: (result) => {
          report(result, logger, metrics);
        },
      });
      const days = run.results.map((r) => {
        if (r.status === 'ok') return r.summary;
        return r.status === 'failed' ? { report: r.report, day: r.day, status: r.status, error: r.error.message } : r;
      });
      if (!run.ok) {
        const events = unfinishedRanges(run).map((range) => JSON.stringify(range));
        throw new ExportError(
          `${failureLine(run)}. Re-run them with the event${events.length > 1 ? 's' : ''} ${events.join(', ')}.`,
        );
      }
      logger.info('export finished', { runId, reportDays: days.length });
      return { runId, ok: true, days };
    } catch (error) {
      logger.error('export failed', { error: describe(error) });
      throw error;
    } finally {
      deadline.disarm();
    }
  };
}

/**
 * The personal-data policy and key, read once per container (a key is read from its secret only when the policy
 * pseudonymizes); a failed read is forgotten, so that the next invocation tries again.
 */
function personalDataOnce(runtime: Runtime, secretsClient: SecretsManagerClient | undefined): Promise<PersonalData> {
  runtime.personalData ??= personalDataFor(runtime.config, secretsClient ? { secretsClient } : {}).catch(
    (error: unknown) => {
      runtime.personalData = undefined;
      throw error;
    },
  );
  return runtime.personalData;
}

/** A signal that aborts `reserveMs` before the invocation's hard timeout (never, outside Lambda). */
function armDeadline(
  invocation: InvocationContext | undefined,
  reserveMs: number,
): { signal: AbortSignal; disarm: () => void } {
  const controller = new AbortController();
  if (!invocation) return { signal: controller.signal, disarm: () => undefined };
  const remaining = invocation.getRemainingTimeInMillis();
  const timer = setTimeout(
    () => {
      controller.abort(
        new DeadlineError(
          `stopped ${Math.round(reserveMs / 1000)} s before the Lambda timeout so that no write is cut off; nothing was written for this day`,
        ),
      );
    },
    Math.max(0, remaining - reserveMs),
  );
  return {
    signal: controller.signal,
    disarm: () => {
      clearTimeout(timer);
    },
  };
}

function report(result: DayResult, logger: Logger, metrics: Metrics): void {
  const where = { report: result.report, day: result.day };
  if (result.status === 'skipped') {
    logger.info('report-day skipped: it landed in an earlier run', { ...where, manifest: result.manifest });
    return;
  }
  if (result.status === 'not-attempted') {
    logger.warn('report-day not attempted: an earlier one failed in a way every one would', where);
    return;
  }
  // One EMF document per report-day, with the report as a dimension: the alarms watch each report.
  metrics.addDimension(REPORT_DIMENSION, result.report);
  metrics.addMetadata('day', result.day);
  if (result.status === 'failed') {
    logger.error('report-day failed', { ...where, error: describe(result.error) });
    metrics.addMetric(METRIC.failed, MetricUnit.Count, 1);
    metrics.publishStoredMetrics();
    return;
  }
  const { summary } = result;
  for (const overflow of summary.tieOverflows) {
    logger.warn('tie overflow: a whole page of records shares one millisecond; any beyond it were not fetched', {
      ...where,
      at: new Date(overflow.at).toISOString(),
      countSeen: overflow.countSeen,
    });
  }
  if (summary.rejected > 0) logger.warn('records rejected', { ...where, rejected: summary.rejected });
  logger.info('report-day exported', { ...summary });
  metrics.addMetric(METRIC.rows, MetricUnit.Count, summary.rows);
  metrics.addMetric(METRIC.pages, MetricUnit.Count, summary.pages);
  metrics.addMetric(METRIC.requests, MetricUnit.Count, summary.requests);
  metrics.addMetric(METRIC.retries, MetricUnit.Count, summary.retries);
  metrics.addMetric(METRIC.rejected, MetricUnit.Count, summary.rejected);
  metrics.addMetric(METRIC.duplicates, MetricUnit.Count, summary.duplicates);
  metrics.addMetric(METRIC.tieOverflows, MetricUnit.Count, summary.tieOverflows.length);
  metrics.addMetric(METRIC.durationMs, MetricUnit.Milliseconds, summary.durationMs);
  metrics.addMetric(METRIC.succeeded, MetricUnit.Count, 1);
  metrics.publishStoredMetrics();
}

function describe(error: unknown): { name: string; message: string } {
  return error instanceof Error
    ? { name: error.name, message: error.message }
    : { name: 'Error', message: String(error) };
}

export const handler = createHandler();
