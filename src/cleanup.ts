/**
 * Temporary files and folders removed however the process ends: normally, on an error, by
 * process.exit(), or by SIGINT/SIGTERM/SIGHUP. A path is registered while it exists and dropped
 * once removed or renamed into place.
 *
 * Not signal-exit: it also traps SIGXFSZ and re-raises it, which kills the process at a file size
 * limit (RLIMIT_FSIZE) where Node's own default (ignore it, the write fails with EFBIG) lets the
 * error be reported and the old output kept.
 */
import { rmSync } from 'node:fs';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const paths = new Set<string>();
let hooked = false;

/**
 * Never throws: it runs in signal and exit handlers, where an error would turn SIGINT into exit 1.
 * A write already on the thread pool can create a file in a folder while it is being removed
 * (ENOTEMPTY); no new one can start while this runs, so trying again a few times clears it.
 */
function removeNow(target: string): void {
  for (let attempt = 0; attempt < 10; attempt++) {
    try {
      rmSync(target, { recursive: true, force: true });
      return;
    } catch {
      // Try again: see above.
    }
  }
}

function removeAll(): void {
  for (const p of paths) removeNow(p);
  paths.clear();
}

function hook(): void {
  hooked = true;
  process.on('exit', removeAll);
  for (const signal of SIGNALS) {
    const onSignal = () => {
      // Another listener (batch's graceful abort, a worker finishing its job) decides what the
      // signal means; the 'exit' handler cleans up when the process does end.
      if (process.listenerCount(signal) > 1) return;
      removeAll();
      // Die by the signal, as without this listener (exit status 128 + n for the caller).
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

/** Removes `target` (a file, or a folder and everything in it) if the process ends first; call the result once it is gone or kept. */
export function removeOnExit(target: string): () => void {
  if (!hooked) hook();
  paths.add(target);
  return () => void paths.delete(target);
}
