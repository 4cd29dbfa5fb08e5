import { columnStoreFor, type ColumnStore } from './column-store.js';
import type { CheckedRow } from './column-values.js';
import { jsonText } from './json.js';
import type { AnyRow } from '../../contract/schema.js';
import type { ReportDefinition } from '../../contract/reports.js';

/** A day's records once every page is in: one row per id, in the order they are written to the file. */
export interface DistinctRows {
  /** Ordered by the report's cursor column, then its id column, whatever order the rows were added in. */
  readonly rows: Iterable<CheckedRow>;
  readonly count: number;
  /** Copies of an id already added, dropped (see {@link preferredCopy}). */
  readonly duplicates: number;
}

/**
 * The rows of one day while its pages come in, held column by column in typed arrays (./column-store.ts)
 * rather than as one object per row, so that a busy day gives the garbage collector no per-row objects to keep
 * and trace. Rows are turned back into objects one at a time, as the encoder takes them.
 */
export class DayRows {
  readonly #report: ReportDefinition;
  readonly #columns: readonly (readonly [string, ColumnStore<unknown>])[];
  readonly #ids: ColumnStore<bigint>;
  readonly #times: ColumnStore<number>;
  #count = 0;

  constructor(report: ReportDefinition) {
    this.#report = report;
    this.#columns = report.columns.map(
      (column) => [column.name, columnStoreFor(column.athenaType) as ColumnStore<unknown>] as const,
    );
    this.#ids = this.#column(report.idColumn) as ColumnStore<bigint>;
    this.#times = this.#column(report.cursorColumn) as ColumnStore<number>;
  }

  /** Rows added so far, copies of an id included. */
  get count(): number {
    return this.#count;
  }

  /** Adds one row as received; copies of an id are resolved by {@link distinct}. */
  add(row: CheckedRow): void {
    const values: Readonly<Record<string, unknown>> = row;
    for (const [name, store] of this.#columns) store.append(this.#count, values[name]);
    this.#count++;
  }

  /** Keeps one row per id (the {@link preferredCopy}) and orders them for the file. */
  distinct(): DistinctRows {
    const byId = this.#slots().sort((a, b) => compare(this.#id(a), this.#id(b)));
    const kept: number[] = [];
    for (let i = 0; i < byId.length;) {
      let keep = byId[i] ?? 0;
      let j = i + 1;
      for (; j < byId.length && this.#id(byId[j] ?? 0) === this.#id(keep); j++) {
        keep = this.#preferredSlot(keep, byId[j] ?? 0);
      }
      kept.push(keep);
      i = j;
    }
    const inFileOrder = Uint32Array.from(kept).sort(
      (a, b) => compare(this.#time(a), this.#time(b)) || compare(this.#id(a), this.#id(b)),
    );
    const rowAt = (slot: number): CheckedRow => this.#row(slot);
    return {
      rows: {
        *[Symbol.iterator]() {
          for (const slot of inFileOrder) yield rowAt(slot);
        },
      },
      count: inFileOrder.length,
      duplicates: this.#count - inFileOrder.length,
    };
  }

  #row(slot: number): CheckedRow {
    const row: Record<string, unknown> = {};
    for (const [name, store] of this.#columns) row[name] = store.get(slot);
    // Each store gives back the value of its column's type (or null), so this is exactly the checked row added.
    return row as CheckedRow;
  }

  #preferredSlot(a: number, b: number): number {
    const rowA = this.#row(a);
    return preferredCopy(this.#report, rowA, this.#row(b)) === rowA ? a : b;
  }

  #slots(): Uint32Array {
    return Uint32Array.from({ length: this.#count }, (_, slot) => slot);
  }

  #id(slot: number): bigint {
    return this.#ids.get(slot) ?? 0n;
  }

  #time(slot: number): number {
    return this.#times.get(slot) ?? 0;
  }

  #column(name: string): ColumnStore<unknown> {
    const found = this.#columns.find(([columnName]) => columnName === name);
    if (!found) throw new Error(`no column ${name}`);
    return found[1];
  }
}

/**
 * Which of two copies of one id to keep, independent of the order they arrived in: the one that progressed
 * furthest (by the report's `progressColumns`, e.g. latest end, then start, then request time), then the one with
 * more fields set, then the greater JSON text, so that the choice is deterministic.
 */
export function preferredCopy<A extends AnyRow, B extends AnyRow>(report: ReportDefinition, a: A, b: B): A | B {
  const rank = (row: AnyRow): number[] => [
    ...report.progressColumns.map((name) => {
      const value = row[name];
      return typeof value === 'number' ? value : -Infinity;
    }),
    Object.values(row).filter((value) => value !== null).length,
  ];
  const [ra, rb] = [rank(a), rank(b)];
  for (let i = 0; i < ra.length; i++) {
    const [x, y] = [ra[i] ?? 0, rb[i] ?? 0];
    if (x !== y) return x > y ? a : b;
  }
  return jsonText(a) >= jsonText(b) ? a : b;
}

function compare<T extends number | bigint>(a: T, b: T): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
