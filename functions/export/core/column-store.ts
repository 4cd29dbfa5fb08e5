import type { AthenaType, ValueOfAthenaType } from '../../contract/schema.js';

/**
 * One column of a day's rows, stored slot by slot in typed arrays rather than as a JavaScript value per row.
 * Typed-array memory lies outside the garbage-collected object heap and costs a few bytes per value beyond the
 * text itself, and nothing of it has to be traced by the collector.
 * Slots are written in order, 0, 1, 2, …, each exactly once.
 */
export interface ColumnStore<V> {
  /** Stores `value` at `slot`, which must be the number of slots written so far. */
  append(slot: number, value: V | null): void;
  get(slot: number): V | null;
}

/** A fresh, empty store for values of `type`. */
export function columnStoreFor<T extends AthenaType>(type: T): ColumnStore<ValueOfAthenaType[T]> {
  const stores: { readonly [K in AthenaType]: () => ColumnStore<ValueOfAthenaType[K]> } = {
    bigint: () => new BigIntStore(),
    string: () => new StringStore(),
    // Timestamps are epoch milliseconds and ints 32-bit: both exact in a double.
    timestamp: () => new NumberStore(),
    int: () => new NumberStore(),
  };
  return stores[type]();
}

/** Values per block of a fixed-width column. */
const BLOCK_SLOTS = 8192;
/** Bytes per block of text; a longer text gets a block of its own size. */
const BLOCK_BYTES = 64 * 1024;
/** Text offsets are 32-bit. */
const MAX_TEXT_BYTES = 2 ** 32 - 1;

/**
 * Append-only values in fixed-size blocks. Growing allocates one more block and never copies or frees what is
 * stored, so the memory held follows the data instead of doubling and leaving the old copy to the collector.
 */
class Blocks<E extends number | bigint> {
  readonly #blocks: { [index: number]: E }[] = [];
  readonly #allocate: () => { [index: number]: E };

  constructor(allocate: () => { [index: number]: E }) {
    this.#allocate = allocate;
  }

  /** Stores `value` at `slot`, which must be the number of slots written so far. */
  append(slot: number, value: E): void {
    const index = Math.floor(slot / BLOCK_SLOTS);
    if (index === this.#blocks.length) this.#blocks.push(this.#allocate());
    const block = this.#blocks[index];
    if (block === undefined) throw new RangeError(`slot ${slot} is past the end; slots are appended in order`);
    block[slot % BLOCK_SLOTS] = value;
  }

  get(slot: number): E | undefined {
    return this.#blocks[Math.floor(slot / BLOCK_SLOTS)]?.[slot % BLOCK_SLOTS];
  }
}

/** Which slots hold NULL; every store keeps one, so that no value has to serve as a NULL sentinel. */
class NullFlags {
  readonly #flags = new Blocks<number>(() => new Uint8Array(BLOCK_SLOTS));

  append(slot: number, isNull: boolean): void {
    this.#flags.append(slot, isNull ? 1 : 0);
  }

  isNull(slot: number): boolean {
    return this.#flags.get(slot) === 1;
  }
}

class NumberStore implements ColumnStore<number> {
  readonly #nulls = new NullFlags();
  readonly #values = new Blocks<number>(() => new Float64Array(BLOCK_SLOTS));

  append(slot: number, value: number | null): void {
    this.#nulls.append(slot, value === null);
    this.#values.append(slot, value ?? 0);
  }

  get(slot: number): number | null {
    return this.#nulls.isNull(slot) ? null : (this.#values.get(slot) ?? null);
  }
}

class BigIntStore implements ColumnStore<bigint> {
  readonly #nulls = new NullFlags();
  readonly #values = new Blocks<bigint>(() => new BigInt64Array(BLOCK_SLOTS));

  append(slot: number, value: bigint | null): void {
    // A BigInt64Array wraps larger values silently; the row checks admit only signed 64-bit ones.
    if (value !== null && BigInt.asIntN(64, value) !== value) {
      throw new RangeError(`${value} does not fit a signed 64-bit column`);
    }
    this.#nulls.append(slot, value === null);
    this.#values.append(slot, value ?? 0n);
  }

  get(slot: number): bigint | null {
    return this.#nulls.isNull(slot) ? null : (this.#values.get(slot) ?? null);
  }
}

class StringStore implements ColumnStore<string> {
  readonly #nulls = new NullFlags();
  readonly #text = new TextBlocks();
  /** Where each slot's text ends in {@link TextBlocks}' offsets; it starts where the previous slot's ends. */
  readonly #ends = new Blocks<number>(() => new Uint32Array(BLOCK_SLOTS));

  append(slot: number, value: string | null): void {
    this.#nulls.append(slot, value === null);
    this.#ends.append(slot, value === null ? this.#text.end : this.#text.append(value));
  }

  get(slot: number): string | null {
    if (this.#nulls.isNull(slot)) return null;
    const start = slot === 0 ? 0 : (this.#ends.get(slot - 1) ?? 0);
    return this.#text.read(start, this.#ends.get(slot) ?? start);
  }
}

/**
 * Texts as UTF-8, one after another, in blocks. Offsets count the bytes written, as if the blocks were one
 * buffer; a text that does not fit the rest of the newest block starts a new one, so no text spans two blocks.
 */
class TextBlocks {
  static readonly #encoder = new TextEncoder();
  // ignoreBOM keeps a text's leading U+FEFF: by default the decoder would strip it as a byte-order mark.
  static readonly #decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  readonly #blocks: Uint8Array[] = [];
  /** The offset of each block's first byte. */
  readonly #starts: number[] = [];
  #end = 0;

  /** The offset after the last byte written. */
  get end(): number {
    return this.#end;
  }

  /** Writes `text` and returns the offset after its last byte. */
  append(text: string): number {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    const worstCase = 3 * text.length;
    let block = this.#blocks.at(-1);
    let used = this.#end - (this.#starts.at(-1) ?? 0);
    if (block === undefined || block.length - used < worstCase) {
      if (this.#end + worstCase > MAX_TEXT_BYTES) {
        throw new RangeError(`a column's text exceeds ${MAX_TEXT_BYTES} bytes in one day`);
      }
      block = new Uint8Array(Math.max(BLOCK_BYTES, worstCase));
      this.#blocks.push(block);
      this.#starts.push(this.#end);
      used = 0;
    }
    this.#end += TextBlocks.#encoder.encodeInto(text, block.subarray(used)).written;
    return this.#end;
  }

  /** The text between two offsets that {@link append} returned. */
  read(start: number, end: number): string {
    if (start === end) return '';
    const index = this.#blockHolding(start);
    const blockStart = this.#starts[index] ?? 0;
    return TextBlocks.#decoder.decode(this.#blocks[index]?.subarray(start - blockStart, end - blockStart));
  }

  /** The last block starting at or before `offset`: where the text written from `offset` went. */
  #blockHolding(offset: number): number {
    let [low, high] = [0, this.#starts.length - 1];
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if ((this.#starts[middle] ?? 0) <= offset) low = middle;
      else high = middle - 1;
    }
    return low;
  }
}
