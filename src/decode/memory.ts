/**
 * Memory one decode needs, from the header alone, so a job can hold decodes back until they fit
 * its budget and refuse, before decoding, a photo that never could: a 1.3 MB progressive JPEG of
 * 110 Mpx needs 653 MB (its DCT coefficients), while a baseline one of the same size shrinks on
 * load in 7 MB. The factors per format are in decode/frame.ts.
 */
import sharp from 'sharp';
import type { CellSampling } from '../layout/index.js';
import type { ImageHeader } from './index.js';

/** libvips' operation state and buffers for one decode, whatever the size (measured 3–17 MB). */
const PER_DECODE_BYTES = 16 * 1024 * 1024;

/**
 * Rows a streaming load keeps in flight: measured ~1,800–2,250 rows of input with one libvips
 * thread (PNG and TIFF of 4,000 to 30,000 px wide); 4 threads kept ~1,100 rows more.
 */
function rowWindow(): number {
  return 1024 * (1 + sharp.concurrency());
}

export interface DecodeTarget {
  sampling: CellSampling;
  /** Bleed `extend`: pixels mirrored around the region (a second, padded copy). */
  pad?: { top: number; right: number; bottom: number; left: number };
  /** A look (border, shadow, caption) draws on cell-sized canvases: their pixels. */
  lookPixels?: number;
}

/**
 * Peak bytes of decoding the photo to `target` (resampled, cropped, oriented, ready to copy).
 * Without a target: the least any decode of it needs (the most shrink-on-load, no output), which
 * is what decides whether it can be decoded at all.
 */
export function estimateDecodeBytes(header: ImageHeader, target?: DecodeTarget): number {
  const { frame } = header;
  const storedPixels = header.width * header.height;
  const shrink = loadShrink(header, target?.sampling);
  const loadedWidth = Math.ceil(header.width / shrink);
  const loadedHeight = Math.ceil(header.height / shrink);
  const rows = Math.min(loadedHeight, Math.max(rowWindow(), frame.blockRows));
  const input = storedPixels * frame.wholeFrame + loadedWidth * rows * frame.rowBytes;
  return Math.ceil(PER_DECODE_BYTES + input + (target ? outputBytes(header, target) : 0));
}

/** The decoded cell: sharp's output (4 bytes a pixel at most), and the copies after it. */
function outputBytes(header: ImageHeader, target: DecodeTarget): number {
  const { scaledWidth, scaledHeight, region } = target.sampling;
  const scaled = scaledWidth * scaledHeight;
  const shown = region.width * region.height;
  const padded = target.pad ? (region.width + target.pad.left + target.pad.right) * (region.height + target.pad.top + target.pad.bottom) : 0;
  // sharp's output and a packed RGB copy of it (alpha flattened), and the padded copy.
  let bytes = shown * (4 + 3) + padded * 4;
  // An oriented photo is resampled whole (then cropped), and libvips rotates a copy in memory.
  if (header.orientation !== 1) bytes += 2 * scaled * 4;
  // CMYK goes through Skia at the scaled size: decoded, drawn on a canvas, read back.
  if (header.cmyk) bytes += scaled * 4 * 3;
  return bytes + (target.lookPixels ?? 0) * 4 * 3;
}

/**
 * The factor the load shrinks by, as sharp picks it (src/pipeline.cc): for JPEG the largest of
 * 8, 4, 2 not over the common shrink, one step less when the shrink's whole part equals it;
 * WebP scales by the common shrink. Without a target, the most it could.
 */
function loadShrink(header: ImageHeader, sampling: CellSampling | undefined): number {
  const { shrink } = header.frame;
  if (shrink === 'none') return 1;
  const upright = header.orientation >= 5 ? { width: header.height, height: header.width } : header;
  const common = sampling ? Math.min(upright.width / sampling.scaledWidth, upright.height / sampling.scaledHeight) : Infinity;
  if (shrink === 'scale') return Math.max(1, Number.isFinite(common) ? common : Math.max(header.width, header.height));
  let factor = common >= 8 ? 8 : common >= 4 ? 4 : common >= 2 ? 2 : 1;
  if (factor > 1 && Math.floor(common) === factor) factor /= 2;
  return factor;
}

/** "110 Mpx progressive JPEG", for messages. */
export function describeDecode(header: ImageHeader): string {
  return `${formatMpx(header.width * header.height)} Mpx ${header.frame.kind}`;
}

export function formatMpx(pixels: number): string {
  const mpx = pixels / 1e6;
  return mpx >= 10 ? mpx.toFixed(0) : mpx.toFixed(1);
}
