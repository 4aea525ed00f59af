// Decode floor: the work no system can skip. Every photo, already downloaded into memory, is
// decoded to its cell by sharp with the call collage and the sharp baseline both make
// (shrink-on-load, lanczos3, cover), as many at once as collage decodes; no network, no
// poster, no encode. Its "images" time is the floor under every other system's wall time.
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import pLimit from 'p-limit';
import sharp from 'sharp';
import { Agent, request } from 'undici';
import { createTimings, readJob, report } from './baseline-common.mjs';

sharp.cache(false); // as collage's CLI
const job = readJob();
const timings = createTimings();

// Downloads first, all of them (timed as `fetch`, outside the floor).
const dispatcher = new Agent({ connections: job.perHost, keepAliveTimeout: 10_000 });
const downloads = pLimit(job.concurrency);
let t = performance.now();
const photos = await Promise.all(
  job.placements.map((placement) =>
    downloads(async () => {
      const { statusCode, body } = await request(placement.url, { dispatcher });
      if (statusCode !== 200) throw new Error(`${placement.url}: HTTP ${statusCode}`);
      return Buffer.from(await body.arrayBuffer());
    }),
  ),
);
await dispatcher.close();
timings.fetch = performance.now() - t;

// collage's decode slots: twice libuv's pool plus the cores.
const decodes = pLimit(2 * (Number(process.env.UV_THREADPOOL_SIZE) || 4) + os.availableParallelism());
const cpuStarted = process.cpuUsage();
t = performance.now();
await Promise.all(
  job.placements.map((box, i) =>
    decodes(() =>
      sharp(photos[i], { limitInputPixels: false }).autoOrient().resize(box.width, box.height, { fit: 'cover', position: 'centre', kernel: 'lanczos3' }).raw().toBuffer(),
    ),
  ),
);
timings.images = performance.now() - t;
timings.decode = timings.images;
const cpu = process.cpuUsage(cpuStarted);
timings.imagesCpu = (cpu.user + cpu.system) / 1000;
report(timings, 0);
