// Shared by the baselines: the job file, downloads with the same undici settings as collage
// (the job's images in flight and connections per host, request() API), and the timing report.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import pLimit from 'p-limit';
import { Agent, request } from 'undici';

/**
 * @typedef {{ url: string, x: number, y: number, width: number, height: number }} Placement
 * @typedef {{ width: number, height: number, background: { r: number, g: number, b: number },
 *   format: 'jpeg' | 'png', quality: number, output: string, concurrency: number, perHost: number,
 *   placements: Placement[] }} Job
 */

/** @returns {Job} */
export function readJob() {
  const file = process.argv[2];
  if (!file) throw new Error('usage: node baseline-*.mjs <job.json>');
  return JSON.parse(readFileSync(file, 'utf8'));
}

export function createTimings() {
  return { started: performance.now(), images: 0, imagesCpu: 0, fetch: 0, decode: 0, draw: 0, encode: 0, write: 0, total: 0 };
}

/**
 * Runs `perImage(bytes, placement, timings)` for every placement, `concurrency` at a time,
 * downloading each first. Returns when all are done.
 * @param {Job} job
 * @param {ReturnType<typeof createTimings>} timings
 * @param {(bytes: Buffer, placement: Placement) => Promise<void>} perImage
 */
export async function forEachImage(job, timings, perImage) {
  const dispatcher = new Agent({ connections: job.perHost, keepAliveTimeout: 10_000 });
  const limit = pLimit(job.concurrency);
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  try {
    await Promise.all(
      job.placements.map((placement) =>
        limit(async () => {
          const t = performance.now();
          const { statusCode, body } = await request(placement.url, { dispatcher });
          if (statusCode !== 200) throw new Error(`${placement.url}: HTTP ${statusCode}`);
          const bytes = Buffer.from(await body.arrayBuffer());
          timings.fetch += performance.now() - t;
          await perImage(bytes, placement);
        }),
      ),
    );
  } finally {
    await dispatcher.close();
  }
  timings.images = performance.now() - started;
  const cpu = process.cpuUsage(cpuStarted);
  timings.imagesCpu = (cpu.user + cpu.system) / 1000;
}

/** Source rectangle for a centred cover crop (the same arithmetic as collage's coverCrop with focus 0.5). */
export function coverCrop(imageWidth, imageHeight, cellWidth, cellHeight) {
  const cellAspect = cellWidth / cellHeight;
  const imageAspect = imageWidth / imageHeight;
  const width = imageAspect > cellAspect ? imageHeight * cellAspect : imageWidth;
  const height = imageAspect > cellAspect ? imageHeight : imageWidth / cellAspect;
  return { x: (imageWidth - width) / 2, y: (imageHeight - height) / 2, width, height };
}

/** Prints the report on stdout in the shape of collage's `--json` report (the parts the bench reads). */
export function report(timings, bytes) {
  timings.total = performance.now() - timings.started;
  const { started, ...rest } = timings;
  const rounded = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, Math.round(v)]));
  process.stdout.write(`${JSON.stringify({ output: { bytes }, timings: rounded })}\n`);
}
