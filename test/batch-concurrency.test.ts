/**
 * Overlapping batch runs (cron) and SIGTERM: locks, byte-exact outputs, no temp files, clean
 * re-runs. "A run is mid-job" is made a fact by holding the image server's answers, never by
 * latency: these pass on a machine of any speed.
 */
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../src/index.js';
import type { BatchReport } from '../src/batch/index.js';
import { runCli, spawnCli } from './support/cli.js';
import { useTempDirs } from './support/files.js';
import { manifestName, outputName, startImageServer, strayFiles, writeBatchFolder, type ImageServer } from './support/batch-fixture.js';

const tempDir = useTempDirs();
// No response or download timeout a loaded machine could reach (the longest allowed): the tests
// hold requests as long as they need.
const FAST = ['--retries', '0', '--timeout', '3600', '--download-timeout', '3600'];
let server: ImageServer;
beforeAll(async () => {
  server = await startImageServer(12);
});
afterEach(() => server.release());
afterAll(() => server.close());

describe('two batch runs on one folder', () => {
  it('never build the same job twice (--lock wait) and never corrupt an output', async () => {
    const dir = await tempDir();
    const cacheDir = path.join(await tempDir(), 'cache');
    await writeBatchFolder(dir, server, 12);
    const args = ['batch', '.', '--jobs', '3', '--json', '--log-format', 'json', '--cache-dir', cacheDir, ...FAST];
    // The runs overlap for certain: A's first three downloads are held (it holds their locks)
    // until B has started its first three jobs, which wait on those locks.
    const release = server.hold();
    const seen = server.requests.length;
    const runA = spawnCli(args, { cwd: dir });
    await server.arrived(seen + 3);
    const runB = spawnCli(args, { cwd: dir });
    await runB.waitForStderr((log) => (log.match(/"event":"job-start"/g) ?? []).length >= 3);
    release();
    const [ra, rb] = await Promise.all([runA.exited, runB.exited]);
    expect([ra.code, rb.code], ra.stderr + rb.stderr).toEqual([0, 0]);
    const a = JSON.parse(ra.stdout) as BatchReport;
    const b = JSON.parse(rb.stdout) as BatchReport;
    for (let i = 0; i < 12; i++) {
      const statuses = [a, b].map((r) => r.jobs.find((j) => j.manifest === manifestName(i))!.status).sort();
      expect(statuses, manifestName(i)).toEqual(['built', 'skipped']);
    }
    // B waited on the jobs A was building, and then found them built.
    for (let i = 0; i < 3; i++) expect(a.jobs.find((j) => j.manifest === manifestName(i))!.status, manifestName(i)).toBe('built');
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

  it('--lock skip skips the jobs another run is building', async () => {
    const dir = await tempDir();
    await writeBatchFolder(dir, server, 4);
    // The first run's four downloads are held: it holds all four locks while the second runs.
    const release = server.hold();
    const seen = server.requests.length;
    const slow = runCli(['batch', '.', '--jobs', '4', '--json', ...FAST], { cwd: dir });
    await server.arrived(seen + 4);
    const skip = await runCli(['batch', '.', '--jobs', '4', '--json', '--lock', 'skip', ...FAST], { cwd: dir });
    release();
    expect(skip.code).toBe(0);
    const report = JSON.parse(skip.stdout) as BatchReport;
    expect(report.summary.skipped).toBe(4);
    expect(report.jobs.map((j) => j.reason)).toEqual(Array(4).fill('another run holds the lock on the output (--lock skip)'));
    const first = await slow;
    expect(first.code, first.stderr).toBe(0);
    expect((JSON.parse(first.stdout) as BatchReport).summary.built).toBe(4);
  });
});

describe('SIGTERM during a batch', () => {
  it('stops, leaves no temp file, no lock and no partial output, exits 143; a re-run completes', async () => {
    const dir = await tempDir();
    await writeBatchFolder(dir, server, 8);
    // Both running jobs' downloads are held and never answered before the exit: it must abort
    // them, not wait for them (their timeouts, an hour, are far past the test's).
    server.hold();
    const seen = server.requests.length;
    const batch = spawnCli(['batch', '.', '--jobs', '2', ...FAST], { cwd: dir });
    await server.arrived(seen + 2);
    batch.child.kill('SIGTERM');
    const { code, stderr } = await batch.exited;
    server.release();
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
