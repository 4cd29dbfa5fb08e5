/** A deterministic pseudo-random source: the same seed always yields the same sequence. Not for cryptography. */
export interface Random {
  /** Uniform float in [0, 1), with 53 bits of randomness. */
  next(): number;
  /** Uniform integer in [min, max], both inclusive; both bounds must be safe integers. */
  int(min: number, max: number): number;
  /** One element of a non-empty list, uniformly. */
  pick<T>(items: readonly T[]): T;
  /** One element of a non-empty list, each with probability proportional to its (non-negative) weight. */
  weighted<T>(entries: readonly (readonly [item: T, weight: number])[]): T;
  /** `true` with probability `p` (0 ≤ p ≤ 1). */
  chance(p: number): boolean;
}

/** A {@link Random} driven by mulberry32; `seed` is reduced to an unsigned 32-bit integer. */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const uint32 = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  // Two draws, so that ranges wider than 2^32 (epoch-millisecond spans over ~50 days) keep full resolution.
  const next = (): number => (uint32() * 2 ** 21 + (uint32() >>> 11)) / 2 ** 53;

  return {
    next,
    int(min, max) {
      if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || max < min) {
        throw new RangeError(`int(${min}, ${max}): bounds must be safe integers with min <= max`);
      }
      return min + Math.floor(next() * (max - min + 1));
    },
    pick(items) {
      const item = items[Math.floor(next() * items.length)];
      if (item === undefined) throw new RangeError('pick: empty list');
      return item;
    },
    weighted(entries) {
      const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
      let remaining = next() * total;
      for (const [item, weight] of entries) {
        remaining -= weight;
        if (remaining < 0) return item;
      }
      const last = entries.at(-1);
      if (last === undefined || total <= 0) throw new RangeError('weighted: no entry with a positive weight');
      return last[0];
    },
    chance(p) {
      return next() < p;
    },
  };
}
