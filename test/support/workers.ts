/** `collage worker` child processes for queue tests: started, watched (stderr), stopped. */
import { spawn, type ChildProcess } from 'node:child_process';
import { CLI, ROOT } from './cli.js';

export interface WorkerProcess {
  child: ChildProcess;
  /** Everything written to stderr so far. */
  readonly log: string;
  /** Resolves when stderr matches. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Resolves with the exit code (or the signal's name). */
  exited: Promise<number | string>;
}

export async function startWorkerProcess(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [CLI, 'worker', ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  child.stderr!.on('data', (d: Buffer) => {
    log += d.toString();
    for (const w of [...waiters]) if (w.pattern.test(log)) (waiters.splice(waiters.indexOf(w), 1), w.resolve());
  });
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const worker: WorkerProcess = {
    child,
    get log() {
      return log;
    },
    waitFor(pattern, timeoutMs = 20_000) {
      if (pattern.test(log)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`worker stderr never matched ${pattern}:\n${log}`)), timeoutMs);
        waiters.push({ pattern, resolve: () => (clearTimeout(timer), resolve()) });
        void exited.then((code) => reject(new Error(`worker exited (${code}) before ${pattern}:\n${log}`)));
      });
    },
    exited,
  };
  await worker.waitFor(/on queue/);
  return worker;
}

/** SIGTERM and wait (the graceful path); SIGKILL if it takes too long. */
export async function stopWorker(worker: WorkerProcess, timeoutMs = 20_000): Promise<number | string> {
  if (worker.child.exitCode !== null || worker.child.signalCode !== null) return worker.exited;
  worker.child.kill('SIGTERM');
  const timer = setTimeout(() => worker.child.kill('SIGKILL'), timeoutMs);
  try {
    return await worker.exited;
  } finally {
    clearTimeout(timer);
  }
}
