/**
 * The exporter's encoding of the benchmark day, `--runs` times in one process: the rows are stored in a DayRows
 * before the clock starts, as paging leaves them; timed are ordering them (`distinct`) and `encodeParquet`
 * (parquetjs-lite). Args: --count N --runs R.
 */
import { parseArgs } from 'node:util';
import { ONLINE_HELP } from '../../functions/contract/reports.js';
import { DayRows } from '../../functions/export/core/day-rows.js';
import { encodeParquet } from '../../functions/export/parquet/encode.js';
import { benchRows } from '../dataset.js';
import type { Output, PARQUETJS_FIELDS } from '../protocol.js';
import { runAsScenario } from '../scenario-child.js';
import { median, timed } from '../stats.js';

runAsScenario(async (): Promise<Output<(typeof PARQUETJS_FIELDS)[number]>> => {
  const { values } = parseArgs({ options: { count: { type: 'string' }, runs: { type: 'string' } } });
  const [count, runs] = [Number(values.count), Number(values.runs)];
  if (!(count > 0) || !(runs > 0)) throw new Error('need --count and --runs');

  const day = new DayRows(ONLINE_HELP);
  for (const row of benchRows(count)) day.add(row);
  let bytes = 0;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    times.push(
      await timed(async () => {
        bytes = (await encodeParquet(ONLINE_HELP.columns, day.distinct().rows)).byteLength;
      }),
    );
  }
  return { rows: count, firstMs: times[0] ?? NaN, medianMs: median(times), bytes };
});
