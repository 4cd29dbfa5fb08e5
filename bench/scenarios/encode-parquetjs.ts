/**
 * The exporter's encoder (`encodeParquet`: validate, sort, parquetjs-lite) on the rows of the benchmark day,
 * `--runs` times in one process. Rows are made before the clock starts. Args: --count N --runs R.
 */
import { parseArgs } from 'node:util';
import { encodeParquet } from '../../functions/export/parquet/encode.js';
import { benchRows } from '../dataset.js';
import type { Output, PARQUETJS_FIELDS } from '../protocol.js';
import { runAsScenario } from '../scenario-child.js';
import { median, timed } from '../stats.js';

runAsScenario(async (): Promise<Output<(typeof PARQUETJS_FIELDS)[number]>> => {
  const { values } = parseArgs({ options: { count: { type: 'string' }, runs: { type: 'string' } } });
  const [count, runs] = [Number(values.count), Number(values.runs)];
  if (!(count > 0) || !(runs > 0)) throw new Error('need --count and --runs');

  const rows = benchRows(count);
  let bytes = 0;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    times.push(
      await timed(async () => {
        bytes = (await encodeParquet(rows)).byteLength;
      }),
    );
  }
  return { rows: rows.length, firstMs: times[0] ?? NaN, medianMs: median(times), bytes };
});
