/** Local files (paths relative to the manifest, and file: URLs). */
import { open, type FileHandle } from 'node:fs/promises';
import type { BufferPool } from '../buffers.js';
import { ImageError } from '../errors.js';
import { formatBytes } from './http.js';

export interface ImageFile {
  bytes: Buffer;
  size: number;
  mtimeMs: number;
}

/** The file's bytes with the size and modified time of the very handle they were read from. */
export async function readImageFile(file: string, src: string, maxBytes: number, pool?: BufferPool): Promise<ImageFile> {
  let handle;
  try {
    handle = await open(file, 'r');
    const stat = await handle.stat();
    if (stat.isDirectory()) throw new ImageError(src, 'is a folder, not an image file');
    if (stat.size > maxBytes) throw new ImageError(src, `too large: ${formatBytes(stat.size)} exceeds the ${formatBytes(maxBytes)} limit`);
    const bytes = pool && stat.size > 0 ? await readWhole(handle, pool.take(stat.size), pool) : await handle.readFile();
    return { bytes, size: stat.size, mtimeMs: stat.mtimeMs };
  } catch (error) {
    if (error instanceof ImageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a folder, not an image file' : (error as Error).message;
    throw new ImageError(src, reason, { cause: error });
  } finally {
    await handle?.close();
  }
}

async function readWhole(handle: FileHandle, target: Buffer, pool: BufferPool): Promise<Buffer> {
  try {
    let at = 0;
    while (at < target.length) {
      const { bytesRead } = await handle.read(target, at, target.length - at, at);
      if (bytesRead === 0) throw new Error(`file shrank while reading (${at} of ${target.length} bytes)`);
      at += bytesRead;
    }
    return target;
  } catch (error) {
    pool.give(target);
    throw error;
  }
}
