/**
 * Coercion of the API's identifying fields. The docs type them as numbers; gateways and older installations are
 * seen to send numeric strings, and ids are 64-bit, so they may arrive as bigint from the lossless JSON parser.
 */

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/** ±100 million days around the epoch: the range of a JavaScript Date. */
const MAX_EPOCH_MS = 8.64e15;

/**
 * A record's 64-bit id, or undefined when the value is not one: any signed 64-bit value, or positive ones only
 * (`ids: 'positive'` in the report's definition).
 */
export function parseId(value: unknown, ids: 'positive' | 'signed'): bigint | undefined {
  let id: bigint;
  if (typeof value === 'bigint') id = value;
  else if (typeof value === 'number' && Number.isSafeInteger(value)) id = BigInt(value);
  else if (typeof value === 'string' && /^-?\d{1,19}$/.test(value.trim())) id = BigInt(value.trim());
  else return undefined;
  const lowest = ids === 'positive' ? 1n : INT64_MIN;
  return id >= lowest && id <= INT64_MAX ? id : undefined;
}

/** Integer epoch milliseconds (a number or a numeric string), or undefined when the value is not one. */
export function parseEpochMillis(value: unknown): number | undefined {
  const ms = parseInteger(value);
  return ms !== undefined && Math.abs(ms) <= MAX_EPOCH_MS ? ms : undefined;
}

/** A safe integer given as a number or a numeric string, or undefined when the value is not one. */
export function parseInteger(value: unknown): number | undefined {
  const n =
    typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
  return Number.isSafeInteger(n) ? n : undefined;
}
