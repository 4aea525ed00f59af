/**
 * Failing render jobs on a real Redis queue: missing images end failed at once with their
 * reason (exit 3 from batch --redis, listed by queue status); transient errors are retried
 * with backoff; an invalid manifest is never retried (exit 2); a failed job is retried when
 * enqueued again.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BatchReport } from '../src/batch/index.js';
import type { QueueStatus } from '../src/queue/index.js';
import { runCli } from './support/cli.js';
import { useTempDirs } from './support/files.js';
import { manifestName, startImageServer, writeBatchFolder, type ImageServer } from './support/batch-fixture.js';
import { solidImage } from './support/images.js';
import { watchQueue } from './support/queue-events.js';
import { startRedis, type TestRedis } from './support/redis.js';
import { startServer, type TestServer } from './support/server.js';
import { killWorker, startWorkerProcess, type WorkerProcess } from './support/workers.js';

const tempDir = useTempDirs();
const FAST = ['--retries', '0'];
let redis: TestRedis;
let server: ImageServer;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  [redis, server] = await Promise.all([startRedis(), startImageServer(4)]);
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => killWorker(w)));
});
afterAll(async () => {
  await Promise.all([redis?.stop(), server?.close()]);
});

async function worker(queue: string): Promise<WorkerProcess> {
  const w = await startWorkerProcess(['--redis', redis.url, '--queue', queue, '--no-cache']);
  workers.push(w);
  return w;
}

const status = async (queue: string) => {
  const r = await runCli(['queue', 'status', '--redis', redis.url, '--queue', queue, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as QueueStatus;
};

describe('failing jobs on the queue', () => {
  it('a job whose images all 404 ends failed with the reason, without retries; status and batch report it; exit 3', async () => {
    const dir = await tempDir();
    await writeBatchFolder(dir, server, 2);
    await writeFile(
      path.join(dir, 'm02.json'),
      JSON.stringify({ output: 'out02.png', size: { width: 100, height: 100 }, images: [`${server.url}/gone-1.png`, `${server.url}/gone-2.png`] }),
    );
    const w = await worker('dead');
    const run = await runCli(['batch', '.', '--redis', redis.url, '--queue', 'dead', '--attempts', '3', '--backoff', '0.2', ...FAST], { cwd: dir });
    expect(run.code, run.stderr).toBe(3);
    expect(run.stdout).toMatch(/^failed\s+m02\.json .*2 of 2 images failed.*404.*\(after 1 attempt\)/m);
    expect(run.stdout).toMatch(/3 jobs: 2 built, 0 skipped, 1 failed, 0 invalid/);
    expect(w.log.match(/started m02\.json/g)).toHaveLength(1);

    const s = await status('dead');
    expect(s.counts).toMatchObject({ completed: 2, failed: 1, waiting: 0, active: 0 });
    expect(s.failed).toHaveLength(1);
    expect(s.failed[0]).toMatchObject({ manifest: 'm02.json', attempts: 1, exitCode: 3 });
    expect(s.failed[0]!.reason).toMatch(/gone-1\.png: HTTP 404/);
    const text = await runCli(['queue', 'status', '--redis', redis.url, '--queue', 'dead']);
    expect(text.stdout).toMatch(/0 waiting, 0 active, 0 delayed \(retry backoff\), 2 completed, 1 failed/);
    expect(text.stdout).toMatch(/failed\s+m02\.json\s+after 1 attempt: 2 of 2 images failed.*404/);

    const json = await runCli(['batch', '.', '--redis', redis.url, '--queue', 'dead', '--json', ...FAST], { cwd: dir });
    expect(json.code).toBe(3);
    const report = JSON.parse(json.stdout) as BatchReport;
    // Enqueued again, the failed job is retried (and fails again); the built ones are not redone.
    expect(report.summary).toMatchObject({ total: 3, built: 0, skipped: 2, failed: 1 });
    expect(report.jobs.find((j) => j.manifest === 'm02.json')).toMatchObject({ status: 'failed', exitCode: 3 });
    expect(w.log.match(/started m02\.json/g)).toHaveLength(2);
  });

  it('photos under the resolution threshold with onLowRes fail: failed at once, exit 4, the photo named', async () => {
    const dir = await tempDir();
    // The served photo is 24 px square: 24 dpi in a 1 in cell.
    await writeFile(
      path.join(dir, 'soft.json'),
      JSON.stringify({ output: 'soft.png', size: { width: '1in', height: '1in', dpi: 24 }, preflight: { minDpi: 100, onLowRes: 'fail' }, images: [`${server.url}/img/0.png`] }),
    );
    const w = await worker('lowres');
    const run = await runCli(['batch', '.', '--redis', redis.url, '--queue', 'lowres', '--attempts', '3', '--backoff', '0.2', ...FAST], { cwd: dir });
    expect(run.code, run.stderr).toBe(3);
    expect(run.stdout).toMatch(
      /^failed\s+soft\.json .*1 of 1 photos print under 100 dpi, nothing written: .*\/img\/0\.png prints at 24 dpi in its 1\.0×1\.0 in cell \(minimum 100\)/m,
    );
    expect(w.log.match(/started soft\.json/g)).toHaveLength(1);
    const s = await status('lowres');
    expect(s.failed[0]).toMatchObject({ manifest: 'soft.json', attempts: 1, exitCode: 4 });
  });

  it('a transient failure (503) is retried with backoff and then completes; one that keeps failing ends failed', async () => {
    const dir = await tempDir();
    const png = await solidImage([200, 40, 40], 24, 24, 'png');
    let calls = 0;
    const flaky: TestServer = await startServer((req, res) => {
      if (req.url === '/down.png') return void res.writeHead(503).end('down');
      calls++;
      if (calls <= 2) return void res.writeHead(503).end('busy');
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': png.length }).end(png);
    });
    try {
      await writeFile(path.join(dir, 'm00.json'), JSON.stringify({ output: 'out00.png', size: { width: 100, height: 100 }, images: [`${flaky.url}/a.png`] }));
      const w = await worker('flaky');
      const t = Date.now();
      const run = await runCli(['batch', '.', '--redis', redis.url, '--queue', 'flaky', '--attempts', '4', '--backoff', '0.3', '--json', ...FAST], { cwd: dir });
      expect(run.code, run.stderr).toBe(0);
      expect((JSON.parse(run.stdout) as BatchReport).summary).toMatchObject({ built: 1 });
      expect(w.log.match(/started m00\.json/g)).toHaveLength(3);
      expect(w.log).toMatch(/failed m00\.json \(will retry\): 1 of 1 images failed.*503/);
      // Exponential: 0.3 s then 0.6 s between the three tries.
      expect(Date.now() - t).toBeGreaterThanOrEqual(900);
      expect(calls).toBe(3);

      await writeFile(path.join(dir, 'm01.json'), JSON.stringify({ output: 'out01.png', size: { width: 100, height: 100 }, images: [`${flaky.url}/down.png`] }));
      const down = await runCli(['batch', 'm01.json', '--redis', redis.url, '--queue', 'flaky', '--attempts', '2', '--backoff', '0.2', ...FAST], { cwd: dir });
      expect(down.code, down.stderr).toBe(3);
      expect(down.stdout).toMatch(/^failed\s+m01\.json .*503.*\(after 2 attempts\)/m);
      expect(w.log.match(/started m01\.json/g)).toHaveLength(2);
      expect((await status('flaky')).failed).toEqual([expect.objectContaining({ manifest: 'm01.json', attempts: 2, exitCode: 3 })]);
    } finally {
      await flaky.close();
    }
  });

  it('an invalid manifest: refused at enqueue (exit 2); broken after enqueue, failed at once without retries', async () => {
    const dir = await tempDir();
    await writeBatchFolder(dir, server, 2, { invalid: 1 });
    const enq = await runCli(['enqueue', '.', '--redis', redis.url, '--queue', 'bad', '--json', ...FAST], { cwd: dir });
    expect(enq.code).toBe(2);
    const result = JSON.parse(enq.stdout) as { jobs: { id: string; manifest: string; state: string }[]; invalid: { manifest: string; reason: string }[] };
    expect(result.jobs).toEqual([expect.objectContaining({ manifest: manifestName(0), state: 'added' })]);
    expect(result.invalid).toEqual([expect.objectContaining({ manifest: manifestName(1), reason: expect.stringMatching(/invalid manifest: colums/) })]);

    // Broken after it was enqueued (no worker yet): the worker fails it once, UnrecoverableError.
    await writeFile(
      path.join(dir, manifestName(0)),
      JSON.stringify({ output: 'out00.png', size: { width: 100, height: 100 }, images: [], layout: { type: 'grid', columns: 2 }, colour: 1 }),
    );
    const w = await worker('bad');
    const run = await runCli(['batch', manifestName(0), '--redis', redis.url, '--queue', 'bad', ...FAST], { cwd: dir });
    // The file changed, so batch enqueues a new job for the new bytes and refuses it itself.
    expect(run.code).toBe(2);
    const watch = await watchQueue(redis, 'bad');
    try {
      expect(await watch.settled(result.jobs[0]!.id)).toBe('failed');
    } finally {
      await watch.close();
    }
    expect((await status('bad')).counts.failed).toBe(1);
    const failed = (await status('bad')).failed[0]!;
    expect(failed).toMatchObject({ manifest: manifestName(0), attempts: 1, exitCode: 2 });
    expect(failed.reason).toMatch(/invalid manifest/);
    expect(w.log.match(/started m00\.json/g)).toHaveLength(1);
    expect((await status('bad')).counts.completed).toBe(0);
  });
});
