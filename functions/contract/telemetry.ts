/**
 * Names of the CloudWatch metrics each exported report-day emits (EMF, namespace {@link METRICS_NAMESPACE}, with
 * the dimensions `service` = {@link METRICS_SERVICE} and {@link REPORT_DIMENSION} = the report's name). The
 * stack's alarms refer to these names, so they are defined once, here.
 */
export const METRICS_NAMESPACE = 'DiyalogExport';
export const METRICS_SERVICE = 'diyalog-export';

/** The dimension that tells the reports apart: `Report=online_help`, `Report=calls`. */
export const REPORT_DIMENSION = 'Report';

export const METRIC = Object.freeze({
  /** Rows written: distinct sessions or calls of the day. */
  rows: 'Rows',
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
