/**
 * `npx tsx bench/queue.ts`: posters per minute on a Redis queue with 1, 2 and 4 `collage worker`
 * processes, beside a local `collage batch --jobs N` of the same set. A redis-server child
 * process on a free port, images over loopback HTTP with latency; every run renders every poster
 * (fresh queue name / --force, no download cache). Worker start-up is not timed (workers are
 * long-lived), nor is one untimed warm-up batch; the queue figure includes enqueueing and waiting (`batch --redis`).
 *
 *   --posters N   manifests (default 24)
 *   --photos N    photos per poster (default 16)
 *   --dpi N       8×8 in posters at this resolution (default 300 → 2400×2400 px)
 *   --latency MS  per image response (default 20)
 *   --workers L   worker process counts, comma-separated (default 1,2,4)
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { startRedis } from '../test/support/redis.js';
import { startServer } from '../test/support/server.js';
import { startWorkerProcess, stopWorker } from '../test/support/workers.js';

const ROOT = path.join(import.meta.dirname, '..');
const CLI = path.join(ROOT, 'dist', 'cli', 'bin.cjs');
const { values } = parseArgs({
  options: {
    posters: { type: 'string', default: '24' },
    photos: { type: 'string', default: '16' },
    dpi: { type: 'string', default: '300' },
    latency: { type: 'string', default: '20' },
    workers: { type: 'string', default: '1,2,4' },
  },
});
const posters = Number(values.posters);
const photos = Number(values.photos);
const counts = values.workers.split(',').map(Number);

function cli(args: string[], cwd: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code: code ?? 1, stderr }));
  });
}

async function main(): Promise<void> {
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  const work = mkdtempSync(path.join(os.tmpdir(), 'collage-bench-queue-'));
  const redis = await startRedis();
  const images = new Map<string, Buffer>();
  for (let i = 0; i < posters * photos; i++) {
    const hue = (i * 37) % 255;
    const raw = Buffer.alloc(480 * 360 * 3);
    for (let p = 0; p < raw.length; p += 3) {
      const x = (p / 3) % 480;
      raw[p] = hue;
      raw[p + 1] = (x * 255) / 480;
      raw[p + 2] = ((p / 3 / 480) * 255) / 360;
    }
    images.set(
      `/${i}.jpg`,
      await sharp(raw, { raw: { width: 480, height: 360, channels: 3 } })
        .jpeg({ quality: 85 })
        .toBuffer(),
    );
  }
  const latency = Number(values.latency);
  const server = await startServer(async (req, res) => {
    await new Promise((r) => setTimeout(r, latency));
    const body = images.get(req.url ?? '');
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': body.length }).end(body);
  });
  const dir = path.join(work, 'orders');
  mkdirSync(dir);
  for (let m = 0; m < posters; m++) {
    const manifest = {
      output: `poster-${m}.jpg`,
      size: { width: '8in', height: '8in', dpi: Number(values.dpi) },
      layout: { type: 'grid', columns: Math.ceil(Math.sqrt(photos)) },
      gap: '2mm',
      images: Array.from({ length: photos }, (_, i) => `${server.url}/${m * photos + i}.jpg`),
    };
    writeFileSync(path.join(dir, `order-${m}.json`), JSON.stringify(manifest));
  }

  const rows: { mode: string; processes: number; seconds: number }[] = [];
  const perMinute = (s: number) => ((posters / s) * 60).toFixed(1);
  const print = (r: (typeof rows)[number]) =>
    console.log(`${r.mode.padEnd(26)} ${String(r.processes).padStart(3)}   ${r.seconds.toFixed(2).padStart(7)} s   ${perMinute(r.seconds).padStart(7)} posters/min`);
  console.log(`${posters} posters, ${photos} photos each, 8×8 in at ${values.dpi} dpi, ${latency} ms image latency, ${os.cpus().length} cores, Node ${process.version}`);
  console.log(`${'mode'.padEnd(26)} ${'n'.padStart(3)}   ${'wall'.padStart(9)}   ${'throughput'.padStart(19)}`);
  try {
    // Untimed warm-up: page cache, the image server's first responses.
    await cli(['batch', '.', '--jobs', '2', '--force', '--no-cache', '--quiet'], dir);
    for (const n of counts) {
      const t = performance.now();
      const r = await cli(['batch', '.', '--jobs', String(n), '--force', '--no-cache', '--quiet'], dir);
      if (r.code !== 0) throw new Error(`local batch failed (${r.code}): ${r.stderr}`);
      const row = { mode: `local batch --jobs ${n}`, processes: n, seconds: (performance.now() - t) / 1000 };
      rows.push(row);
      print(row);
    }
    for (const n of counts) {
      const queue = `bench-${n}-${Date.now()}`;
      const workers = await Promise.all(Array.from({ length: n }, () => startWorkerProcess(['--redis', redis.url, '--queue', queue, '--no-cache'])));
      try {
        const t = performance.now();
        const r = await cli(['batch', '.', '--redis', redis.url, '--queue', queue, '--quiet'], dir);
        if (r.code !== 0) throw new Error(`batch --redis failed (${r.code}): ${r.stderr}`);
        const row = { mode: `queue, ${n} worker process${n === 1 ? '' : 'es'}`, processes: n, seconds: (performance.now() - t) / 1000 };
        rows.push(row);
        print(row);
      } finally {
        await Promise.all(workers.map((w) => stopWorker(w)));
      }
    }
  } finally {
    await server.close();
    await redis.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
