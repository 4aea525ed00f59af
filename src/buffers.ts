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
