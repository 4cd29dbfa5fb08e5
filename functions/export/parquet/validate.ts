import { ExportError } from '../core/errors.js';
import { rowProblem } from '../core/column-values.js';
import type { SessionRow } from '../../contract/schema.js';

/** A session row cannot be written: one value is outside its column's type or range. Nothing was encoded. */
export class InvalidRowError extends ExportError {
  override name = 'InvalidRowError';
  /** Position of the row in the input. */
  readonly rowIndex: number;
  /** The row's `online_help_id` as text (`?` when it is not a bigint). */
  readonly onlineHelpId: string;
  /** The offending column. */
  readonly column: string;

  constructor(rowIndex: number, onlineHelpId: string, column: string, problem: string) {
    super(
      `Session ${onlineHelpId} (row ${rowIndex}): ${column} ${problem}. ` +
        'Nothing was written; fix the mapping from the API record to the row.',
    );
    this.rowIndex = rowIndex;
    this.onlineHelpId = onlineHelpId;
    this.column = column;
  }
}

/**
 * Checks one row against {@link SESSION_COLUMNS} (see {@link rowProblem}).
 *
 * @throws {@link InvalidRowError} naming the row and the first offending column.
 */
export function validateRow(row: SessionRow, rowIndex: number): void {
  const found = rowProblem(row);
  if (found === undefined) return;
  const values: Readonly<Record<string, unknown>> = row;
  const id = typeof values['online_help_id'] === 'bigint' ? String(values['online_help_id']) : '?';
  throw new InvalidRowError(rowIndex, id, found.column, found.problem);
}
