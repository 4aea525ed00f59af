/**
 * One lock per output file, across processes (two overlapping cron runs) and within one.
 *
 * proper-lockfile: the lock is a directory made with mkdir (atomic on local and network file
 * systems), its mtime refreshed while held, and taken over once stale (default 10 s), so a
 * run killed with SIGKILL does not block the next one forever. It is removed on normal exit
 * and on signals. Hand-rolling that (O_EXCL files, PID checks that fail across hosts, stale
 * detection) is where lock bugs live; this library is small, widely used and runs on Node 20.
 */
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const LOCK_MODES = ['wait', 'skip'] as const;
export type LockMode = (typeof LOCK_MODES)[number];

export type Release = () => Promise<void>;

/** `.<output>.collage.lock` beside the output (a folder while held). */
export function lockPath(output: string): string {
  return path.join(path.dirname(output), `.${path.basename(output)}.collage.lock`);
}

/**
 * Takes the lock for `output`. With `skip`, null when another run holds it; with `wait`,
 * polls until it is free or `signal` aborts. `onCompromised` is called if the lock is lost
 * while held (e.g. the process was suspended past the stale time).
 */
export async function lockOutput(
  output: string,
  mode: LockMode,
  options: { signal?: AbortSignal; onCompromised?: (error: Error) => void; pollMs?: number } = {},
): Promise<Release | null> {
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      // Loaded here: only batches lock, and `build` should not pay for it at start.
      const { default: lockfile } = await import('proper-lockfile');
      const release = await lockfile.lock(output, {
        realpath: false,
        lockfilePath: lockPath(output),
        stale: 10_000,
        update: 2_000,
        retries: 0,
        onCompromised: options.onCompromised ?? (() => {}),
      });
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        await release().catch(() => {});
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
      if (mode === 'skip') return null;
      await sleep(options.pollMs ?? 100 + Math.random() * 200, undefined, { signal: options.signal });
    }
  }
}
