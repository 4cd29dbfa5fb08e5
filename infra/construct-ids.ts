import type { ReportDefinition } from '../functions/contract/reports.js';

/**
 * A report's name as a construct id, in PascalCase like the stack's other ids (`online_help` → `OnlineHelp`):
 * the part of the logical ids of the resources made for that report.
 */
export function reportId(report: Pick<ReportDefinition, 'name'>): string {
  return report.name
    .split('_')
    .map((word) => `${word.charAt(0).toUpperCase()}${word.slice(1)}`)
    .join('');
}
