/**
 * A local photo's hash without reading it: the SHA-256 recorded the last time its bytes were
 * read, trusted while the file is the same file with the same size, modified and changed times
 * (`ctime` moves on every write, and no user can set it back). Like git's index, a record made
 * within 2 s of the file's last change is not trusted (a filesystem with coarse times could hide
 * a same-size rewrite in that second): such a file is read and hashed again, and recorded anew.
 *
 * The photo's header is kept with its hash: a calendar, which needs every photo's date and size
 * before its layout, knows them for such a file without opening it.
 *
 * One index file per folder of photos (a photo-a-day folder is one read per build, not one per
 * photo), rewritten whole and renamed into place when a build learned something new. Two
 * processes writing one folder's index at once may lose each other's new records; a lost record
 * only costs reading and hashing that photo once more.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import path from 'node:path';

/** A record younger than this, relative to the file's last change, is not trusted. */
const RACY_MS = 2000;
const VERSION = 1;

interface SourceRecord {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  /** When the bytes were read (ms since the epoch). */
  read: number;
  sha256: string;
  /** The image header read from those bytes (decode/), so a calendar knows a photo's day and size without reading it. */
  header?: unknown;
}

interface FolderIndex {
  version: number;
  folder: string;
  files: Record<string, SourceRecord>;
}

export interface FileLookup {
  /** The bytes' SHA-256 when the record is trusted, else null. */
  sha256: string | null;
  /** The header recorded with the hash (unchecked: the caller validates its shape), when the record is trusted and has one. */
  header: unknown;
  /** The file's stat now (to record with the hash once its bytes are read); null when it is not a file. */
  stat: Stats | null;
}

export class SourceHashes {
  private readonly folders = new Map<string, Promise<FolderIndex>>();
  /** Per folder, records learned by this process and not yet written. */
  private readonly learned = new Map<string, Map<string, SourceRecord>>();

  /** `racyMs`: how long after a file's last change its record is trusted (tests: 0). */
  constructor(
    readonly dir: string,
    private readonly racyMs = RACY_MS,
  ) {}

  private indexFile(folder: string): string {
    return path.join(this.dir, `${createHash('sha256').update(folder).digest('hex')}.json`);
  }

  private index(folder: string, fresh = false): Promise<FolderIndex> {
    let index = fresh ? undefined : this.folders.get(folder);
    if (!index) {
      index = readFile(this.indexFile(folder), 'utf8')
        .then((text) => {
          const parsed = JSON.parse(text) as FolderIndex;
          return parsed.version === VERSION && parsed.folder === folder && parsed.files && typeof parsed.files === 'object' ? parsed : empty(folder);
        })
        .catch(() => empty(folder));
      this.folders.set(folder, index);
    }
    return index;
  }

  async lookup(file: string): Promise<FileLookup> {
    const [now, index] = await Promise.all([stat(file).catch(() => null), this.index(path.dirname(file))]);
    if (!now?.isFile()) return { sha256: null, stat: null, header: undefined };
    const record = index.files[path.basename(file)];
    const trusted =
      record !== undefined &&
      record.dev === now.dev &&
      record.ino === now.ino &&
      record.size === now.size &&
      record.mtimeMs === now.mtimeMs &&
      record.ctimeMs === now.ctimeMs &&
      record.read - Math.max(now.mtimeMs, now.ctimeMs) > this.racyMs &&
      /^[0-9a-f]{64}$/.test(record.sha256);
    return { sha256: trusted ? record.sha256 : null, stat: now, header: trusted ? record.header : undefined };
  }

  /** Notes `sha256` (and the image `header`) for `file` as `stat` (taken before its bytes were read) saw it; written by `flush()`. */
  record(file: string, stat: Stats, sha256: string, read: number, header?: unknown): void {
    const folder = path.dirname(file);
    let records = this.learned.get(folder);
    if (!records) this.learned.set(folder, (records = new Map()));
    records.set(path.basename(file), {
      dev: stat.dev,
      ino: stat.ino,
      size: stat.size,
      mtimeMs: stat.mtimeMs,
      ctimeMs: stat.ctimeMs,
      read,
      sha256,
      ...(header !== undefined && { header }),
    });
  }

  /** Writes every folder index that learned something (merged with what is on disk now). */
  async flush(): Promise<void> {
    const learned = [...this.learned];
    this.learned.clear();
    await mkdir(this.dir, { recursive: true }).catch(() => {});
    for (const [folder, records] of learned) {
      const index = await this.index(folder, true);
      for (const [name, record] of records) index.files[name] = record;
      const target = this.indexFile(folder);
      const temp = `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
      try {
        await writeFile(temp, JSON.stringify(index));
        await rename(temp, target);
      } catch {
        await unlink(temp).catch(() => {});
      }
    }
  }
}

function empty(folder: string): FolderIndex {
  return { version: VERSION, folder, files: {} };
}
