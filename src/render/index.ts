/**
 * Stage 5, render: the poster is packed 8-bit RGB in bands of rows, and each photo's pixels are
 * copied into its box row by row.
 *
 * Why not a canvas: a poster-size Skia surface is RGBA (311 MB at 36×24 in, 300 dpi),
 * reading it back for the encoder costs another full copy, and drawing photos onto it
 * keeps each one alive (Skia records draws lazily). A buffer is 3/4 of the size, the
 * encoder reads it in place, and nothing outlives its copy. Canvas still draws what needs
 * drawing (shapes, text), on cell-sized surfaces, through `readRegion`/`writeRegion`.
 *
 * Why bands: the encoder takes each band as soon as it is final (output/stream.ts), and its
 * memory then serves a band further down. A job touches a few bands' worth of fresh memory, not
 * the whole poster's: on the bench VM first-touch page faults cost ~2.7 ms per MB (0.65 s for a
 * 36×24 in poster at 300 dpi), and peak memory falls by most of the poster's size.
 */
import type { Bitmap } from '../decode/index.js';
import type { Rgba } from '../manifest/index.js';
import type { Box } from '../layout/index.js';
import { colorRow, flattenBoxes, paintBackground } from './paint.js';

export interface PosterOptions {
  /** Rows per band (the encoder's); the whole height (the default) for one band. */
  bandRows?: number;
  /** Boxes a photo will overwrite whole: left unpainted (see paint.ts). */
  covered?: readonly Box[];
  /** Bands in shared memory, so worker threads can read them (PNG encoding). */
  shared?: boolean;
}

export class Poster {
  readonly background: Rgba;
  readonly bandRows: number;
  readonly bands: number;
  private readonly stores: (Buffer | null)[];
  private readonly released: Uint8Array;
  /** Full-size band buffers of released bands, for the next bands. */
  private readonly spare: Buffer[] = [];
  private readonly covered: Int32Array;
  private readonly shared: boolean;

  constructor(
    readonly width: number,
    readonly height: number,
    background: Rgba,
    options: PosterOptions = {},
  ) {
    this.background = opaque(background);
    this.bandRows = Math.max(1, Math.min(height, options.bandRows ?? height));
    this.bands = Math.max(1, Math.ceil(height / this.bandRows));
    this.stores = new Array<Buffer | null>(this.bands).fill(null);
    this.released = new Uint8Array(this.bands);
    this.covered = flattenBoxes(options.covered ?? []);
    this.shared = options.shared ?? false;
  }

  /** Rows in band `index` (the last band may be shorter). */
  rowsIn(index: number): number {
    return Math.min(this.bandRows, this.height - index * this.bandRows);
  }

  /** Band `index`'s pixels (`rowsIn(index) × width × 3` bytes), allocated and painted on first use. */
  band(index: number): Buffer {
    const store = this.stores[index];
    if (store) return store;
    // A band the encoder has taken is never written again (render/bands.ts): one would be lost.
    if (this.released[index]) throw new Error(`poster band ${index} was written after it was encoded`);
    const bytes = this.rowsIn(index) * this.width * 3;
    const full = this.bandRows * this.width * 3;
    const memory = this.spare.pop() ?? (this.shared ? Buffer.from(new SharedArrayBuffer(full)) : Buffer.allocUnsafe(full));
    const pixels = memory.subarray(0, bytes);
    const y0 = index * this.bandRows;
    paintBackground(pixels, this.width, y0, y0 + this.rowsIn(index), this.background, this.covered);
    this.stores[index] = pixels;
    return pixels;
  }

  /** Band `index` is encoded: nothing reads or writes it again, and its memory serves another band. */
  release(index: number): void {
    const store = this.stores[index];
    this.released[index] = 1;
    this.stores[index] = null;
    if (store && this.bands > 1) this.spare.push(Buffer.from(store.buffer, store.byteOffset, this.bandRows * this.width * 3));
  }

  /** The buffer holding row `y`; its first pixel is at `rowOffset(y)`. */
  rowData(y: number): Buffer {
    return this.band(Math.floor(y / this.bandRows));
  }

  rowOffset(y: number): number {
    return (y % this.bandRows) * this.width * 3;
  }

  /** Every row as one buffer: the band itself for a one-band poster, else a copy. */
  pixels(): Buffer {
    if (this.bands === 1) return this.band(0);
    return Buffer.concat(Array.from({ length: this.bands }, (_, i) => this.band(i)));
  }
}

/** Print output has no alpha: a translucent background is flattened onto white paper. */
export function opaque(color: Rgba): Rgba {
  const blend = (channel: number) => Math.round(channel * color.a + 255 * (1 - color.a));
  return { r: blend(color.r), g: blend(color.g), b: blend(color.b), a: 1 };
}

export function createPoster(width: number, height: number, background: Rgba, options: PosterOptions = {}): Poster {
  return new Poster(width, height, background, options);
}

/** Fills `box` (clipped to the poster) with an opaque colour. */
export function fillBox(poster: Poster, box: Box, color: Rgba): void {
  const clip = clipBox(poster, box);
  if (!clip) return;
  const row = colorRow(color, clip.width);
  for (let y = clip.y; y < clip.y + clip.height; y++) row.copy(poster.rowData(y), poster.rowOffset(y) + clip.x * 3);
}

/** Copies an RGB bitmap onto the poster at (x, y), clipped to the poster. */
export function drawBitmap(poster: Poster, bitmap: Bitmap, x: number, y: number): void {
  const clip = clipBox(poster, { x, y, width: bitmap.width, height: bitmap.height });
  if (!clip) return;
  const source = bitmap.data;
  for (let row = 0; row < clip.height; row++) {
    const from = ((clip.y - y + row) * bitmap.width + (clip.x - x)) * 3;
    const at = clip.y + row;
    source.copy(poster.rowData(at), poster.rowOffset(at) + clip.x * 3, from, from + clip.width * 3);
  }
}

/** The region as RGBA (alpha 255), for drawing on a cell-sized canvas. */
export function readRegion(poster: Poster, box: Box): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(box.width * box.height * 4);
  for (let row = 0; row < box.height; row++) {
    const pixels = poster.rowData(box.y + row);
    let from = poster.rowOffset(box.y + row) + box.x * 3;
    let to = row * box.width * 4;
    for (let col = 0; col < box.width; col++) {
      rgba[to++] = pixels[from++]!;
      rgba[to++] = pixels[from++]!;
      rgba[to++] = pixels[from++]!;
      rgba[to++] = 255;
    }
  }
  return rgba;
}

/** Writes RGBA pixels (alpha ignored: callers draw over what `readRegion` gave them) into `box`. */
export function writeRegion(poster: Poster, rgba: Uint8ClampedArray, box: Box): void {
  for (let row = 0; row < box.height; row++) {
    const pixels = poster.rowData(box.y + row);
    let from = row * box.width * 4;
    let to = poster.rowOffset(box.y + row) + box.x * 3;
    for (let col = 0; col < box.width; col++) {
      pixels[to++] = rgba[from++]!;
      pixels[to++] = rgba[from++]!;
      pixels[to++] = rgba[from++]!;
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

function clipBox(poster: Poster, box: Box): Box | null {
  const x = Math.max(0, box.x);
  const y = Math.max(0, box.y);
  const right = Math.min(poster.width, box.x + box.width);
  const bottom = Math.min(poster.height, box.y + box.height);
  return right > x && bottom > y ? { x, y, width: right - x, height: bottom - y } : null;
}
