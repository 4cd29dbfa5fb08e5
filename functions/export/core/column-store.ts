import type { AthenaType } from './schema.js';

/**
 * One column of a day's rows, stored slot by slot in typed arrays rather than as a JavaScript value per row.
 * Typed-array memory lies outside the garbage-collected object heap and costs a few bytes per value, so holding
 * a busy day costs a fraction of what row objects would, and nothing of it has to be traced by the collector.
 * Slots are written in order, 0, 1, 2, …, each exactly once.
 */
export interface ColumnStore<V> {
  /** Stores `value` at `slot`, which must be the number of slots written so far. */
  append(slot: number, value: V | null): void;
  get(slot: number): V | null;
}

/** What a stored value of each Athena type is (see `SessionRow`). */
interface StoredValue {
  bigint: bigint;
  string: string;
  timestamp: number;
  int: number;
}

/** A fresh, empty store for values of `type`. */
export function columnStoreFor<T extends AthenaType>(type: T): ColumnStore<StoredValue[T]> {
  const stores: { readonly [K in AthenaType]: () => ColumnStore<StoredValue[K]> } = {
    bigint: () => new BigIntStore(),
    string: () => new StringStore(),
    // Timestamps are epoch milliseconds and ints 32-bit: both exact in a double.
    timestamp: () => new NumberStore(),
    int: () => new NumberStore(),
  };
  return stores[type]();
}

const INITIAL_SLOTS = 1024;

/** Text is UTF-8 in one growing buffer addressed by 32-bit offsets. */
const MAX_TEXT_BYTES = 2 ** 32 - 1;

/** Which slots hold NULL; every store keeps one, so that no value has to serve as a NULL sentinel. */
class NullFlags {
  #flags = new Uint8Array(INITIAL_SLOTS);

  append(slot: number, isNull: boolean): void {
    this.#flags = withRoom(this.#flags, slot + 1, (length) => new Uint8Array(length));
    this.#flags[slot] = isNull ? 1 : 0;
  }

  isNull(slot: number): boolean {
    return this.#flags[slot] === 1;
  }
}

class NumberStore implements ColumnStore<number> {
  readonly #nulls = new NullFlags();
  #values = new Float64Array(INITIAL_SLOTS);

  append(slot: number, value: number | null): void {
    this.#nulls.append(slot, value === null);
    this.#values = withRoom(this.#values, slot + 1, (length) => new Float64Array(length));
    this.#values[slot] = value ?? 0;
  }

  get(slot: number): number | null {
    return this.#nulls.isNull(slot) ? null : (this.#values[slot] ?? null);
  }
}

class BigIntStore implements ColumnStore<bigint> {
  readonly #nulls = new NullFlags();
  #values = new BigInt64Array(INITIAL_SLOTS);

  append(slot: number, value: bigint | null): void {
    // A BigInt64Array wraps larger values silently; the row checks admit only signed 64-bit ones.
    if (value !== null && BigInt.asIntN(64, value) !== value) {
      throw new RangeError(`${value} does not fit a signed 64-bit column`);
    }
    this.#nulls.append(slot, value === null);
    this.#values = withRoom(this.#values, slot + 1, (length) => new BigInt64Array(length));
    this.#values[slot] = value ?? 0n;
  }

  get(slot: number): bigint | null {
    return this.#nulls.isNull(slot) ? null : (this.#values[slot] ?? null);
  }
}

class StringStore implements ColumnStore<string> {
  static readonly #encoder = new TextEncoder();
  static readonly #decoder = new TextDecoder();
  readonly #nulls = new NullFlags();
  #bytes = new Uint8Array(INITIAL_SLOTS * 32);
  /** Byte offset where each slot's text ends; it starts where the previous slot's ends. */
  #ends = new Uint32Array(INITIAL_SLOTS);

  append(slot: number, value: string | null): void {
    const start = this.#start(slot);
    let end = start;
    if (value !== null) {
      // UTF-8 takes at most 3 bytes per UTF-16 code unit.
      const worstCase = start + 3 * value.length;
      if (worstCase > MAX_TEXT_BYTES)
        throw new RangeError(`a column's text exceeds ${MAX_TEXT_BYTES} bytes in one day`);
      this.#bytes = withRoom(this.#bytes, worstCase, (length) => new Uint8Array(length));
      end += StringStore.#encoder.encodeInto(value, this.#bytes.subarray(start)).written;
    }
    this.#nulls.append(slot, value === null);
    this.#ends = withRoom(this.#ends, slot + 1, (length) => new Uint32Array(length));
    this.#ends[slot] = end;
  }

  get(slot: number): string | null {
    if (this.#nulls.isNull(slot)) return null;
    return StringStore.#decoder.decode(this.#bytes.subarray(this.#start(slot), this.#ends[slot]));
  }

  #start(slot: number): number {
    return slot === 0 ? 0 : (this.#ends[slot - 1] ?? 0);
  }
}

/** `array` when it holds `needed` elements, else a copy of it at least twice as long. */
function withRoom<T extends Uint8Array | Uint32Array | Float64Array | BigInt64Array>(
  array: T,
  needed: number,
  allocate: (length: number) => T,
): T {
  if (needed <= array.length) return array;
  const larger = allocate(Math.max(needed, 2 * array.length));
  new Uint8Array(larger.buffer).set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
  return larger;
}
