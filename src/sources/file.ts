/**
 * Local files (paths relative to the manifest, and file: URLs). Only regular files, at most
 * `maxBytes`, and exactly the size stat() gave: a manifest naming /dev/zero, a FIFO or a socket
 * fails at once instead of reading without end or waiting forever for a writer.
 */
import { constants } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
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
  let handle: FileHandle | undefined;
  try {
    // Checked before opening: opening a FIFO for reading blocks (a libuv thread) until a writer comes.
    refuseIrregular(await stat(file), src);
    // Non-blocking, so a FIFO swapped in after the check cannot block the open either (no effect on regular files).
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
    const info = await handle.stat();
    refuseIrregular(info, src);
    if (info.size > maxBytes) throw new ImageError(src, `too large: ${formatBytes(info.size)} exceeds the ${formatBytes(maxBytes)} limit`, { code: 'E_TOO_LARGE' });
    // Exactly the size stat() gave: a file that grows while read is cut there, not followed.
    const bytes = info.size === 0 ? Buffer.alloc(0) : await readWhole(handle, pool ? pool.take(info.size) : Buffer.allocUnsafe(info.size), pool);
    return { bytes, size: info.size, mtimeMs: info.mtimeMs };
  } catch (error) {
    if (error instanceof ImageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a folder, not an image file' : (error as Error).message;
    throw new ImageError(src, reason, { code: 'E_FILE', cause: error });
  } finally {
    await handle?.close();
  }
}

function refuseIrregular(
  info: { isFile(): boolean; isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean },
  src: string,
): void {
  if (info.isFile()) return;
  const kind = info.isDirectory()
    ? 'a folder'
    : info.isFIFO()
      ? 'a named pipe (FIFO)'
      : info.isSocket()
        ? 'a socket'
        : info.isCharacterDevice() || info.isBlockDevice()
          ? 'a device'
          : 'a special file';
  throw new ImageError(src, `is ${kind}, not an image file`, { code: 'E_FILE' });
}

async function readWhole(handle: FileHandle, target: Buffer, pool?: BufferPool): Promise<Buffer> {
  try {
    let at = 0;
    while (at < target.length) {
      const { bytesRead } = await handle.read(target, at, target.length - at, at);
      if (bytesRead === 0) throw new Error(`file shrank while reading (${at} of ${target.length} bytes)`);
      at += bytesRead;
    }
    return target;
  } catch (error) {
    pool?.give(target);
    throw error;
  }
}
