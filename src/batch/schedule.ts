/**
 * How many jobs run at once. Each job holds its poster (width × height × 4 bytes) plus a
 * copy for encoding and a few decoded photos; the default runs one job per core, and a
 * memory budget (half of the machine's RAM, or of a container's memory limit) holds back a
 * large poster until others finish.
 */
import { availableCores, availableMemory } from '../machine.js';

const GiB = 1024 ** 3;

/** One per core, but no more than one per 1.5 GiB of RAM. */
export function defaultJobs(): number {
  return Math.max(1, Math.min(availableCores(), Math.floor(availableMemory() / (1.5 * GiB))));
}

/** Rough peak bytes of one build: poster RGBA, its copy for the encoder, decode headroom. */
export function estimateJobBytes(width: number, height: number): number {
  return width * height * 4 * 3 + 256 * 1024 * 1024;
}

/** A weighted semaphore over bytes; a job larger than the whole budget runs alone. */
export class MemoryBudget {
  private used = 0;
  private readonly waiting: { bytes: number; resolve: () => void }[] = [];

  constructor(readonly budget: number = Math.floor(availableMemory() / 2)) {}

  async acquire(bytes: number): Promise<() => void> {
    const take = Math.min(bytes, this.budget);
    if (this.used + take > this.budget || this.waiting.length > 0) {
      await new Promise<void>((resolve) => this.waiting.push({ bytes: take, resolve }));
    } else {
      this.used += take;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used -= take;
      this.drain();
    };
  }

  private drain(): void {
    while (this.waiting.length > 0 && this.used + this.waiting[0]!.bytes <= this.budget) {
      const next = this.waiting.shift()!;
      this.used += next.bytes;
      next.resolve();
    }
  }
}
