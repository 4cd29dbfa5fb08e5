import type { TimeWindow } from '../days.js';
import { PagingError, type RequestWindow } from '../errors.js';
import { jsonObject, jsonText } from '../json.js';
import type { PageSource } from '../ports.js';
import { parseEpochMillis, parseId } from '../fields.js';
import { columnOf, type ReportDefinition } from '../../../contract/reports.js';

/** The server returns at most this many records per call (spec §1, §4). */
export const PAGE_SIZE = 20;

/** Full pages in a row that may prove nothing before the pager gives up on an instant or an interval. */
const MAX_STALLS = 3;

/** The two fields of an item the cursor relies on, as a report's definition names them. */
export interface RecordKeys {
  /** The unique id's API field, e.g. `onlineHelpId`. */
  readonly idField: string;
  readonly ids: ReportDefinition['ids'];
  /** The ordering and paging time's API field, e.g. `helpRequestedAt`. */
  readonly timeField: string;
}

/** The fields of a report's id and cursor columns. */
export function recordKeys(report: ReportDefinition): RecordKeys {
  return {
    idField: columnOf(report, report.idColumn).source,
    ids: report.ids,
    timeField: columnOf(report, report.cursorColumn).source,
  };
}

/** A record as received, with the two fields the cursor relies on already parsed. */
export interface KeyedRecord {
  readonly id: bigint;
  /** The paging time, epoch milliseconds. */
  readonly at: number;
  /** The item as received (a JSON object). */
  readonly item: Readonly<Record<string, unknown>>;
}

/**
 * A received item that did not become a row, with the reason: one without a usable id or paging time (it never
 * moves the cursor), or one a column cannot hold. It goes to the rejects output.
 */
export interface RejectedItem {
  readonly reason: string;
  readonly item: unknown;
}

/**
 * More records share one millisecond than a page can hold (or exactly a page's worth, which cannot be told
 * apart): the time cursor cannot page through them, so the pager stepped past that millisecond. Records beyond
 * the `countSeen` ones, if any, were not fetched.
 */
export interface TieOverflow {
  readonly at: number;
  readonly countSeen: number;
}

/** What one page contributed. */
export interface PageOutcome {
  readonly request: RequestWindow;
  readonly attempts: number;
  /** Records in the interval that this pager had not emitted before. */
  readonly records: readonly KeyedRecord[];
  /** Unusable items not seen on an earlier page of this interval. */
  readonly unusable: readonly RejectedItem[];
  /** Items whose paging time lies outside the window that was asked for (a misbehaving server). */
  readonly outOfWindow: number;
  readonly tieOverflow?: TieOverflow;
}

/**
 * The cursor state machine for one interval, exact whatever the server does with the bounds.
 *
 * Invariant: every session newer than `upper` has been emitted, and so have the records at `upper` whose ids
 * are in `seenAtUpper`. Each request asks for `[start − 1, upper + 1]`, which contains `[start, upper]` under
 * inclusive, exclusive-end and exclusive-both semantics alike; what lies outside `[start, upper]` is dropped.
 * Once the server is seen returning a record at exactly `endDate` it is known to include the end bound, and
 * later requests ask for `upper` itself so that already-emitted records at `upper + 1` cannot crowd a page.
 *
 * A full page proves that nothing newer than its oldest instant is missing; the records at that instant may
 * continue on the next page, which the next request re-fetches and `seenAtUpper` filters.
 *
 * Progress: every full page lowers `upper`, adds unseen ids at `upper`, steps past a millisecond that fills a
 * whole page, (once) learns the inclusive end bound, or counts as a stall; at most {@link MAX_STALLS} stalls
 * in a row are allowed, so the cursor cannot loop even when a server pads pages with junk or repeats.
 */
export class IntervalCursor {
  private window: TimeWindow;
  private upper: number;
  private seenAtUpper = new Set<bigint>();
  private endIsInclusive = false;
  private finished: boolean;
  private readonly unusableSeen = new Set<string>();
  /** Full pages in a row that moved nothing (a server padding pages with junk); bounded by MAX_STALLS. */
  private stalls = 0;

  private readonly keys: RecordKeys;

  constructor(window: TimeWindow, keys: RecordKeys) {
    if (!Number.isSafeInteger(window.start) || !Number.isSafeInteger(window.end)) {
      throw new RangeError(`interval bounds must be integer milliseconds, got [${window.start}, ${window.end})`);
    }
    this.window = window;
    this.keys = keys;
    this.upper = window.end - 1;
    this.finished = window.start >= window.end;
  }

  get done(): boolean {
    return this.finished;
  }

  /** Milliseconds of the interval not yet proven complete: `[start, upper]`. */
  get remainingMs(): number {
    return this.finished ? 0 : this.upper + 1 - this.window.start;
  }

  /**
   * Hands the older half of what is left to another pager: this cursor narrows to `[mid, end)` and the returned
   * `[start, mid)` is to be paged by a new cursor. Safe while a request is in flight: its answer is filtered by
   * the narrowed interval, and anything it proves about `[mid, upper]` still holds.
   * @returns undefined when less than 2 ms are left
   */
  splitOff(): TimeWindow | undefined {
    if (this.remainingMs < 2) return undefined;
    const mid = this.window.start + Math.floor(this.remainingMs / 2);
    const older = { start: this.window.start, end: mid };
    this.window = { start: mid, end: this.window.end };
    return older;
  }

  /** The window of the next request. */
  nextRequest(): RequestWindow {
    if (this.finished) throw new PagingError('the interval is exhausted; there is no next request');
    return { startDate: this.window.start - 1, endDate: this.endIsInclusive ? this.upper : this.upper + 1 };
  }

  /** Takes the items the server returned for {@link nextRequest} and advances. */
  accept(items: readonly unknown[], attempts = 1): PageOutcome {
    const request = this.nextRequest();

    const inRequest: KeyedRecord[] = [];
    const unusable: RejectedItem[] = [];
    let outOfWindow = 0;
    for (const item of items) {
      const keyed = keyRecord(item, this.keys);
      if ('reason' in keyed) {
        if (this.firstSighting(item)) unusable.push(keyed);
      } else if (keyed.at < request.startDate || keyed.at > request.endDate) {
        outOfWindow++;
      } else {
        inRequest.push(keyed);
      }
    }
    if (inRequest.some((record) => record.at === request.endDate && request.endDate > this.upper)) {
      this.endIsInclusive = true;
    }

    const records = inRequest.filter(
      (s) => s.at >= this.window.start && s.at <= this.upper && !(s.at === this.upper && this.seenAtUpper.has(s.id)),
    );

    let tieOverflow: TieOverflow | undefined;
    if (items.length < PAGE_SIZE) {
      this.finished = true;
    } else {
      tieOverflow = this.advancePastFullPage(inRequest);
      this.finished = this.upper < this.window.start;
    }
    return { request, attempts, records, unusable, outOfWindow, ...(tieOverflow ? { tieOverflow } : {}) };
  }

  private advancePastFullPage(inRequest: readonly KeyedRecord[]): TieOverflow | undefined {
    const atOrBelowUpper = inRequest.filter((s) => s.at <= this.upper);
    if (atOrBelowUpper.length === 0) {
      if (inRequest.length > 0) return undefined; // only records at upper + 1: endIsInclusive was just learned
      if (++this.stalls <= MAX_STALLS) return undefined;
      throw new PagingError(
        `${this.stalls} full pages in a row held no record with a usable id and time inside the asked window ` +
          `ending ${new Date(this.upper + 1).toISOString()}`,
      );
    }
    const oldest = Math.min(...atOrBelowUpper.map((s) => s.at));
    const seen = oldest === this.upper ? this.seenAtUpper : new Set<bigint>();
    const seenBefore = oldest === this.upper ? seen.size : -1;
    for (const s of atOrBelowUpper) if (s.at === oldest) seen.add(s.id);

    if (inRequest.every((s) => s.at === oldest)) {
      // A page whose records all share one instant. With a page's worth of distinct records there, the time
      // cursor can go no further: step past the instant and report it. With fewer (the server padded the page
      // with junk or repeats), ask again, but only so often in a row.
      const stalled = seen.size === seenBefore;
      this.stalls = stalled ? this.stalls + 1 : 0;
      if (seen.size < PAGE_SIZE && oldest >= this.window.start && this.stalls <= MAX_STALLS) {
        this.upper = oldest;
        this.seenAtUpper = seen;
        return undefined;
      }
      this.upper = oldest - 1;
      this.seenAtUpper = new Set();
      this.stalls = 0;
      // A full page of records from just before the interval only says the interval is exhausted.
      return oldest < this.window.start ? undefined : { at: oldest, countSeen: seen.size };
    }
    this.stalls = 0;
    this.upper = oldest;
    this.seenAtUpper = seen;
    return undefined;
  }

  private firstSighting(item: unknown): boolean {
    const fingerprint = jsonText(item);
    if (this.unusableSeen.has(fingerprint)) return false;
    this.unusableSeen.add(fingerprint);
    return true;
  }
}

function keyRecord(item: unknown, { idField, ids, timeField }: RecordKeys): KeyedRecord | RejectedItem {
  const record = jsonObject(item);
  if (!record) return { reason: 'item is not a JSON object', item };
  const id = parseId(record[idField], ids);
  if (id === undefined) {
    return {
      reason: `${idField} is missing or not a ${ids === 'positive' ? 'positive ' : 'signed '}64-bit integer`,
      item,
    };
  }
  const at = parseEpochMillis(record[timeField]);
  if (at === undefined) return { reason: `${timeField} is missing or not epoch milliseconds`, item };
  return { id, at, item: record };
}

export interface PageIntervalOptions {
  /** Hard guard: fail rather than fetch more pages than this for one interval. @default 50_000 */
  readonly maxPages?: number;
  /** Stops paging; the generator then throws the signal's reason. */
  readonly signal?: AbortSignal;
}

/**
 * Pages one interval to the end, yielding what each page contributed. Independent intervals can be paged
 * concurrently with one cursor each (see {@link IntervalCursor.splitOff}); their records are disjoint.
 */
export async function* pageInterval(
  source: PageSource,
  cursor: IntervalCursor,
  options: PageIntervalOptions = {},
): AsyncGenerator<PageOutcome> {
  const maxPages = options.maxPages ?? 50_000;
  for (let pages = 0; !cursor.done; pages++) {
    if (pages >= maxPages) {
      throw new PagingError(`more than ${maxPages} pages for one interval; stopping`);
    }
    options.signal?.throwIfAborted();
    const page = await source.fetchPage(cursor.nextRequest(), options.signal);
    yield cursor.accept(page.items, page.attempts);
  }
}
