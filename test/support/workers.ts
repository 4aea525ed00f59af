/** `collage worker` child processes for queue tests: started, watched (stderr), stopped. */
import { spawn, type ChildProcess } from 'node:child_process';
import { CLI, ROOT } from './cli.js';

export interface WorkerProcess {
  child: ChildProcess;
  /** Everything written to stderr so far. */
  readonly log: string;
  /** Resolves when stderr matches; rejects if the worker exits first. */
  waitFor(pattern: RegExp): Promise<void>;
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
    for (const w of [...waiters]) if (w.pattern.test(log)) waiters.splice(waiters.indexOf(w), 1), w.resolve();
  });
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const worker: WorkerProcess = {
    child,
    get log() {
      return log;
    },
    waitFor(pattern) {
      if (pattern.test(log)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        waiters.push({ pattern, resolve });
        void exited.then((code) => reject(new Error(`worker exited (${code}) before ${pattern}:\n${log}`)));
      });
    },
    exited,
  };
  await worker.waitFor(/on queue/);
  return worker;
}

/** SIGTERM and wait for the exit (the graceful path: the running job finishes first). */
export async function stopWorker(worker: WorkerProcess): Promise<number | string> {
  if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGTERM');
  return worker.exited;
}

/** SIGKILL and wait: cleanup after a test, where how the worker ends proves nothing. */
export async function killWorker(worker: WorkerProcess): Promise<void> {
  if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
  await worker.exited;
}
