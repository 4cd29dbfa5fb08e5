import { getHeapStatistics } from 'node:v8';

/** Peaks of one phase, bytes. */
export interface MemoryPeaks {
  rss: number;
  heapUsed: number;
}

export interface MemorySampler {
  /** Peaks sampled so far in `phase` (zeros if it was never entered). */
  peaks(phase: string): MemoryPeaks;
  /** From now on, samples count towards `phase`; takes one sample for the phase being left. */
  enter(phase: string): void;
  stop(): void;
}

/**
 * Samples RSS and V8's used heap every `intervalMs` and keeps the peaks per phase. Sampling can miss a short
 * spike; `process.resourceUsage().maxRSS` remains the authoritative peak of the whole process. Used heap
 * includes garbage not yet collected.
 */
export function startMemorySampler(initialPhase: string, intervalMs = 50): MemorySampler {
  const byPhase = new Map<string, MemoryPeaks>();
  let phase = initialPhase;
  const sample = (): void => {
    const peaks = byPhase.get(phase) ?? { rss: 0, heapUsed: 0 };
    peaks.rss = Math.max(peaks.rss, process.memoryUsage.rss());
    peaks.heapUsed = Math.max(peaks.heapUsed, getHeapStatistics().used_heap_size);
    byPhase.set(phase, peaks);
  };
  const timer = setInterval(sample, intervalMs);
  sample();
  return {
    peaks: (name) => ({ ...(byPhase.get(name) ?? { rss: 0, heapUsed: 0 }) }),
    enter(next) {
      sample();
      phase = next;
      sample();
    },
    stop() {
      sample();
      clearInterval(timer);
    },
  };
}
