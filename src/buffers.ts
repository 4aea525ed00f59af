/**
 * Reusable large buffers. A fresh multi-megabyte allocation is fresh memory: the kernel maps
 * and zeroes every page on first touch, which measured ~2.7 ms per MB on the 2-core VM the
 * bench runs on (a 3.7 MB download: ~10 ms on the main thread, 1.4 s for 120 camera originals).
 * A buffer handed back and reused costs nothing of that. Whoever takes a buffer gives it back
 * only when nothing else (a pending sharp call, a write) still reads it.
 */

/** Capacity classes: the next multiple of 64 kB, so a buffer fits photos of about the same size. */
const GRANULE = 64 * 1024;

export class BufferPool {
  private readonly free = new Map<number, ArrayBuffer[]>();
  /** Backing stores out on loan: only these may come back, and each only once. */
  private readonly lent = new WeakSet<ArrayBuffer>();
  private held = 0;

  /** `limit`: most bytes kept for reuse; buffers given back beyond it are left to the GC. */
  constructor(private readonly limit: number) {}

  /** A buffer of exactly `size` bytes (contents undefined). */
  take(size: number): Buffer {
    const capacity = Math.max(GRANULE, Math.ceil(size / GRANULE) * GRANULE);
    const list = this.free.get(capacity);
    const reused = list?.pop();
    if (reused) this.held -= capacity;
    const store = reused ?? new ArrayBuffer(capacity);
    this.lent.add(store);
    return Buffer.from(store, 0, size);
  }

  /** Gives back a buffer from `take`; any other buffer (or one given back already) is ignored. */
  give(buffer: Buffer): void {
    const store = buffer.buffer;
    if (!(store instanceof ArrayBuffer) || !this.lent.has(store)) return;
    this.lent.delete(store);
    if (this.held + store.byteLength > this.limit) return;
    let list = this.free.get(store.byteLength);
    if (!list) this.free.set(store.byteLength, (list = []));
    list.push(store);
    this.held += store.byteLength;
  }

  /** Drops every kept buffer. */
  clear(): void {
    this.free.clear();
    this.held = 0;
  }
}

/**
 * A soft cap on bytes held at once: `room()` waits while the bytes held reach the budget (but
 * never when nothing is held, so one file larger than the budget still goes through); what is
 * held is added once its size is known and released when done. Downloads of unknown size can
 * overshoot by what is in flight; the cap is on what piles up waiting to be decoded.
 */
export class ByteBudget {
  private held = 0;
  private readonly waiting: (() => void)[] = [];

  /** `budget` > 0: with nothing held there is always room, so one file larger than it still goes through. */
  constructor(readonly budget: number) {}

  room(): Promise<void> {
    if (this.held < this.budget) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  hold(bytes: number): void {
    this.held += bytes;
  }

  release(bytes: number): void {
    this.held = Math.max(0, this.held - bytes);
    while (this.waiting.length > 0 && this.held < this.budget) this.waiting.shift()!();
  }
}
