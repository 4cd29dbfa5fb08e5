/**
 * Names of the CloudWatch metrics each exported day emits (EMF, namespace {@link METRICS_NAMESPACE}). The
 * stack's alarms refer to these names, so they are defined once, here.
 */
export const METRICS_NAMESPACE = 'DiyalogExport';
export const METRICS_SERVICE = 'diyalog-export';

export const METRIC = Object.freeze({
  sessions: 'Sessions',
  pages: 'Pages',
  requests: 'Requests',
  retries: 'Retries',
  rejected: 'RejectedRecords',
  duplicates: 'DuplicateRecords',
  tieOverflows: 'TieOverflows',
  durationMs: 'DayDurationMs',
  /** 1 per day that landed: the freshness alarm's heartbeat. */
  succeeded: 'DaySucceeded',
  failed: 'DayFailed',
});
