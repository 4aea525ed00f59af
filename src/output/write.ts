/** Atomic output: a temp file in the same folder, renamed into place; removed on failure or signal. */
import writeFileAtomic from 'write-file-atomic';
import { CollageError, ExitCode } from '../errors.js';

export async function writeOutput(file: string, bytes: Buffer): Promise<void> {
  try {
    await writeFileAtomic(file, bytes);
  } catch (error) {
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
    throw new CollageError(`cannot write ${file}: ${why}`, ExitCode.unexpected, { cause: error });
  }
}
