/**
 * The poster's encoder, fed band by band. JPEG, PNG (and PDF, through PNG) encode each band of
 * rows as soon as it is final, while photos are still being decoded, and hand its memory back
 * to the poster; at the end only the last bands remain and the file is joined from its parts.
 * TIFF and WebP encode the whole poster at the end.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Tinypool } from 'tinypool';
import { availableCores } from '../machine.js';
import type { OutputFormat } from '../manifest/index.js';
import { encodeWhole, srgbProfile, type EncodeOptions } from './encode.js';
import { encodeJpegBand, jpegBandRows, jpegFileParts } from './jpeg.js';
import { encodePngBand, joinPngBands, pngBandRows, type PngBand } from './png.js';

/** The compiled PNG band worker; absent when running from TypeScript sources (tests), which encode inline. */
const PNG_WORKER = new URL('./png-worker.js', import.meta.url);
let pngWorkers: boolean | undefined;

/** What the encoder reads: the poster's bands (render/index.ts's Poster). */
export interface PosterBands {
  width: number;
  height: number;
  bandRows: number;
  /** How many bands: ⌈height / bandRows⌉. */
  bands: number;
  /** Band `index`'s packed RGB pixels, `rowsIn(index) × width × 3` bytes. */
  band(index: number): Buffer;
  rowsIn(index: number): number;
  /** The encoder is done with band `index`. */
  release(index: number): void;
  /** Every row as one buffer. */
  pixels(): Buffer;
}

export interface PosterEncoder {
  /** Band `index` is final: nothing writes its rows any more. */
  band(index: number): void;
  /** The encoded file; every band must have been passed to `band` first. */
  finish(): Promise<Buffer>;
  /** The same file as pieces to write in order (a JPEG's bands are not copied into one buffer). */
  finishParts(): Promise<Buffer[]>;
  /** The poster will not be written: ignore bands from now on (work already started is dropped). */
  abort(): void;
  /**
   * Resolves once few enough bands wait to be encoded: drawing waits on it, so a poster drawn
   * faster than it is encoded (cells from the cell cache) does not pile up finished bands in
   * memory, each a fresh band the size of the rest.
   */
  ready(): Promise<void>;
}

/** Bands handed over and not yet encoded, at most, before `ready()` waits: enough to keep every pool thread busy. */
const BANDS_WAITING = Math.max(4, Number(process.env.UV_THREADPOOL_SIZE) || 4) + 2;

/** Encoded bands from earlier builds, found by their pixels or by recipe (cells/index.ts). */
export interface BandCache {
  lookup(pixels: Uint8Array, params: string): { key: string; bytes: Buffer | null };
  /** The bytes kept under `key` (a recipe), or null. */
  find(key: string): Buffer | null;
  store(key: string, bytes: Buffer): void;
}

/** Bands known before they are drawn (band-reuse.ts): their bytes, and under what else to keep the ones encoded now. */
export interface ReusedBands {
  bytes: ReadonlyMap<number, Buffer>;
  recipe(band: number): string | null;
  /** A band drawn and then found under its recipe after all (photos from the download cache). */
  found(band: number): void;
}

/** How the poster must be cut for `format`: rows per band, and whether bands go to worker threads (shared memory). */
export function bandLayout(format: OutputFormat, width: number, height: number): { bandRows: number; shared: boolean } {
  if (format === 'jpeg') return { bandRows: jpegBandRows(width), shared: false };
  if (format === 'png' || format === 'pdf') return { bandRows: pngBandRows(width), shared: pngWorkersAvailable() };
  return { bandRows: Math.max(1, height), shared: false };
}

function pngWorkersAvailable(): boolean {
  return (pngWorkers ??= existsSync(fileURLToPath(PNG_WORKER)));
}

/** An encoder for `poster`, which must be cut as `bandLayout` says. */
export function createPosterEncoder(poster: PosterBands, options: EncodeOptions, cache: BandCache | null = null, reused: ReusedBands | null = null): PosterEncoder {
  if (options.format === 'jpeg') return bandedEncoder(poster, jpegBands(poster, options, cache, reused));
  if (options.format === 'png' || options.format === 'pdf') return bandedEncoder(poster, pngBands(poster, options));
  return wholeEncoder(poster, { ...options, format: options.format });
}

/** The whole poster at once, from one buffer: every band, then the join (the same bytes as streaming). */
export async function encodeImage(pixels: Buffer, width: number, height: number, options: EncodeOptions): Promise<Buffer> {
  const { bandRows } = bandLayout(options.format, width, height);
  const rowBytes = width * 3;
  const bands: PosterBands = {
    width,
    height,
    bandRows,
    bands: Math.max(1, Math.ceil(height / bandRows)),
    band: (i) => pixels.subarray(i * bandRows * rowBytes, Math.min(height, (i + 1) * bandRows) * rowBytes),
    rowsIn: (i) => Math.min(bandRows, height - i * bandRows),
    release: () => {},
    pixels: () => pixels,
  };
  const encoder = createPosterEncoder(bands, options);
  for (let band = 0; band < bands.bands; band++) encoder.band(band);
  return encoder.finish();
}

interface BandCodec<Part> {
  /** Encodes band `index` (`last`: the bottom one) and releases it. */
  encode(index: number, last: boolean): Promise<Part>;
  /** The file, as pieces in order. */
  join(parts: Part[]): Promise<Buffer[]>;
  /** Frees what the codec holds (workers); called once, when the encoder is done or aborted. */
  close?(): Promise<void>;
}

function jpegBands(poster: PosterBands, options: EncodeOptions, cache: BandCache | null, reused: ReusedBands | null): BandCodec<Buffer> {
  const { width, height, bandRows } = poster;
  return {
    encode: async (index) => {
      try {
        const ready = reused?.bytes.get(index);
        if (ready) return ready;
        const pixels = poster.band(index);
        const rows = poster.rowsIn(index);
        // A band with a recipe is kept under it alone: hashing its pixels (~6 ms a band) would
        // find it again only where the recipe already does.
        // A band drawn from cells known only once drawn (remote photos from the download cache)
        // may still be found under its recipe now.
        const recipe = reused?.recipe(index) ?? null;
        const kept = recipe !== null ? (cache?.find(recipe) ?? null) : null;
        if (kept) {
          reused!.found(index);
          return kept;
        }
        const known = recipe === null ? cache?.lookup(pixels, JSON.stringify(['jpeg', width, rows, options.quality])) : undefined;
        const part = known?.bytes ?? (await encodeJpegBand(pixels, width, rows, { quality: options.quality }));
        if (known && !known.bytes) cache!.store(known.key, part);
        if (cache && recipe !== null) cache.store(recipe, part);
        return part;
      } finally {
        poster.release(index);
      }
    },
    join: async (parts) => jpegFileParts(parts, width, height, bandRows, options.dpi, await srgbProfile()),
  };
}

/**
 * PNG bands (and PDF, which embeds the PNG's compressed rows). Filtering is JavaScript and
 * deflate synchronous zlib, so bands in shared memory are encoded by worker threads, one per
 * core; otherwise (running from sources) inline.
 */
function pngBands(poster: PosterBands, options: EncodeOptions): BandCodec<PngBand> {
  const { width, height } = poster;
  const threads = availableCores();
  // tinypool is loaded only for PNG and PDF output; its threads start now, before the first band.
  const pool: Promise<Tinypool> | null = pngWorkersAvailable()
    ? import('tinypool').then(({ Tinypool }) => new Tinypool({ filename: PNG_WORKER.href, minThreads: threads, maxThreads: threads }))
    : null;
  pool?.catch(() => {});
  return {
    encode: async (index, last) => {
      try {
        const pixels = poster.band(index);
        const rows = poster.rowsIn(index);
        if (pool && pixels.buffer instanceof SharedArrayBuffer) {
          return (await (await pool).run({ shared: pixels.buffer, offset: pixels.byteOffset, length: pixels.length, width, rows, last })) as PngBand;
        }
        return encodePngBand(pixels, width, rows, last);
      } finally {
        poster.release(index);
      }
    },
    join: async (parts) => {
      const png = joinPngBands(parts, width, height, options.dpi, await srgbProfile());
      if (options.format === 'png') return [png];
      // pdf-lib is loaded only for PDF output (~150 ms of start-up otherwise).
      const { encodePdf } = await import('./pdf.js');
      return [await encodePdf(png, { width, height, dpi: options.dpi, bleed: options.bleed ?? 0, icc: await srgbProfile() })];
    },
    close: async () => {
      await (await pool)?.destroy();
    },
  };
}

function bandedEncoder<Part>(poster: PosterBands, codec: BandCodec<Part>): PosterEncoder {
  const count = poster.bands;
  const parts: (Promise<Part> | undefined)[] = new Array(count);
  let aborted = false;
  let waiting = 0;
  const ready: (() => void)[] = [];
  const settled = () => {
    waiting--;
    while (ready.length > 0 && (waiting < BANDS_WAITING || aborted)) ready.shift()!();
  };
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= (codec.close?.() ?? Promise.resolve()).catch(() => {}));
  return {
    band(index) {
      if (aborted || parts[index]) return;
      const part = codec.encode(index, index === count - 1);
      waiting++;
      // Awaited in finish(); an aborted job never awaits it.
      part.then(settled, settled);
      parts[index] = part;
    },
    ready() {
      return waiting < BANDS_WAITING || aborted ? Promise.resolve() : new Promise((resolve) => ready.push(resolve));
    },
    async finishParts() {
      try {
        if (aborted) throw new Error('the encoder was aborted');
        const missing = parts.findIndex((part) => part === undefined);
        if (missing >= 0) throw new Error(`band ${missing} was never finished`);
        return await codec.join(await Promise.all(parts as Promise<Part>[]));
      } finally {
        await close();
      }
    },
    async finish() {
      return oneBuffer(await this.finishParts());
    },
    abort() {
      aborted = true;
      for (const resolve of ready.splice(0)) resolve();
      void close();
    },
  };
}

/** TIFF and WebP: the whole poster (one band), encoded at the end. */
function wholeEncoder(poster: PosterBands, options: EncodeOptions & { format: 'tiff' | 'webp' }): PosterEncoder {
  let aborted = false;
  return {
    band() {},
    async finish() {
      if (aborted) throw new Error('the encoder was aborted');
      return encodeWhole(poster.pixels(), poster.width, poster.height, options);
    },
    async finishParts() {
      return [await this.finish()];
    },
    abort() {
      aborted = true;
    },
    ready: () => Promise.resolve(),
  };
}

function oneBuffer(parts: readonly Buffer[]): Buffer {
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}
