/**
 * Render jobs on a real Redis queue (a redis-server child process, BullMQ, `collage worker`
 * processes): many jobs on three workers, byte-exact against local builds; enqueuing twice
 * renders once; a worker killed mid-job loses nothing; SIGTERM finishes the running job.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../src/index.js';
import type { BatchReport } from '../src/batch/index.js';
import type { QueueStatus } from '../src/queue/index.js';
import { runCli, spawnCli } from './support/cli.js';
import { useTempDirs } from './support/files.js';
import { manifestName, outputName, startImageServer, strayFiles, writeBatchFolder, type ImageServer } from './support/batch-fixture.js';
import { watchQueue } from './support/queue-events.js';
import { startRedis, type TestRedis } from './support/redis.js';
import { killWorker, startWorkerProcess, stopWorker, type WorkerProcess } from './support/workers.js';

const tempDir = useTempDirs();
// No response or download timeout a loaded machine could reach (the longest allowed): the tests
// hold requests as long as they need.
const FAST = ['--retries', '0', '--timeout', '3600', '--download-timeout', '3600'];
/**
 * A dead worker's job is taken again after ~5 s instead of BullMQ's 30 s. Not shorter: a live
 * worker renews its lock every half of it, and on a busy machine a 1 s lock can lapse mid-job.
 */
const QUICK_STALL = ['--lock-duration', '5', '--stalled-interval', '1'];
let redis: TestRedis;
let server: ImageServer;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  [redis, server] = await Promise.all([startRedis(), startImageServer(12)]);
});
afterEach(async () => {
  server.release();
  await Promise.all(workers.splice(0).map((w) => killWorker(w)));
});
afterAll(async () => {
  await Promise.all([redis?.stop(), server?.close()]);
});

async function worker(queue: string, extra: string[] = []): Promise<WorkerProcess> {
  const cacheDir = path.join(await tempDir(), 'cache');
  const w = await startWorkerProcess(['--redis', redis.url, '--queue', queue, '--cache-dir', cacheDir, ...extra]);
  workers.push(w);
  return w;
}

async function expectSameAsLocalBuild(dir: string, count: number): Promise<void> {
  const refDir = await tempDir();
  for (let i = 0; i < count; i++) {
    const ref = path.join(refDir, outputName(i));
    await build(path.join(dir, manifestName(i)), { output: ref, fetch: { cacheDir: null } });
    expect((await readFile(path.join(dir, outputName(i)))).equals(await readFile(ref)), outputName(i)).toBe(true);
  }
}

describe('collage worker + batch --redis', () => {
  it('12 jobs on 3 workers: all built, byte-identical to local builds; enqueuing again renders nothing', async () => {
    const dir = await tempDir();
    await writeBatchFolder(dir, server, 12);
    const ws = await Promise.all([worker('many'), worker('many'), worker('many')]);

    // Downloads held until three are in flight: each worker runs one job at a time and each job
    // fetches one URL, so all three workers have taken a job.
    const release = server.hold();
    const seen = server.requests.length;
    const running = runCli(['batch', '.', '--redis', redis.url, '--queue', 'many', '--json', ...FAST], { cwd: dir });
    await server.arrived(seen + 3);
    release();
    const run = await running;
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as BatchReport;
    expect(report.summary).toMatchObject({ total: 12, built: 12, failed: 0, invalid: 0 });
    expect(report.concurrency).toBeGreaterThanOrEqual(3);
    // The job's return value is the build report (`collage build --json`).
    const queue = new Queue('many', { connection: { host: '127.0.0.1', port: redis.port } });
    try {
      const job0 = report.jobs.find((j) => j.manifest === manifestName(0))!;
      const id = /job ([0-9a-f]+)/.exec(job0.reason)![1]!;
      const job = await queue.getJob(id);
      expect(job!.returnvalue).toMatchObject({ output: { path: path.join(dir, outputName(0)), width: 100, height: 100, dpi: 50 }, images: { total: 2, failed: [] } });
      // With the preflight: the fixture's 24 and 16 px photos cover 1×2 in cells at 12 and 8 dpi.
      expect(job!.returnvalue.images).toMatchObject({
        lowResolution: [
          { index: 0, dpi: 12 },
          { index: 1, dpi: 8 },
        ],
        resolution: { minDpi: 150, min: 8 },
      });
      expect(job!.progress).toMatchObject({ stage: 'written', percent: 100 });
    } finally {
      await queue.close();
    }
    const perWorker = ws.map((w) => (w.log.match(/^collage: built /gm) ?? []).length);
    console.log(`jobs per worker: ${perWorker.join(', ')}`);
    expect(perWorker.reduce((a, b) => a + b, 0)).toBe(12);
    expect(perWorker.filter((n) => n > 0).length).toBe(3);
    await expectSameAsLocalBuild(dir, 12);
    expect(await strayFiles(dir)).toEqual([]);

    // Same bytes, same options: the same job ids, nothing rendered again.
    const again = await runCli(['enqueue', '.', '--redis', redis.url, '--queue', 'many', '--json', ...FAST], { cwd: dir });
    expect(again.code, again.stderr).toBe(0);
    const enqueued = JSON.parse(again.stdout) as { jobs: { state: string }[] };
    expect(enqueued.jobs.map((j) => j.state)).toEqual(Array(12).fill('done'));
    const rerun = await runCli(['batch', '.', '--redis', redis.url, '--queue', 'many', '--json', ...FAST], { cwd: dir });
    expect(rerun.code, rerun.stderr).toBe(0);
    expect((JSON.parse(rerun.stdout) as BatchReport).summary).toMatchObject({ total: 12, built: 0, skipped: 12 });
    expect(ws.map((w) => (w.log.match(/^collage: built /gm) ?? []).length)).toEqual(perWorker);
    const forced = await runCli(['batch', manifestName(1), '--redis', redis.url, '--queue', 'many', '--force', '--json', ...FAST], { cwd: dir });
    expect((JSON.parse(forced.stdout) as BatchReport).summary).toMatchObject({ total: 1, built: 1 });

    // A changed manifest is a new job.
    const m0 = path.join(dir, manifestName(0));
    await writeFile(m0, (await readFile(m0, 'utf8')).replace('"columns": 2', '"columns": 1'));
    const changed = await runCli(['batch', '.', '--redis', redis.url, '--queue', 'many', '--json', ...FAST], { cwd: dir });
    expect((JSON.parse(changed.stdout) as BatchReport).summary).toMatchObject({ built: 1, skipped: 11 });
    expect(ws.map((w) => (w.log.match(/^collage: built /gm) ?? []).length).reduce((a, b) => a + b, 0)).toBe(14);

    for (const w of ws) expect(await stopWorker(w)).toBe(0);
  });

  it('a worker SIGKILLed mid-job: another worker completes the job, nothing partial is left', async () => {
    const dir = await tempDir();
    await writeBatchFolder(dir, server, 1);
    const first = await worker('kill', QUICK_STALL);
    // The job's download is held: the worker is killed in it, whatever the machine's speed.
    const release = server.hold();
    const seen = server.requests.length;
    const enq = await runCli(['enqueue', '.', '--redis', redis.url, '--queue', 'kill', ...FAST], { cwd: dir });
    expect(enq.code, enq.stderr).toBe(0);
    await first.waitFor(/started m00\.json/);
    await server.arrived(seen + 1);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    expect(first.log).not.toMatch(/built m00/);

    const second = await worker('kill', QUICK_STALL);
    // batch --redis finds the same job (same id), still unfinished (downloads are still held), and
    // waits for it rather than adding another; then the second worker may finish it.
    const batch = spawnCli(['batch', '.', '--redis', redis.url, '--queue', 'kill', '--json', '--log-format', 'json', ...FAST], { cwd: dir });
    await batch.waitForStderr(/"event":"job-start"/);
    release();
    const run = await batch.exited;
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as BatchReport;
    expect(report.jobs[0]).toMatchObject({ manifest: manifestName(0), status: 'built' });
    expect(second.log).toMatch(/built m00\.json/);
    await expectSameAsLocalBuild(dir, 1);
    expect(await strayFiles(dir)).toEqual([]);
  });

  it('SIGTERM: the running job finishes, no new one is taken, exit 0', async () => {
    const dir = await tempDir();
    await writeBatchFolder(dir, server, 2);
    const w = await worker('term');
    const watch = await watchQueue(redis, 'term');
    // The first job's download is held until the worker has been told to stop.
    const release = server.hold();
    const seen = server.requests.length;
    try {
      const enq = await runCli(['enqueue', '.', '--redis', redis.url, '--queue', 'term', ...FAST], { cwd: dir });
      expect(enq.code, enq.stderr).toBe(0);
      await w.waitFor(/started m0\d\.json/);
      await Promise.all([server.arrived(seen + 1), watch.progress()]);
    } finally {
      await watch.close();
    }
    // While it downloads, the job's progress shows where it is and on which worker.
    const active = await runCli(['queue', 'status', '--redis', redis.url, '--queue', 'term', '--json']);
    expect((JSON.parse(active.stdout) as QueueStatus).active).toEqual([
      expect.objectContaining({ stage: expect.stringMatching(/^(start|images)$/), worker: expect.stringMatching(/:\d+$/) }),
    ]);
    w.child.kill('SIGTERM');
    await w.waitFor(/SIGTERM: finishing the running job/);
    release();
    expect(await w.exited).toBe(0);
    expect((w.log.match(/^collage: built /gm) ?? []).length).toBe(1);
    expect(w.log).toMatch(/worker stopped/);
    const status = await runCli(['queue', 'status', '--redis', redis.url, '--queue', 'term', '--json']);
    expect((JSON.parse(status.stdout) as QueueStatus).counts).toMatchObject({ completed: 1, waiting: 1, active: 0 });
    expect(await strayFiles(dir)).toEqual([]);
  });
});
