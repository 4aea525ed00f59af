/** Atomic output: a temp file in the same folder, renamed into place; removed on failure or signal. */
import { access, constants, stat } from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { CollageError, ExitCode } from '../errors.js';

/**
 * Fails fast, before any download, when the output cannot be written: its folder is missing
 * or not writable, or the output path is a folder. The atomic write still reports anything
 * that changes in between.
 */
export async function checkOutputWritable(file: string): Promise<void> {
  try {
    await access(path.dirname(file), constants.W_OK | constants.X_OK);
    if ((await stat(file).catch(() => null))?.isDirectory()) throw Object.assign(new Error('is a folder'), { code: 'EISDIR' });
  } catch (error) {
    throw writeError(file, error);
  }
}

export async function writeOutput(file: string, bytes: Buffer): Promise<void> {
  try {
    await writeFileAtomic(file, bytes);
  } catch (error) {
    throw writeError(file, error);
  }
}

function writeError(file: string, error: unknown): CollageError {
  const code = (error as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT'
      ? 'the folder does not exist'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'ENOSPC'
          ? 'no space left on the device'
          : code === 'EISDIR'
            ? 'it is a folder'
            : (error as Error).message;
  return new CollageError(`cannot write ${file}: ${why}`, ExitCode.unexpected, { cause: error });
}
