// sharp baseline: resize every photo to its cell (fit cover, shrink-on-load), then one
// composite onto a created canvas and one encode (JPEG baseline 4:4:4, or PNG level 6).
import { writeFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { createTimings, forEachImage, readJob, report } from './baseline-common.mjs';

const job = readJob();
const timings = createTimings();
/** @type {import('sharp').OverlayOptions[]} */
const overlays = [];

await forEachImage(job, timings, async (bytes, box) => {
  const t = performance.now();
  const { data, info } = await sharp(bytes)
    .rotate()
    .resize(box.width, box.height, { fit: 'cover', position: 'centre', kernel: 'lanczos3' })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  timings.decode += performance.now() - t;
  overlays.push({ input: data, raw: { width: info.width, height: info.height, channels: info.channels }, left: box.x, top: box.y });
});

// Composite and encode are one libvips pipeline; its time is reported as `encode`.
let t = performance.now();
const page = sharp({
  create: { width: job.width, height: job.height, channels: 3, background: job.background },
  limitInputPixels: false,
})
  .composite(overlays)
  .withIccProfile('srgb');
// composite() always yields RGBA: JPEG drops the alpha itself, but PNG needs a second pass
// (via raw pixels) to come out RGB like collage's.
const encoded =
  job.format === 'png'
    ? await sharp(await page.raw().toBuffer(), { raw: { width: job.width, height: job.height, channels: 4 }, limitInputPixels: false })
        .removeAlpha()
        .withIccProfile('srgb')
        .png({ compressionLevel: 6, adaptiveFiltering: false })
        .toBuffer()
    : await page.jpeg({ quality: job.quality, progressive: false, chromaSubsampling: '4:4:4', mozjpeg: false }).toBuffer();
timings.encode = performance.now() - t;
t = performance.now();
await writeFile(job.output, encoded);
timings.write = performance.now() - t;
report(timings, encoded.length);
