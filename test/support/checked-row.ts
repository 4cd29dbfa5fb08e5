import { ONLINE_HELP, type ReportDefinition, type SessionRow } from '../../functions/contract/reports.js';
import type { AnyRow } from '../../functions/contract/schema.js';
import { checkRow, type CheckedRow } from '../../functions/export/core/column-values.js';

/** A test row as the record mapping would pass it on; a row the check refuses is a mistake in the test. */
export function checked(row: SessionRow): CheckedRow {
  return checkedRowOf(ONLINE_HELP, row);
}

/** A test row of any report, checked against its columns. */
export function checkedRowOf(report: ReportDefinition, row: AnyRow): CheckedRow {
  const check = checkRow(report.columns, row);
  if (!('row' in check)) throw new Error(`test row of ${report.name}: ${check.column} ${check.problem}`);
  return check.row;
}
