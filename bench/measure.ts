/**
 * Runs one measured child process: wall time from here, CPU time and peak RSS from the child's
 * own getrusage() (written on exit by bench/rusage.mjs, loaded with --import), and VmHWM from
 * /proc/<pid>/status polled as a cross-check in case the child dies without running exit hooks.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const RUSAGE_HOOK = pathToFileURL(path.join(import.meta.dirname, 'rusage.mjs')).href;

export interface Measurement {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  wallS: number;
  /** user + system, all threads; null when the child died before its exit hook. */
  cpuS: number | null;
  userS: number | null;
  systemS: number | null;
  /** getrusage ru_maxrss of the child. */
  peakRssMB: number | null;
  /** Highest VmHWM seen while polling /proc (lags the true peak by up to one poll). */
  polledHwmMB: number | null;
  stdout: string;
  stderr: string;
}

export async function measure(args: string[], options: { cwd: string; timeoutMs: number; env?: NodeJS.ProcessEnv }): Promise<Measurement> {
  const rusageFile = path.join(os.tmpdir(), `collage-bench-rusage-${process.pid}-${Date.now()}.json`);
  rmSync(rusageFile, { force: true });
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', RUSAGE_HOOK, ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env, BENCH_RUSAGE_FILE: rusageFile, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  let polledKiB = 0;
  const poll = setInterval(() => {
    try {
      const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (match) polledKiB = Math.max(polledKiB, Number(match[1]));
    } catch {
      // gone already, or no /proc
    }
  }, 100);
  const timeout = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  const wallS = (performance.now() - started) / 1000;
  clearInterval(poll);
  clearTimeout(timeout);
  let usage: { userMicros: number; systemMicros: number; maxRssKiB: number } | null = null;
  if (existsSync(rusageFile)) {
    usage = JSON.parse(readFileSync(rusageFile, 'utf8'));
    rmSync(rusageFile, { force: true });
  }
  return {
    exitCode: code,
    signal,
    wallS,
    cpuS: usage ? (usage.userMicros + usage.systemMicros) / 1e6 : null,
    userS: usage ? usage.userMicros / 1e6 : null,
    systemS: usage ? usage.systemMicros / 1e6 : null,
    peakRssMB: usage ? usage.maxRssKiB / 1024 : null,
    polledHwmMB: polledKiB > 0 ? polledKiB / 1024 : null,
    stdout,
    stderr,
  };
}
