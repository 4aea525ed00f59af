/** Overlapping batch runs (cron) and SIGTERM: locks, byte-exact outputs, no temp files, clean re-runs. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../src/index.js';
import type { BatchReport } from '../src/batch/index.js';
import { CLI, runCli } from './support/cli.js';
import { useTempDirs } from './support/files.js';
import { manifestName, outputName, startImageServer, strayFiles, writeBatchFolder, type ImageServer } from './support/batch-fixture.js';

const tempDir = useTempDirs();
const FAST = ['--retries', '0', '--timeout', '10'];
let server: ImageServer;
beforeAll(async () => {
  server = await startImageServer(12);
});
afterAll(() => server.close());

describe('two batch runs on one folder', () => {
  it('never build the same job twice (--lock wait) and never corrupt an output', { timeout: 120_000 }, async () => {
    const dir = await tempDir();
    const cacheDir = path.join(await tempDir(), 'cache');
    await writeBatchFolder(dir, server, 12);
    server.latencyMs = 60; // jobs last long enough to overlap
    let a: BatchReport;
    let b: BatchReport;
    try {
      const args = ['batch', '.', '--jobs', '3', '--json', '--cache-dir', cacheDir, ...FAST];
      const [ra, rb] = await Promise.all([runCli(args, { cwd: dir }), runCli(args, { cwd: dir })]);
      expect([ra.code, rb.code]).toEqual([0, 0]);
      a = JSON.parse(ra.stdout) as BatchReport;
      b = JSON.parse(rb.stdout) as BatchReport;
    } finally {
      server.latencyMs = 0;
    }
    for (let i = 0; i < 12; i++) {
      const statuses = [a, b].map((r) => r.jobs.find((j) => j.manifest === manifestName(i))!.status).sort();
      expect(statuses, manifestName(i)).toEqual(['built', 'skipped']);
    }
    console.log(`overlapping runs: A built ${a.summary.built}, B built ${b.summary.built}`);

    // Byte-exact against a fresh reference build of each manifest (output is deterministic).
    const refDir = await tempDir();
    for (let i = 0; i < 12; i++) {
      const ref = path.join(refDir, outputName(i));
      await build(path.join(dir, manifestName(i)), { output: ref, fetch: { cacheDir } });
      expect((await readFile(path.join(dir, outputName(i)))).equals(await readFile(ref)), outputName(i)).toBe(true);
    }
    expect(await strayFiles(dir)).toEqual([]);
  });

  it('--lock skip skips the jobs another run is building', { timeout: 60_000 }, async () => {
    const dir = await tempDir();
    await writeBatchFolder(dir, server, 4);
    server.latencyMs = 2500;
    try {
      const slow = runCli(['batch', '.', '--jobs', '4', '--json', ...FAST], { cwd: dir });
      // Wait until the first run is fetching (holds all four locks), then start the second.
      const seen = server.requests.length;
      while (server.requests.length < seen + 4) await new Promise((resolve) => setTimeout(resolve, 10));
      const skip = await runCli(['batch', '.', '--jobs', '4', '--json', '--lock', 'skip', ...FAST], { cwd: dir });
      expect(skip.code).toBe(0);
      const report = JSON.parse(skip.stdout) as BatchReport;
      expect(report.summary.skipped).toBe(4);
      expect(report.jobs.map((j) => j.reason)).toEqual(Array(4).fill('another run holds the lock on the output (--lock skip)'));
      expect((await slow).code).toBe(0);
    } finally {
      server.latencyMs = 0;
    }
  });
});

describe('SIGTERM during a batch', () => {
  it('stops, leaves no temp file, no lock and no partial output, exits 143; a re-run completes', { timeout: 60_000 }, async () => {
    const dir = await tempDir();
    await writeBatchFolder(dir, server, 8);
    server.latencyMs = 3000;
    let code: number | null;
    let stderr = '';
    try {
      const child = spawn(process.execPath, [CLI, 'batch', '.', '--jobs', '2', ...FAST], { cwd: dir, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const seen = server.requests.length;
      while (server.requests.length < seen + 2) await new Promise((resolve) => setTimeout(resolve, 10));
      const t = Date.now();
      child.kill('SIGTERM');
      code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
      console.log(`SIGTERM → exit in ${Date.now() - t} ms`);
      expect(Date.now() - t).toBeLessThan(2500);
    } finally {
      server.latencyMs = 0;
    }
    expect(code).toBe(143);
    expect(stderr).toContain('SIGTERM: starting no more jobs');
    expect(stderr).toMatch(/cancelled m0\d\.json: interrupted; nothing written/);
    const outputs = (await readdir(dir)).filter((f) => f.endsWith('.png'));
    expect(outputs).toEqual([]);
    expect(await strayFiles(dir)).toEqual([]);

    const rerun = await runCli(['batch', '.', '--jobs', '2', '--json', ...FAST], { cwd: dir });
    expect(rerun.code).toBe(0);
    expect((JSON.parse(rerun.stdout) as BatchReport).summary.built).toBe(8);
    expect(existsSync(path.join(dir, outputName(7)))).toBe(true);
    expect(await strayFiles(dir)).toEqual([]);
  });
});
