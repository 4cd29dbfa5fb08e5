import { createHash } from 'node:crypto';
import type { RejectedItem, TieOverflow } from './paging/interval-cursor.js';
import { dayWindow } from './days.js';
import type { CalendarDay, TimeZone } from '../../contract/calendar.js';
import { DayRows } from './day-rows.js';
import { harvestDay } from './paging/harvest-day.js';
import { jsonText } from './json.js';
import {
  manifestKey,
  PARQUET_CONTENT_TYPE,
  partitionObjectKey,
  partitionPrefix,
  rejectsKey,
} from '../../contract/layout.js';
import type { ObjectStore, PageSource } from './ports.js';
import type { CheckedRow } from './column-values.js';
import { recordMapping } from './records.js';
import { recordKeys } from './paging/interval-cursor.js';
import type { ColumnDefinition } from '../../contract/schema.js';
import type { ReportDefinition } from '../../contract/reports.js';
import {
  KEEP_ALL,
  type PersonalDataAction,
  type PersonalDataPolicy,
  type PseudonymKey,
} from '../../contract/personal-data.js';
import { personalDataItemTransform, personalDataRowTransform } from './personal-data.js';

export interface DayExportContext {
  /** Where a report's pages come from: one signed client per report in production. */
  readonly sourceFor: (report: ReportDefinition) => PageSource;
  readonly store: ObjectStore;
  readonly timeZone: TimeZone;
  /** Sub-windows of the day paged at once. */
  readonly concurrency: number;
  /** A table's columns and its rows, in file order → the bytes of one Parquet file (the writer is an adapter). */
  readonly encode: (columns: readonly ColumnDefinition[], rows: Iterable<CheckedRow>) => Promise<Uint8Array>;
  readonly runId: string;
  readonly now: () => number;
  /** Where the data comes from and what wrote it, recorded in every manifest. */
  readonly provenance: Provenance;
  /** What is done with personal columns, in the table and the rejects. @default every value kept */
  readonly personalData?: PersonalData;
  /** Aborts the day before it writes anything (the Lambda deadline); exportDay then throws its reason. */
  readonly signal?: AbortSignal;
  /** Told after each page how far the day has got, e.g. for a live progress line. */
  readonly onProgress?: (progress: DayProgress) => void;
}

/** Where a run's data comes from and what wrote it. */
export interface Provenance {
  /** The Diyalog endpoint's origin (`https://diyalog.example.com`), or `demo` for the built-in simulator. */
  readonly source: string;
  /** The exporter's version (package.json). */
  readonly exporterVersion: string;
}

/** A personal-data policy in force, with the key of its pseudonyms when it has any. */
export interface PersonalData {
  readonly policy: PersonalDataPolicy;
  /** Required when `policy.usesPseudonyms`. */
  readonly key?: PseudonymKey;
}

/** How far a report-day's paging has got. */
export interface DayProgress {
  readonly report: string;
  readonly day: CalendarDay;
  readonly pages: number;
  /** Records received so far. */
  readonly records: number;
}

/** What one report-day's export did; also the body of its run manifest. */
export interface DaySummary {
  /** The report, which is also the table's name. */
  readonly report: string;
  readonly day: CalendarDay;
  readonly runId: string;
  /** See {@link Provenance}. */
  readonly source: string;
  readonly exporterVersion: string;
  readonly timeZone: string;
  /** The day's instants `[start, end)` as ISO strings. */
  readonly window: { readonly start: string; readonly end: string };
  /** Rows written: distinct records of the day. */
  readonly rows: number;
  readonly pages: number;
  readonly requests: number;
  /** Requests beyond one per page: the retries. */
  readonly retries: number;
  /** Records written to the rejects output instead of the table. */
  readonly rejected: number;
  /** Copies of an id already seen this day, dropped (see `preferredCopy`). */
  readonly duplicates: number;
  readonly tieOverflows: readonly TieOverflow[];
  /** Items the server sent outside the window asked for, ignored. */
  readonly outOfWindow: number;
  /**
   * What was done with each personal column of the report, and, when pseudonyms were written, the id of their key
   * (the first 12 hex digits of its SHA-256), so that analysts can tell when pseudonyms changed.
   */
  readonly personalData: {
    readonly policy: string;
    readonly columns: Readonly<Record<string, PersonalDataAction>>;
    readonly pseudonymKeyId?: string;
  };
  readonly object: string;
  readonly parquetBytes: number;
  readonly parquetSha256: string;
  readonly durationMs: number;
}

/**
 * Exports one calendar day of one report: page it completely, validate, deduplicate, encode one Parquet file, and
 * replace the day's partition of the report's table with it. Nothing is written unless every page was fetched and
 * encoded; the Parquet object is written in one atomic put, so a failure leaves the previous export of the day as
 * it was.
 */
export async function exportDay(
  report: ReportDefinition,
  day: CalendarDay,
  context: DayExportContext,
): Promise<DaySummary> {
  const startedAt = context.now();
  const window = dayWindow(day, context.timeZone);
  const { policy, key } = context.personalData ?? { policy: KEEP_ALL };
  const toRow = recordMapping(report, personalDataRowTransform(report, policy, key));
  const concealItem = personalDataItemTransform(report, policy, key);
  const received = new DayRows(report);
  const invalid: RejectedItem[] = [];
  let pages = 0;
  const harvest = await harvestDay(context.sourceFor(report), window, {
    keys: recordKeys(report),
    concurrency: context.concurrency,
    ...(context.signal ? { signal: context.signal } : {}),
    onRecords: (records) => {
      for (const record of records) {
        const outcome = toRow(record);
        if ('row' in outcome) received.add(outcome.row);
        else invalid.push(outcome);
      }
      pages++;
      context.onProgress?.({ report: report.name, day, pages, records: received.count + invalid.length });
    },
  });
  // The rejects follow the policy too: their items are as received, personal fields included.
  const rejected = [...harvest.unusable, ...invalid].map((r) => ({ reason: r.reason, item: concealItem(r.item) }));

  const distinct = received.distinct();
  const parquet = await context.encode(report.columns, distinct.rows);
  // The last moment to give up cleanly: from here on the day's objects are written.
  context.signal?.throwIfAborted();
  const { store } = context;
  const objectKey = partitionObjectKey(report, day);
  await store.put(objectKey, parquet, PARQUET_CONTENT_TYPE);
  const stale = (await store.list(partitionPrefix(report, day))).filter((key) => key !== objectKey);
  await store.delete(stale);
  const rejects = rejectsKey(report, day);
  if (rejected.length > 0) {
    await store.put(rejects, rejectsJsonLines(report, day, context.runId, rejected), 'application/x-ndjson');
  } else {
    await store.delete([rejects]);
  }

  const summary: DaySummary = {
    report: report.name,
    day,
    runId: context.runId,
    ...context.provenance,
    timeZone: context.timeZone,
    window: { start: new Date(window.start).toISOString(), end: new Date(window.end).toISOString() },
    rows: distinct.count,
    pages: harvest.pages,
    requests: harvest.requests,
    retries: harvest.requests - harvest.pages,
    rejected: rejected.length,
    duplicates: distinct.duplicates,
    tieOverflows: harvest.tieOverflows.toSorted((a, b) => a.at - b.at),
    outOfWindow: harvest.outOfWindow,
    personalData: {
      policy: policy.text,
      columns: policy.columnsOf(report),
      ...(key !== undefined && policy.usesPseudonyms ? { pseudonymKeyId: key.id } : {}),
    },
    object: store.locate(objectKey),
    parquetBytes: parquet.byteLength,
    parquetSha256: createHash('sha256').update(parquet).digest('hex'),
    durationMs: context.now() - startedAt,
  };
  await store.put(
    manifestKey(report, day, context.runId),
    new TextEncoder().encode(`${JSON.stringify(summary, null, 2)}\n`),
    'application/json',
  );
  return summary;
}

function rejectsJsonLines(
  report: ReportDefinition,
  day: CalendarDay,
  runId: string,
  rejected: readonly RejectedItem[],
): Uint8Array {
  const lines = rejected.map((r) => jsonText({ report: report.name, day, runId, reason: r.reason, item: r.item }));
  return new TextEncoder().encode(`${lines.join('\n')}\n`);
}
