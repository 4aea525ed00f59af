/**
 * Stage 5, render: the poster is one packed 8-bit RGB buffer, and each photo's pixels are
 * copied into its box row by row.
 *
 * Why not a canvas: a poster-size Skia surface is RGBA (311 MB at 36×24 in, 300 dpi),
 * reading it back for the encoder costs another full copy, and drawing photos onto it
 * keeps each one alive (Skia records draws lazily). A buffer is 3/4 of the size, the
 * encoder reads it in place, and nothing outlives its copy. Canvas still draws what needs
 * drawing (shapes, text), on cell-sized surfaces, through `readRegion`/`writeRegion`.
 */
import { Worker } from 'node:worker_threads';
import type { Bitmap } from '../decode/index.js';
import type { Rgba } from '../manifest/index.js';
import type { Box } from '../layout/index.js';

export interface Poster {
  width: number;
  height: number;
  /** The paper colour (opaque). */
  background: Rgba;
  /** width × height × 3 bytes, rows top to bottom. */
  pixels: Buffer;
  /** Resolves once the background is painted: nothing may write `pixels` before. */
  ready: Promise<void>;
}

/**
 * Posters at least this large (bytes) get their background painted by a worker thread. Painting
 * is mostly the kernel mapping fresh pages (~0.65 s for 36×24 in at 300 dpi on the bench VM), and
 * on the main thread it held up every download of the job behind it.
 */
const WORKER_PAINT_BYTES = 16 * 1024 * 1024;

/** Print output has no alpha: a translucent background is flattened onto white paper. */
export function opaque(color: Rgba): Rgba {
  const blend = (channel: number) => Math.round(channel * color.a + 255 * (1 - color.a));
  return { r: blend(color.r), g: blend(color.g), b: blend(color.b), a: 1 };
}

export function createPoster(width: number, height: number, background: Rgba): Poster {
  const paper = opaque(background);
  const bytes = width * height * 3;
  if (bytes < WORKER_PAINT_BYTES) {
    const poster: Poster = { width, height, background: paper, pixels: Buffer.allocUnsafe(bytes), ready: Promise.resolve() };
    fillBox(poster, { x: 0, y: 0, width, height }, paper);
    return poster;
  }
  const shared = new SharedArrayBuffer(bytes);
  const ready = paintInWorker(shared, width, paper);
  // Awaited by every writer; a job that ends before any write must not see it as unhandled.
  ready.catch(() => {});
  return { width, height, background: paper, pixels: Buffer.from(shared), ready };
}

/** The worker's whole program: one row of the colour, copied down the buffer. */
const PAINT_WORKER = `
const { workerData } = require('node:worker_threads');
const { shared, width, r, g, b } = workerData;
const pixels = Buffer.from(shared);
const row = Buffer.allocUnsafe(width * 3);
for (let i = 0; i < row.length; i += 3) { row[i] = r; row[i + 1] = g; row[i + 2] = b; }
for (let at = 0; at < pixels.length; at += row.length) row.copy(pixels, at);
`;

function paintInWorker(shared: SharedArrayBuffer, width: number, color: Rgba): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(PAINT_WORKER, { eval: true, workerData: { shared, width, r: color.r, g: color.g, b: color.b } });
    worker.once('error', reject);
    worker.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`the background painter exited with code ${code}`))));
  });
}

/** Fills `box` (clipped to the poster) with an opaque colour. */
export function fillBox(poster: Poster, box: Box, color: Rgba): void {
  const clip = clipBox(poster, box);
  if (!clip) return;
  const row = Buffer.allocUnsafe(clip.width * 3);
  for (let i = 0; i < row.length; i += 3) {
    row[i] = color.r;
    row[i + 1] = color.g;
    row[i + 2] = color.b;
  }
  for (let y = clip.y; y < clip.y + clip.height; y++) row.copy(poster.pixels, (y * poster.width + clip.x) * 3);
}

/** Copies an RGB bitmap onto the poster at (x, y), clipped to the poster. */
export function drawBitmap(poster: Poster, bitmap: Bitmap, x: number, y: number): void {
  const clip = clipBox(poster, { x, y, width: bitmap.width, height: bitmap.height });
  if (!clip) return;
  const source = bitmap.data;
  for (let row = 0; row < clip.height; row++) {
    const from = ((clip.y - y + row) * bitmap.width + (clip.x - x)) * 3;
    source.copy(poster.pixels, ((clip.y + row) * poster.width + clip.x) * 3, from, from + clip.width * 3);
  }
}

/** The region as RGBA (alpha 255), for drawing on a cell-sized canvas. */
export function readRegion(poster: Poster, box: Box): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(box.width * box.height * 4);
  for (let row = 0; row < box.height; row++) {
    let from = ((box.y + row) * poster.width + box.x) * 3;
    let to = row * box.width * 4;
    for (let col = 0; col < box.width; col++) {
      rgba[to++] = poster.pixels[from++]!;
      rgba[to++] = poster.pixels[from++]!;
      rgba[to++] = poster.pixels[from++]!;
      rgba[to++] = 255;
    }
  }
  return rgba;
}

/** Writes RGBA pixels (alpha ignored: callers draw over what `readRegion` gave them) into `box`. */
export function writeRegion(poster: Poster, rgba: Uint8ClampedArray, box: Box): void {
  for (let row = 0; row < box.height; row++) {
    let from = row * box.width * 4;
    let to = ((box.y + row) * poster.width + box.x) * 3;
    for (let col = 0; col < box.width; col++) {
      poster.pixels[to++] = rgba[from++]!;
      poster.pixels[to++] = rgba[from++]!;
      poster.pixels[to++] = rgba[from++]!;
      from++;
    }
  }
}

/** A bitmap as RGBA (alpha 255), for a canvas. */
export function rgba(bitmap: Bitmap): Uint8ClampedArray {
  const out = new Uint8ClampedArray(bitmap.width * bitmap.height * 4);
  for (let from = 0, to = 0; from < bitmap.data.length; from += 3, to += 4) {
    out[to] = bitmap.data[from]!;
    out[to + 1] = bitmap.data[from + 1]!;
    out[to + 2] = bitmap.data[from + 2]!;
    out[to + 3] = 255;
  }
  return out;
}

/** The poster's packed RGB pixels, for the encoder (no copy). */
export function posterPixels(poster: Poster): Buffer {
  return poster.pixels;
}

function clipBox(poster: Poster, box: Box): Box | null {
  const x = Math.max(0, box.x);
  const y = Math.max(0, box.y);
  const right = Math.min(poster.width, box.x + box.width);
  const bottom = Math.min(poster.height, box.y + box.height);
  return right > x && bottom > y ? { x, y, width: right - x, height: bottom - y } : null;
}
