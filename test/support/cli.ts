/** Runs the built CLI as a user would: a child process, real argv, exit code, stdout, stderr. */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.join(import.meta.dirname, '..', '..');
/** The command's entry, as `npx collage` runs it. */
export const CLI = path.join(ROOT, 'dist', 'cli', 'bin.cjs');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      {
        cwd: options.cwd ?? ROOT,
        env: { ...process.env, NO_COLOR: '1', ...options.env },
        // Only so a hung child does not outlive its test (vitest.config.ts): never a speed limit.
        timeout: options.timeoutMs ?? 600_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

export interface CliProcess {
  child: ChildProcess;
  /** Everything written to stderr so far. */
  readonly stderr: string;
  /** Resolves when stderr matches `pattern` (a RegExp or a test of all of stderr); rejects if the process exits first. */
  waitForStderr(pattern: RegExp | ((stderr: string) => boolean)): Promise<void>;
  /** The exit: code (null when a signal ended it), signal, and all output. */
  exited: Promise<CliResult & { signal: NodeJS.Signals | null }>;
}

/** Starts the built CLI without waiting for it: for tests that act while it runs (signals, locks). */
export function spawnCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): CliProcess {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: { matches: (stderr: string) => boolean; resolve: () => void }[] = [];
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    for (const w of [...waiters]) if (w.matches(stderr)) waiters.splice(waiters.indexOf(w), 1), w.resolve();
  });
  // 'close', not 'exit': stdout and stderr are read to the end.
  const exited = new Promise<CliResult & { signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code: code ?? -1, signal, stdout, stderr })),
  );
  return {
    child,
    get stderr() {
      return stderr;
    },
    waitForStderr(pattern) {
      const matches = typeof pattern === 'function' ? pattern : (text: string) => pattern.test(text);
      if (matches(stderr)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        waiters.push({ matches, resolve });
        void exited.then((r) => reject(new Error(`exited (${r.signal ?? r.code}) before stderr matched ${pattern}:\n${stderr}`)));
      });
    },
    exited,
  };
}
