/**
 * Atomic output: every byte written to a temp file in the output's folder, flushed to disk
 * (fsync), checked for size, then renamed into place and the folder flushed. A full disk, a file
 * size limit (RLIMIT_FSIZE gives EFBIG: Node ignores SIGXFSZ) or a signal leaves the old output
 * untouched and no temp file. Written by hand: write-file-atomic 7 issues a single fs.write and
 * ignores a short count (a 2 MB tmpfs kept a truncated PNG as "written"), and it writes through
 * symbolic links (it resolves the real path first).
 */
import { randomBytes } from 'node:crypto';
import { access, constants, lstat, open, realpath, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { removeOnExit } from '../cleanup.js';
import { CollageError, ExitCode, ManifestError } from '../errors.js';

export interface OutputPolicy {
  /** Outputs must resolve inside this folder (after symbolic links); null: anywhere. */
  root?: string | null;
  /** Write through an output that is a symbolic link (to its target) instead of refusing it. */
  followSymlinks?: boolean;
}

/**
 * Refuses an output that must not be written (exit 2): one outside the output root (after
 * symbolic links), or one that is a symbolic link, unless links are followed. Returns the path
 * to write: the link's target when links are followed.
 */
export async function confineOutput(file: string, policy: OutputPolicy = {}, manifestFile = '<output>'): Promise<string> {
  const refuse = (message: string) => new ManifestError(manifestFile, [{ path: 'output', message }]);
  let target = file;
  if ((await lstat(file).catch(() => null))?.isSymbolicLink()) {
    if (!policy.followSymlinks) throw refuse(`${file} is a symbolic link; refusing to write through it (--follow-symlinks allows it)`);
    target = await realpath(file).catch(() => file);
  }
  if (policy.root) {
    const root = await realpath(policy.root).catch((error: unknown) => {
      throw new CollageError(`output root ${policy.root}: ${describe(error)}`, ExitCode.usage);
    });
    // The folder's real path: a link anywhere above the output counts where it leads.
    const folder = await realpath(path.dirname(target)).catch(() => path.resolve(path.dirname(target)));
    const inside = path.relative(root, path.join(folder, path.basename(target)));
    if (inside === '' || inside === '..' || inside.startsWith(`..${path.sep}`) || path.isAbsolute(inside)) throw refuse(`${file} is outside the output root ${root}`);
  }
  return target;
}

/**
 * Fails fast, before any download: the output's place (confineOutput, exit 2), then whether
 * it can be written at all (a missing or read-only folder, a folder in the way: exit 1).
 * Returns the path to write.
 */
export async function checkOutput(file: string, policy: OutputPolicy = {}, manifestFile?: string): Promise<string> {
  const target = await confineOutput(file, policy, manifestFile);
  try {
    await access(path.dirname(target), constants.W_OK | constants.X_OK);
    if ((await stat(target).catch(() => null))?.isDirectory()) throw Object.assign(new Error('is a folder'), { code: 'EISDIR' });
  } catch (error) {
    throw writeError(file, error);
  }
  return target;
}

/** Writes `data` to `file` atomically (see above). `file` is replaced, never written through if it is a link. */
export async function writeAtomic(file: string, data: Buffer | string | readonly Buffer[]): Promise<void> {
  const parts = typeof data === 'string' ? [Buffer.from(data)] : Buffer.isBuffer(data) ? [data] : data;
  const length = parts.reduce((sum, part) => sum + part.length, 0);
  const dir = path.dirname(file);
  const temp = path.join(dir, `.${path.basename(file)}.collage-tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  const forget = removeOnExit(temp);
  let handle;
  try {
    const old = await stat(file).catch(() => null);
    handle = await open(temp, 'wx', old?.isFile() ? old.mode & 0o7777 : 0o666);
    await writeAll(handle, parts);
    await handle.sync();
    const written = (await handle.stat()).size;
    if (written !== length) throw new Error(`wrote ${written} of ${length} bytes`);
    await handle.close();
    handle = undefined;
    await rename(temp, file);
    forget();
    await syncFolder(dir);
  } catch (error) {
    await handle?.close().catch(() => {});
    await unlink(temp).catch(() => {});
    forget();
    throw error;
  }
}

/** The output, written atomically; any failure is one line naming the file (exit 1). */
/** Every byte of `parts`, in order, with as few writes as the system allows (writev may write part of them: the rest follows; ENOSPC, EFBIG, EIO throw). */
async function writeAll(handle: FileHandle, parts: readonly Buffer[]): Promise<void> {
  let rest = parts.filter((part) => part.length > 0);
  while (rest.length > 0) {
    // IOV_MAX is 1,024 on Linux: a JPEG of 64 bands is ~140 parts.
    const batch = rest.slice(0, 1024);
    let { bytesWritten } = await handle.writev(batch);
    if (bytesWritten === 0) throw new Error('the file system accepted no bytes');
    let done = 0;
    while (done < batch.length && bytesWritten >= batch[done]!.length) bytesWritten -= batch[done++]!.length;
    rest = [...(done < batch.length ? [batch[done]!.subarray(bytesWritten)] : []), ...batch.slice(done + 1), ...rest.slice(batch.length)];
  }
}

export async function writeOutput(file: string, bytes: Buffer | readonly Buffer[]): Promise<void> {
  try {
    await writeAtomic(file, bytes);
  } catch (error) {
    throw writeError(file, error);
  }
}

/** Makes the rename itself durable; some file systems cannot sync a folder, which is no failure. */
async function syncFolder(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => null);
  if (!handle) return;
  await handle.sync().catch(() => {});
  await handle.close();
}

function describe(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'the folder does not exist';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'EDQUOT':
      return 'disk quota exceeded';
    case 'EFBIG':
      return 'file too large for this process or file system (file size limit)';
    case 'EISDIR':
      return 'it is a folder';
    case 'EROFS':
      return 'read-only file system';
    default:
      return (error as Error).message;
  }
}

function writeError(file: string, error: unknown): CollageError {
  return new CollageError(`cannot write ${file}: ${describe(error)}`, ExitCode.unexpected, { cause: error });
}
