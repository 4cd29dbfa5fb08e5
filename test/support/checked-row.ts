import type { SessionRow } from '../../functions/contract/schema.js';
import { checkRow, type CheckedRow } from '../../functions/export/core/column-values.js';

/** A test row as the record mapping would pass it on; a row the check refuses is a mistake in the test. */
export function checked(row: SessionRow): CheckedRow {
  const check = checkRow(row);
  if (!('row' in check)) throw new Error(`test row ${row.online_help_id}: ${check.column} ${check.problem}`);
  return check.row;
}
