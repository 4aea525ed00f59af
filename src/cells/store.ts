/**
 * The cell cache on disk: one file per cell, `<dir>/<k0k1>/<key>`, written to a temporary file
 * and renamed into place (readers never see half a file; processes writing the same key write
 * the same bytes). A file is a 48-byte header (magic, CRC-32 of the rest, size, placement,
 * codec, the share of the photo its crop hid, the photo's upright size) and the packed RGB pixels, LZ4-compressed: lossless, and the cheapest to read back of
 * what was measured (per 264×198 cell, 200 bench photos, CPU ms to write / read, size): LZ4
 * 0.5–0.9 / 0.10–0.13, 0.61 of raw; deflate level 1 1.9 / 0.5, 0.42; PNG via sharp 2.1 / 2.0,
 * 0.55; zstd level 1 (Node ≥ 22.15 only) 0.7 / 0.35, 0.44. A read costs less than 2 % of the
 * decode it saves (~7 ms of CPU per 1024 px JPEG).
 *
 * Least recently used first out: a hit bumps the file's modified time (hourly at most), and
 * once the files written since the last look add up to a tenth of the cap (or an hour has
 * passed), the folder is scanned and the oldest files removed until it is under 90 % of it.
 * A file that does not check out (magic, CRC, sizes) is removed and counts as a miss.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, futimesSync, openSync, readSync } from 'node:fs';
import { mkdir, readdir, rename, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { compress, uncompressSync } from 'lz4-napi';

const MAGIC = Buffer.from('CLGCELL3', 'latin1');
const HEADER = 48;
/** The crop share is stored in millionths. */
const CROP_UNITS = 1_000_000;
const CODEC_LZ4 = 1;
/** Bytes kept as they are (encoded JPEG bands: compressed already). */
const CODEC_RAW = 2;
/** A hit newer than this is not touched again: one utimes per file per hour at most. */
const TOUCH_AFTER_MS = 60 * 60 * 1000;
/** How often (at least) the folder is scanned for the size cap, while anything is written. */
const SCAN_EVERY_MS = 60 * 60 * 1000;
const STAMP = 'last-scan';

export interface StoredCell {
  /** Packed RGB, `width × height × 3` bytes. */
  data: Buffer;
  width: number;
  height: number;
  /** Where the cell's top-left pixel goes, relative to its layout box. */
  dx: number;
  dy: number;
  /** Share of the photo's area the cell's crop hid (0 for contain), for the report's overCrop. */
  crop: number;
  /** The photo's upright size, px, for the resolution check (0 × 0 when not recorded). */
  source: { width: number; height: number };
}

export class CellStore {
  private readonly made = new Set<string>();
  private scratch = Buffer.alloc(0);
  private writtenSinceScan = 0;
  private readonly writes = new Set<Promise<void>>();

  constructor(
    readonly dir: string,
    readonly maxBytes: number,
  ) {}

  private fileOf(key: string): string {
    return path.join(this.dir, key.slice(0, 2), key);
  }

  /**
   * The cell stored under `key`, or null (absent, or damaged and now removed). Read
   * synchronously: ~100 kB from the page cache costs less than the thread-pool round trips of an
   * asynchronous open, stat, read and close.
   */
  /** Whether a cell is stored under `key` (not checked: `get` may still find it damaged). */
  async has(key: string): Promise<boolean> {
    try {
      return (await stat(this.fileOf(key))).isFile();
    } catch {
      return false;
    }
  }

  async get(key: string): Promise<StoredCell | null> {
    const file = this.fileOf(key);
    const bytes = this.read(file);
    if (!bytes) return null;
    const cell = decodeEntry(bytes);
    if (!cell) await unlink(file).catch(() => {});
    return cell;
  }

  /**
   * A stored cell's facts without its pixels (the 48-byte header: the crop and the photo's size,
   * for the report), or null when absent or not a cell. For a cell whose band is reused whole.
   */
  meta(key: string): Pick<StoredCell, 'crop' | 'source'> | null {
    let fd: number;
    try {
      fd = openSync(this.fileOf(key), 'r');
    } catch {
      return null;
    }
    try {
      const header = Buffer.alloc(HEADER);
      if (readSync(fd, header, 0, HEADER, 0) !== HEADER || !header.subarray(0, 8).equals(MAGIC) || header.readUInt32LE(32) !== CODEC_LZ4) return null;
      return { crop: header.readUInt32LE(36) / CROP_UNITS, source: { width: header.readUInt32LE(40), height: header.readUInt32LE(44) } };
    } catch {
      return null;
    } finally {
      closeSync(fd);
    }
  }

  /** Bytes stored by `putBytes`, checked like a cell. */
  getBytes(key: string): Buffer | null {
    const file = this.fileOf(key);
    // Its own buffer: the bytes are kept (a band of the output), and copying a reused one cost more.
    const entry = this.read(file, false);
    if (!entry) return null;
    const bytes = checkedEntry(entry, CODEC_RAW);
    if (!bytes || entry.readUInt32LE(28) !== bytes.length) {
      void unlink(file).catch(() => {});
      return null;
    }
    return bytes;
  }

  putBytes(key: string, bytes: Buffer): void {
    this.track(this.writeEntry(key, entryOf(CODEC_RAW, 0, 0, 0, 0, 0, NO_SOURCE, bytes.length, bytes)));
  }

  /**
   * The file's bytes; with `reuse`, in a buffer the next read overwrites (for readers done with
   * them synchronously: ~100 kB a cell that would otherwise be garbage).
   */
  private read(file: string, reuse = true): Buffer | null {
    let bytes: Buffer;
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch {
      return null;
    }
    try {
      const info = fstatSync(fd);
      if (!reuse) bytes = Buffer.allocUnsafe(info.size);
      else {
        if (this.scratch.length < info.size) this.scratch = Buffer.allocUnsafe(Math.max(info.size, 2 * this.scratch.length));
        bytes = this.scratch.subarray(0, info.size);
      }
      let at = 0;
      for (let n; at < bytes.length && (n = readSync(fd, bytes, at, bytes.length - at, at)) > 0; ) at += n;
      bytes = bytes.subarray(0, at);
      // Used now: the least recently used go first (an hour's precision is enough).
      const now = Date.now();
      if (now - info.mtimeMs > TOUCH_AFTER_MS) futimesSync(fd, now / 1000, now / 1000);
    } catch {
      return null;
    } finally {
      closeSync(fd);
    }
    return bytes;
  }

  /** Stores `cell` under `key` in the background; `flush()` waits for what is under way. Errors are ignored (a cache). */
  put(key: string, cell: StoredCell): void {
    this.track(encodeEntry(cell).then((entry) => this.writeEntry(key, entry)));
  }

  private track(work: Promise<void>): void {
    const write = work.catch(() => {});
    this.writes.add(write);
    void write.finally(() => this.writes.delete(write));
  }

  private async writeEntry(key: string, entry: Buffer): Promise<void> {
    const file = this.fileOf(key);
    const folder = path.dirname(file);
    if (!this.made.has(folder)) {
      await mkdir(folder, { recursive: true });
      this.made.add(folder);
    }
    const temp = path.join(folder, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
    try {
      await writeFile(temp, entry);
      await rename(temp, file);
      this.writtenSinceScan += entry.length;
    } catch (error) {
      await unlink(temp).catch(() => {});
      throw error;
    }
  }

  /** Waits for writes under way, then keeps the folder under its cap (see above). */
  async flush(): Promise<void> {
    while (this.writes.size > 0) await Promise.all(this.writes);
    if (this.writtenSinceScan === 0) return;
    const stamp = path.join(this.dir, STAMP);
    const last = await stat(stamp).then(
      (s) => s.mtimeMs,
      () => 0,
    );
    if (this.writtenSinceScan < this.maxBytes / 10 && Date.now() - last < SCAN_EVERY_MS) return;
    this.writtenSinceScan = 0;
    await writeFile(stamp, '').catch(() => {});
    await this.evict();
  }

  /** Removes the least recently used files until the folder is under 90 % of the cap; old temporary files too. */
  async evict(): Promise<{ files: number; bytes: number; removed: number }> {
    const files: { file: string; size: number; mtimeMs: number }[] = [];
    const folders = await readdir(this.dir).catch(() => [] as string[]);
    const now = Date.now();
    for (const folder of folders) {
      if (folder.length !== 2) continue;
      const names = await readdir(path.join(this.dir, folder)).catch(() => [] as string[]);
      for (const name of names) {
        const file = path.join(this.dir, folder, name);
        const info = await stat(file).catch(() => null);
        if (!info?.isFile()) continue;
        if (name.startsWith('.tmp-')) {
          // Left by a process that died mid-write.
          if (now - info.mtimeMs > SCAN_EVERY_MS) await unlink(file).catch(() => {});
          continue;
        }
        files.push({ file, size: info.size, mtimeMs: info.mtimeMs });
      }
    }
    let bytes = files.reduce((sum, f) => sum + f.size, 0);
    let removed = 0;
    if (bytes > this.maxBytes) {
      files.sort((a, b) => a.mtimeMs - b.mtimeMs);
      for (const f of files) {
        if (bytes <= this.maxBytes * 0.9) break;
        await unlink(f.file).catch(() => {});
        bytes -= f.size;
        removed++;
      }
    }
    return { files: files.length - removed, bytes, removed };
  }
}

/** Moves a stored cell's age (tests: LRU order without waiting an hour). */
export async function setCellTime(store: CellStore, key: string, when: Date): Promise<void> {
  await utimes(path.join(store.dir, key.slice(0, 2), key), when, when);
}

const NO_SOURCE = { width: 0, height: 0 };

function entryOf(
  codec: number,
  width: number,
  height: number,
  dx: number,
  dy: number,
  crop: number,
  source: { width: number; height: number },
  length: number,
  payload: Buffer,
): Buffer {
  const entry = Buffer.allocUnsafe(HEADER + payload.length);
  MAGIC.copy(entry, 0);
  entry.writeUInt32LE(width, 12);
  entry.writeUInt32LE(height, 16);
  entry.writeInt32LE(dx, 20);
  entry.writeInt32LE(dy, 24);
  entry.writeUInt32LE(length, 28);
  entry.writeUInt32LE(codec, 32);
  entry.writeUInt32LE(Math.round(Math.min(1, Math.max(0, crop)) * CROP_UNITS), 36);
  entry.writeUInt32LE(source.width, 40);
  entry.writeUInt32LE(source.height, 44);
  payload.copy(entry, HEADER);
  entry.writeUInt32LE(crc32(entry.subarray(12)), 8);
  return entry;
}

/** The payload of an entry that checks out (magic, CRC, codec), else null. */
function checkedEntry(entry: Buffer, codec: number): Buffer | null {
  if (entry.length < HEADER || !entry.subarray(0, 8).equals(MAGIC)) return null;
  if (entry.readUInt32LE(8) !== crc32(entry.subarray(12))) return null;
  return entry.readUInt32LE(32) === codec ? entry.subarray(HEADER) : null;
}

async function encodeEntry(cell: StoredCell): Promise<Buffer> {
  return entryOf(CODEC_LZ4, cell.width, cell.height, cell.dx, cell.dy, cell.crop, cell.source, cell.data.length, await compress(cell.data));
}

/** A cell entry's pixels (decompressed on this thread: handing LZ4 a task on the pool copies the input first, which cost more than decompressing ~100 kB). */
function decodeEntry(entry: Buffer): StoredCell | null {
  const packed = checkedEntry(entry, CODEC_LZ4);
  if (!packed) return null;
  const width = entry.readUInt32LE(12);
  const height = entry.readUInt32LE(16);
  const length = entry.readUInt32LE(28);
  if (length !== width * height * 3) return null;
  let data: Buffer;
  try {
    data = uncompressSync(packed);
  } catch {
    return null;
  }
  if (data.length !== length) return null;
  return {
    data,
    width,
    height,
    dx: entry.readInt32LE(20),
    dy: entry.readInt32LE(24),
    crop: entry.readUInt32LE(36) / CROP_UNITS,
    source: { width: entry.readUInt32LE(40), height: entry.readUInt32LE(44) },
  };
}
