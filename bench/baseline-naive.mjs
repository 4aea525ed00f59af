// Naive canvas baseline: loadImage() every full-size photo and drawImage() it (cover crop)
// straight onto the poster canvas, then canvas.encode(). What a first attempt looks like.
import { writeFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { coverCrop, createTimings, forEachImage, readJob, report } from './baseline-common.mjs';

const job = readJob();
const timings = createTimings();
const canvas = createCanvas(job.width, job.height);
const ctx = canvas.getContext('2d');
ctx.fillStyle = `rgb(${job.background.r}, ${job.background.g}, ${job.background.b})`;
ctx.fillRect(0, 0, job.width, job.height);
ctx.imageSmoothingEnabled = true;
ctx.imageSmoothingQuality = 'high';

await forEachImage(job, timings, async (bytes, box) => {
  let t = performance.now();
  const image = await loadImage(bytes);
  timings.decode += performance.now() - t;
  t = performance.now();
  const crop = coverCrop(image.width, image.height, box.width, box.height);
  ctx.drawImage(image, crop.x, crop.y, crop.width, crop.height, box.x, box.y, box.width, box.height);
  timings.draw += performance.now() - t;
});

let t = performance.now();
const encoded = job.format === 'png' ? await canvas.encode('png') : await canvas.encode('jpeg', job.quality);
timings.encode = performance.now() - t;
t = performance.now();
await writeFile(job.output, encoded);
timings.write = performance.now() - t;
report(timings, encoded.length);
