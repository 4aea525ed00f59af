/** Local files (paths relative to the manifest, and file: URLs). */
import { open } from 'node:fs/promises';
import { ImageError } from '../errors.js';
import { formatBytes } from './http.js';

export interface ImageFile {
  bytes: Buffer;
  size: number;
  mtimeMs: number;
}

/** The file's bytes with the size and modified time of the very handle they were read from. */
export async function readImageFile(file: string, src: string, maxBytes: number): Promise<ImageFile> {
  let handle;
  try {
    handle = await open(file, 'r');
    const stat = await handle.stat();
    if (stat.isDirectory()) throw new ImageError(src, 'is a folder, not an image file');
    if (stat.size > maxBytes) throw new ImageError(src, `too large: ${formatBytes(stat.size)} exceeds the ${formatBytes(maxBytes)} limit`);
    return { bytes: await handle.readFile(), size: stat.size, mtimeMs: stat.mtimeMs };
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
