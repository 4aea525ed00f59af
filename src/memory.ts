/**
 * Memory a job may use: its budget (`maxMemory`, default half of what the machine or container
 * has), the part its poster takes before any photo, and a weighted semaphore that holds work
 * back until its bytes fit. A build puts its decodes in what the poster leaves; a batch gives
 * each job a share of one budget (batch/schedule.ts), so jobs and their decodes together stay
 * within it.
 */
import { CollageError, ExitCode } from './errors.js';
import { availableMemory } from './machine.js';
import { withCommas } from './manifest/limits.js';

export const MiB = 1024 * 1024;

/** Below this a job cannot hold node, sharp and one ordinary photo: `--max-memory` refuses less. */
export const MIN_MAX_MEMORY = 256 * MiB;

/**
 * Node, sharp, undici, the PNG workers and a job's bookkeeping before any poster or photo: a
 * decode-only process is 74 MB; a build of 600 small photos without its poster peaks near 150 MB
 * (test/memory.test.ts).
 */
export const BASE_BYTES = 160 * MiB;

/** Decodes always get at least this (a few ordinary photos at once), whatever the poster takes. */
export const MIN_DECODE_BYTES = 64 * MiB;

/**
 * Compressed bytes held at once (downloaded or read, not yet decoded). 32 images in flight are
 * a few MB of flickr-size photos, but 32 camera TIFFs of 50 MB would be 1.6 GB: new downloads
 * wait while this much is held (an eighth of a budget under 2 GB).
 */
const MAX_HELD_BYTES = 256 * MiB;

export function heldBytesBudget(maxMemory: number): number {
  return Math.min(MAX_HELD_BYTES, Math.floor(maxMemory / 8));
}

/** A library caller's `maxMemory`: a number of bytes, at least MIN_MAX_MEMORY (exit 2 otherwise). */
export function checkMaxMemory(maxMemory: number | undefined): void {
  if (maxMemory === undefined || (Number.isFinite(maxMemory) && maxMemory >= MIN_MAX_MEMORY)) return;
  throw new CollageError(`maxMemory must be a number of bytes, at least ${formatMegabytes(MIN_MAX_MEMORY)}; got ${maxMemory}`, ExitCode.usage);
}

/** The default budget for one process: half the RAM, or of a container's memory limit. */
export function defaultMaxMemory(): number {
  return Math.floor(availableMemory() / 2);
}

/**
 * The poster's part: its RGB pixels (every band may be open at once when photos arrive out of
 * order) and, as much again, the encoded file and the encoder's buffers (a lossless PNG of noise
 * is as big as the pixels; TIFF and WebP are encoded from the whole poster at the end).
 */
export function posterBytes(width: number, height: number): number {
  return width * height * 3 * 2;
}

/** What a job needs before decoding anything: the process, its poster, the compressed photos waiting. */
export function fixedJobBytes(width: number, height: number, maxMemory: number): number {
  return BASE_BYTES + posterBytes(width, height) + heldBytesBudget(maxMemory);
}

/** Bytes left for decoding photos within `maxMemory`, at least MIN_DECODE_BYTES. */
export function decodeBudgetBytes(maxMemory: number, fixed: number): number {
  return Math.max(MIN_DECODE_BYTES, maxMemory - fixed);
}

/** "1,234 MB" */
export function formatMegabytes(bytes: number): string {
  return `${withCommas(Math.round(bytes / MiB))} MB`;
}

/**
 * A weighted semaphore over bytes, first come first served (a large request is not starved by
 * small ones behind it); a request larger than the whole budget runs alone.
 */
export class MemoryBudget {
  private used = 0;
  private readonly waiting: { bytes: number; resolve: () => void }[] = [];

  constructor(readonly budget: number) {}

  /** Waits until `bytes` fit (capped at the budget); resolves to the release function (idempotent). */
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
