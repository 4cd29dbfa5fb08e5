/**
 * How a scenario child reports to the bench: one line on stdout, {@link RESULT_MARK} followed by JSON
 * `{ "output": { <name>: number, … }, "maxRssBytes": number }`. Outputs are flat records of numbers, so that the
 * parent can check them field by field instead of trusting a cast.
 */

export const RESULT_MARK = '@@bench-result ';

/**
 * Fields of the export scenario's output. `pagingPeakRssBytes` is the process's peak RSS when the encoder is called
 * (paging, storing and ordering the rows done), `encodingPeakRssBytes` when it returns; `heapAtEncodeBytes` is the
 * heap in use when the encoder is called.
 */
export const EXPORT_FIELDS = [
  'wallMs',
  'encodeMs',
  'sessions',
  'pages',
  'requests',
  'parquetBytes',
  'pagingPeakRssBytes',
  'encodingPeakRssBytes',
  'heapAtEncodeBytes',
] as const;

export const BASELINE_FIELDS = ['heapBytes'] as const;

export const PARQUETJS_FIELDS = ['rows', 'firstMs', 'medianMs', 'bytes'] as const;

export const DUCKDB_FIELDS = ['rows', 'copyMedianMs', 'appendAndCopyMedianMs', 'bytes'] as const;

export type Output<K extends string> = Readonly<Record<K, number>>;

export interface ScenarioResult<K extends string> {
  readonly output: Output<K>;
  /** `process.resourceUsage().maxRSS` of the child at its end, in bytes. */
  readonly maxRssBytes: number;
}

/** Checks a parsed result line against the expected fields. */
export function parseResult<K extends string>(value: unknown, fields: readonly K[]): ScenarioResult<K> {
  const result = record(value, 'result');
  const output = record(result['output'], 'output');
  const entries = fields.map((field) => [field, finite(output[field], field)] as const);
  return {
    output: Object.fromEntries(entries) as Output<K>, // every field was checked just above
    maxRssBytes: finite(result['maxRssBytes'], 'maxRssBytes'),
  };
}

function record(value: unknown, what: string): Readonly<Record<string, unknown>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${what} is not an object`);
  return Object.fromEntries(Object.entries(value));
}

function finite(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`${what} is not a finite number`);
  return value;
}
