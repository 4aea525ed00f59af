/**
 * One job's images: fetch (sources), check headers and decode (decode), draw (render),
 * with the job's limits, counts, timings and failure list in one place. build() and plan()
 * drive it; it knows nothing of layouts.
 */
import { randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pLimit, { type LimitFunction } from 'p-limit';
import { ByteBudget } from './buffers.js';
import { cellKey, sourceHash, type CellCache, type CellParameters, type StoredCell } from './cells/index.js';
import { removeOnExit } from './cleanup.js';
import { ImageError, JobDeadlineError, errorMessage, type ImageFailure } from './errors.js';
import { availableCores } from './machine.js';
import { DEFAULT_MAX_PIXELS, checkPixelLimit, decodeForCell, readImageHeader, uprightSize, type Bitmap, type ImageHeader } from './decode/index.js';
import { describeDecode, estimateDecodeBytes } from './decode/memory.js';
import { decodeBudgetBytes, defaultMaxMemory, fixedJobBytes, formatMegabytes, heldBytesBudget, MemoryBudget } from './memory.js';
import type { Box } from './layout/index.js';
import { outputSize, type CollageSpec, type ImageSpec, type Rgba } from './manifest/index.js';
import { drawBitmap, opaque, type Poster } from './render/index.js';
import { drawWithLook, lookReach, planLook, territory, type LookPlan } from './render/looks.js';
import { photoTarget, placePhoto, type ExtendBleed } from './render/place.js';
import { salientFocus } from './decode/saliency.js';
import { cellFromProxy, decodeProxy, proxyCovers, proxySize } from './decode/proxy.js';
import { storedHeader } from './decode/stored-header.js';
import { trimBox } from './render/bleed.js';
import { createSourceLoader, DEFAULT_FETCH_OPTIONS, mergeHostHeaders, type FetchOptions, type InputValidators, type SourceLoader, type SourceRequest } from './sources/index.js';

/** A decode needing more than this (a 4096×4096 RGBA frame) is also rationed to one per core. */
const LARGE_DECODE_BYTES = 64 * 1024 * 1024;

export interface ImageCounts {
  done: number;
  fetched: number;
  cached: number;
  bytes: number;
  /** Photos decoded, and photos whose cell came from the cell cache instead. */
  decoded: number;
  cellCached: number;
}

export interface ImageTimings {
  fetch: number;
  decode: number;
  draw: number;
}

export interface SessionOptions {
  fetch?: Partial<FetchOptions>;
  maxPixels?: number;
  /** The job's memory budget, bytes (default: half the machine's or container's memory); decodes get what the poster leaves. */
  maxMemory?: number;
  signal?: AbortSignal;
  /** The job's deadline (see deadline.ts): photos not fetched and drawn by then fail with its reason. */
  deadline?: AbortSignal;
  /** Keep each input's validators (ETag, Last-Modified, file size and mtime) for `inputs`. */
  recordInputs?: boolean;
  /** Called after each image's first pass (fetched, and drawn or probed), success or not. */
  onImage?: (counts: ImageCounts, failed: number) => void;
  /** Cells decoded before, read back instead of decoding (cells/). */
  cells?: CellCache | null;
}

/** An image whose bytes wait on disk until the layout is known. */
export interface ProbedImage {
  header: ImageHeader;
  /** Where the bytes wait (the spool); '' for a local photo known without reading it (`knownProbe`). */
  file: string;
  /** SHA-256 of the bytes, with a cell cache. */
  sha256?: string;
  /** The photo already decoded at a reduced size (decode/proxy.ts), packed RGB in `file`. */
  proxy?: { file: string; width: number; height: number };
  /**
   * The size a proxy is made at for this photo when the cell cache is not used. A photo whose
   * proxy was not made (known without reading, or its expected cell cached) but whose cell is
   * not cached after all is decoded through one of this size when drawn, so its cell has the
   * pixels a build without the cell cache gives it.
   */
  proxySize?: { width: number; height: number };
}

export class ImageSession {
  readonly failures: (ImageFailure & { index: number })[] = [];
  readonly counts: ImageCounts = { done: 0, fetched: 0, cached: 0, bytes: 0, decoded: 0, cellCached: 0 };
  readonly timings: ImageTimings = { fetch: 0, decode: 0, draw: 0 };
  /** Share of each drawn photo a cover fit hid, by manifest index (0 for contain). */
  readonly crops = new Map<number, number>();
  /** With `recordInputs`: per image (manifest order), what identifies the bytes used; null when it failed. */
  readonly inputs?: (InputValidators | null)[];
  /** Upright (EXIF-rotated) size of every image whose header was read, by manifest index (preflight). */
  readonly sizes = new Map<number, { width: number; height: number }>();
  private readonly loader: SourceLoader;
  /** What aborts a download: the caller's signal or the job's deadline. */
  private readonly loadSignal: AbortSignal | undefined;
  /**
   * Images in progress (downloading, or downloaded and waiting for a decode slot): bounds the
   * compressed bytes held in memory. Twice the downloads, so a download slot is free again as
   * soon as its bytes arrive, and downloads go on while decodes are the bottleneck.
   */
  readonly inFlight: LimitFunction;
  /** Downloads at once (`fetch.concurrency`); the per-host limit is the HTTP agent's. */
  private readonly downloading: LimitFunction;
  /**
   * Decodes at once: twice libuv's pool, so each pool thread finds its next decode queued when
   * one ends instead of waiting for the main thread, busy with downloads and callbacks, to hand
   * it one. (Bench, 1,095 photos on 2 cores: images phase 5.8 s at 2 slots, 5.0 s at 4; 3
   * interleaved runs later, 8.05 s wall at 4 vs 7.66 s at 12.) A baseline JPEG decodes at reduced
   * size (shrink-on-load), so a slot holds a few MB; what each decode needs is estimated from its
   * header (decode/memory.ts) and it waits for that much room in `decodeMemory`.
   */
  private readonly decoding = pLimit(2 * (Number(process.env.UV_THREADPOOL_SIZE) || 4) + availableCores());
  /** Decodes needing over LARGE_DECODE_BYTES at once: no more than the cores. */
  private readonly large = pLimit(availableCores());
  /** Bytes for decoding: the job's budget less its base, poster and the compressed bytes held. */
  private readonly decodeMemory: MemoryBudget;
  private readonly maxMemory: number;
  private readonly maxPixels: number;
  /** Bytes from `load` or the spool not yet released. */
  private readonly held: ByteBudget;
  /** Bleed `extend`: photos on a trim edge continue into the bleed. */
  private readonly extend: ExtendBleed | null;
  /** The job's one spool folder, made on first use (a promise, so images probed at once share it). */
  private spool: Promise<string> | null = null;
  private forgetSpool: (() => void) | null = null;
  /** How far a look (shadow) may reach past its cell: half the gap, so neighbours never overlap. */
  private readonly spread: number;
  private readonly cells: CellCache | null;
  private readonly background: Rgba;
  /** Local photos whose hash was not known: their stat before reading, recorded with the hash once read. */
  private readonly unhashed = new Map<number, Stats>();
  /** Local photos whose cell key knownCellKey gave, as they were seen then. */
  private readonly knownStats = new Map<number, Stats>();
  /** The cell key of each photo drawn (by image index), for the recipes of the bands it is in (band-reuse.ts). */
  readonly drawnKeys = new Map<number, string>();

  constructor(
    spec: CollageSpec,
    private readonly options: SessionOptions = {},
  ) {
    this.spread = lookReach(spec.gap);
    this.background = opaque(spec.background);
    this.loader = createSourceLoader({ ...options.fetch, headers: mergeHostHeaders(spec.headers, options.fetch?.headers) });
    const { signal, deadline } = options;
    this.loadSignal = signal && deadline ? AbortSignal.any([signal, deadline]) : (signal ?? deadline);
    const downloads = options.fetch?.concurrency ?? DEFAULT_FETCH_OPTIONS.concurrency;
    this.downloading = pLimit(downloads);
    this.inFlight = pLimit(2 * downloads);
    this.maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
    this.maxMemory = options.maxMemory ?? defaultMaxMemory();
    this.held = new ByteBudget(heldBytesBudget(this.maxMemory));
    const output = outputSize(spec);
    this.decodeMemory = new MemoryBudget(decodeBudgetBytes(this.maxMemory, fixedJobBytes(output.width, output.height, this.maxMemory)));
    if (options.recordInputs) this.inputs = spec.images.map(() => null);
    const { size, mode } = spec.bleed;
    this.extend = size > 0 && mode === 'extend' ? { trim: trimBox(spec.width, spec.height, size), size } : null;
    this.cells = options.cells ?? null;
    this.background = opaque(spec.background);
  }

  get failed(): boolean {
    return this.failures.length > 0;
  }

  /** Runs `work` for every image, `inFlight` at a time (`load` takes a download slot), ticking progress after each. */
  async forEach(images: readonly ImageSpec[], work: (image: ImageSpec, i: number) => Promise<void>): Promise<void> {
    await Promise.all(
      images.map((image, i) =>
        this.inFlight(async () => {
          try {
            await work(image, i);
          } finally {
            this.counts.done++;
            this.options.onImage?.(this.counts, this.failures.length);
          }
        }),
      ),
    );
  }

  /** The image's bytes, or null when it failed (recorded). */
  async load(image: ImageSpec): Promise<Buffer | null> {
    const started = performance.now();
    try {
      await this.held.room();
      const source = await this.downloading(() => this.loader.load(image, this.loadSignal));
      this.held.hold(source.bytes.length);
      if (source.origin === 'network') this.counts.fetched++;
      if (source.origin === 'cache') this.counts.cached++;
      this.counts.bytes += source.bytes.length;
      if (this.inputs && source.validators) this.inputs[image.index] = source.validators;
      return source.bytes;
    } catch (error) {
      this.fail(image, error);
      return null;
    } finally {
      this.timings.fetch += performance.now() - started;
    }
  }

  /**
   * A file the job needs besides its photos (a font): fetched, cached and limited like a photo,
   * not counted as one. Throws ImageError naming `source.src`.
   */
  async loadFile(source: SourceRequest): Promise<Buffer> {
    const loaded = await this.downloading(() => this.loader.load(source, this.options.signal));
    // The loader's buffer is reused for the next image: keep a copy.
    const bytes = Buffer.from(loaded.bytes);
    this.loader.release(loaded.bytes);
    return bytes;
  }

  /**
   * Fetches the image and reads its header (its upright size goes to `sizes`), after the pixel limit.
   * With `keep`, the bytes wait in a spool folder (not memory: a photo-a-day wall is
   * gigabytes of JPEG) for `drawProbed`; with `proxyCell` too (the cell the layout is expected
   * to give it), the photo is also decoded now for that cell, while other photos download, and
   * waits there as pixels (decode/proxy.ts). Null when it failed (recorded).
   */
  async probe(image: ImageSpec, keep: boolean, proxyCell?: { width: number; height: number }): Promise<ProbedImage | null> {
    const known = await this.knownProbe(image, keep, proxyCell);
    if (known !== undefined) return known;
    const bytes = await this.load(image);
    if (bytes === null) return null;
    try {
      const header = await this.header(image, bytes);
      let file = '';
      let proxy: ProbedImage['proxy'];
      const at = keep ? this.proxySizeFor(image, header, proxyCell) : null;
      const sha256 = this.cells ? this.hashOf(image, bytes, header) : undefined;
      if (keep) {
        file = path.join(await this.spoolFolder(), String(image.index));
        await writeFile(file, bytes);
        // A cell already in the cell cache for the expected cell needs no proxy.
        if (at !== null && !(sha256 && (await this.cellCached(image, proxyCell!, sha256)))) {
          const bitmap = await this.decoding(async () => {
            const started = performance.now();
            try {
              const whole = { scaledWidth: at.width, scaledHeight: at.height, region: { left: 0, top: 0, ...at }, offset: { x: 0, y: 0 } };
              return await this.withinMemory(image, header, estimateDecodeBytes(header, { sampling: whole }), () => decodeProxy(bytes, header, at, this.background, image.src));
            } finally {
              this.timings.decode += performance.now() - started;
            }
          });
          this.counts.decoded++;
          proxy = { file: `${file}.rgb`, width: bitmap.width, height: bitmap.height };
          await writeFile(proxy.file, bitmap.data);
        }
      }
      return { header, file, ...(sha256 && { sha256 }), ...(proxy && { proxy }), ...(at && { proxySize: at }) };
    } catch (error) {
      this.fail(image, error);
      return null;
    } finally {
      this.release(bytes);
    }
  }

  /**
   * A local photo whose hash and header the cell cache's source index knows (by its size and
   * times): probed without reading it, its bytes read only if its cell is not cached
   * (`drawProbed`). Null when its header fails the job's limits (recorded); undefined when it is
   * not known so (it is read, and recorded for the next build).
   */
  private async knownProbe(image: ImageSpec, keep: boolean, proxyCell: { width: number; height: number } | undefined): Promise<ProbedImage | null | undefined> {
    if (!this.cells || image.location.kind !== 'file') return undefined;
    const found = await this.cells.sources.lookup(image.location.path).catch(() => null);
    if (!found?.stat) return undefined;
    const header = found.sha256 ? storedHeader(found.header) : null;
    if (!found.sha256 || !header) {
      this.unhashed.set(image.index, found.stat);
      return undefined;
    }
    try {
      this.checkHeader(image, header);
    } catch (error) {
      this.fail(image, error);
      return null;
    }
    this.knownStats.set(image.index, found.stat);
    if (this.inputs) this.inputs[image.index] = { kind: 'file', path: image.location.path, size: found.stat.size, mtimeMs: found.stat.mtimeMs };
    const size = keep ? this.proxySizeFor(image, header, proxyCell) : null;
    return { header, file: '', sha256: found.sha256, ...(size && { proxySize: size }) };
  }

  /** The size `probe` decodes a proxy at for the expected cell `proxyCell`, or null when it makes none. */
  private proxySizeFor(image: ImageSpec, header: ImageHeader, proxyCell: { width: number; height: number } | undefined): { width: number; height: number } | null {
    return proxyCell === undefined || image.autoFocus || this.extend ? null : proxySize(header, proxyCell);
  }

  /**
   * Whether the photo will overwrite every pixel of its box and nothing outside it: a `cover`
   * photo with no look, and no bleed to extend into. Such boxes are left unpainted (see
   * render/paint.ts).
   */
  coversBox(image: ImageSpec, strip = 0): boolean {
    return image.fit === 'cover' && !image.look && !this.extend && strip === 0;
  }

  /** Hands back bytes from `load` once decoded or spooled: their memory serves the next image. */
  release(bytes: Buffer): void {
    this.held.release(bytes.length);
    this.loader.release(bytes);
  }

  /**
   * Checks the bytes are an image we accept (format, header, pixel limit) without decoding them,
   * recording a failure when not. For a job that will write nothing: every bad photo is still reported.
   */
  async check(image: ImageSpec, bytes: Buffer): Promise<void> {
    try {
      await this.header(image, bytes);
    } catch (error) {
      this.fail(image, error);
    }
  }

  /** The header, after the pixel limit and the memory budget: refused before any pixel is decoded. */
  private async header(image: ImageSpec, bytes: Buffer): Promise<ImageHeader> {
    const header = await readImageHeader(bytes, image.src);
    this.checkHeader(image, header);
    return header;
  }

  /** The pixel limit and the memory budget for a header read (or known: `knownProbe`); its upright size goes to `sizes`. */
  private checkHeader(image: ImageSpec, header: ImageHeader): void {
    checkPixelLimit(header, image.src, { maxPixels: this.maxPixels });
    this.checkDecodeMemory(image, header, estimateDecodeBytes(header));
    this.sizes.set(image.index, uprightSize(header));
  }

  /** A decode needing more than all the job has for decoding fails with a reason, not an out-of-memory kill. */
  private checkDecodeMemory(image: ImageSpec, header: ImageHeader, bytes: number): void {
    const budget = this.decodeMemory.budget;
    if (bytes <= budget) return;
    throw new ImageError(
      image.src,
      `a ${describeDecode(header)} needs about ${formatMegabytes(bytes)} to decode, over the ${formatMegabytes(budget)} left for decoding in this job's ${formatMegabytes(this.maxMemory)} memory budget (--max-memory)`,
      { code: 'E_MEMORY' },
    );
  }

  /**
   * The header alone, from as few bytes as the source gives (a range request; see
   * sources/range.ts), for `plan`. A header the first bytes do not make sense of is read again
   * from the whole file, so a failure names what is wrong with the file. Null when it failed (recorded).
   */
  async probeHeader(image: ImageSpec): Promise<ImageHeader | null> {
    const started = performance.now();
    let head: { bytes: Buffer; whole: boolean };
    try {
      // A server without ranges sends whole files: they count against the bytes held, as downloads do.
      await this.held.room();
      head = await this.downloading(() => this.loader.loadHead(image, this.loadSignal));
      this.held.hold(head.bytes.length);
    } catch (error) {
      this.fail(image, error);
      return null;
    } finally {
      this.timings.fetch += performance.now() - started;
    }
    try {
      return await this.header(image, head.bytes);
    } catch (error) {
      if (head.whole) {
        this.fail(image, error);
        return null;
      }
    } finally {
      this.release(head.bytes);
    }
    const bytes = await this.load(image);
    if (bytes === null) return null;
    try {
      return await this.header(image, bytes);
    } catch (error) {
      this.fail(image, error);
      return null;
    } finally {
      this.release(bytes);
    }
  }

  /**
   * A local photo whose cell is in the cell cache, drawn without reading the photo: true when
   * drawn. Otherwise (not cached, or not a local file) false, and the photo is loaded and drawn
   * as usual.
   */
  async drawCached(poster: Poster, image: ImageSpec, box: Box, strip = 0): Promise<boolean> {
    if (!this.cells || image.location.kind !== 'file') return false;
    try {
      const { sha256, stat } = await this.cells.sources.lookup(image.location.path);
      if (!stat) return false;
      if (!sha256) {
        this.unhashed.set(image.index, stat);
        return false;
      }
      const look = image.look ? planLook(box, image.look, strip) : null;
      const key = cellKey(this.cellParameters(image, box, look, sha256, strip));
      const cell = await this.cells.cells.get(key);
      if (!cell) return false;
      this.placeCell(poster, image, box, look, cell);
      this.counts.cellCached++;
      this.drawnKeys.set(image.index, key);
      if (this.inputs) this.inputs[image.index] = { kind: 'file', path: image.location.path, size: stat.size, mtimeMs: stat.mtimeMs };
      return true;
    } catch {
      return false;
    }
  }

  /**
   * The cell key of a local photo without a look whose bytes the cell cache's source index knows
   * (by its size and times, not read), else null: what a reused band is keyed by (band-reuse.ts).
   */
  async knownCellKey(image: ImageSpec, box: Box, strip = 0): Promise<string | null> {
    if (!this.cells || image.location.kind !== 'file' || image.look) return null;
    const { sha256, stat } = await this.cells.sources.lookup(image.location.path).catch(() => ({ sha256: null, stat: null }));
    if (!sha256 || !stat) return null;
    this.knownStats.set(image.index, stat);
    return cellKey(this.cellParameters(image, box, null, sha256, strip));
  }

  /**
   * A photo whose every band is reused whole is not drawn: what the report says of it (its crop,
   * its size for the resolution check) comes from its cell's header. False when the cell is gone.
   */
  skipDrawing(image: ImageSpec, key: string): boolean {
    const meta = this.cells?.cells.meta(key);
    const stat = this.knownStats.get(image.index);
    if (!meta || !stat || image.location.kind !== 'file') return false;
    this.noteCell(image, meta);
    this.counts.cellCached++;
    this.drawnKeys.set(image.index, key);
    if (this.inputs) this.inputs[image.index] = { kind: 'file', path: image.location.path, size: stat.size, mtimeMs: stat.mtimeMs };
    return true;
  }

  /**
   * Decodes the photo at its cell's size and puts it into `box`, above a caption strip `strip` px
   * tall (render/strips.ts); false when it failed (recorded). With `proxy`, its pixels come from
   * that (decode/proxy.ts), not from `bytes`; with a `ProxyAt`, from a proxy of that size decoded now.
   */
  draw(poster: Poster, image: ImageSpec, bytes: Buffer, box: Box, known?: ImageHeader, sha256?: string, strip = 0, proxy?: Bitmap | ProxyAt): Promise<boolean> {
    return this.decoding(async () => {
      if (this.pastDeadline(image)) return false;
      try {
        const started = performance.now();
        const header = known ?? (await this.header(image, bytes));
        const look = image.look ? planLook(box, image.look, strip) : null;
        const key = this.cells ? cellKey(this.cellParameters(image, box, look, sha256 ?? this.hashOf(image, bytes, header), strip)) : null;
        const stored = key ? await this.cells!.cells.get(key) : null;
        if (stored) {
          this.placeCell(poster, image, box, look, stored);
          this.counts.cellCached++;
          this.drawnKeys.set(image.index, key!);
          return true;
        }
        // Focus moves the region, not its size: the need is known before saliency runs.
        const placed = placePhoto(uprightSize(header), image, box, look, strip, this.extend);
        const need = estimateDecodeBytes(header, { sampling: placed.sampling, pad: placed.pad, lookPixels: look ? box.width * box.height : 0 });
        await this.withinMemory(image, header, need, () => this.decodeAndDraw(poster, image, bytes, box, header, look, started, key, strip, proxy));
        if (key) this.drawnKeys.set(image.index, key);
        return true;
      } catch (error) {
        this.fail(image, error);
        return false;
      }
    });
  }

  /**
   * Runs a decode needing `need` bytes once the job's decode budget has room for it (one
   * needing more than all of it fails with a reason, not an out-of-memory kill); a large one
   * also waits for a core of its own.
   */
  private async withinMemory<T>(image: ImageSpec, header: ImageHeader, need: number, decode: () => Promise<T>): Promise<T> {
    this.checkDecodeMemory(image, header, need);
    const run = async () => {
      const release = await this.decodeMemory.acquire(need);
      try {
        // Waiting for memory may outlast the job's deadline.
        this.options.deadline?.throwIfAborted();
        return await decode();
      } finally {
        release();
      }
    };
    return need > LARGE_DECODE_BYTES ? this.large(run) : run();
  }

  /** Whether the cell cache holds the photo's cell for a plain box of `cell`'s size (a calendar's expected cell). */
  private async cellCached(image: ImageSpec, cell: { width: number; height: number }, sha256: string): Promise<boolean> {
    const box = { x: 0, y: 0, width: cell.width, height: cell.height };
    const look = image.look ? planLook(box, image.look) : null;
    return (await this.cells?.cells.has(cellKey(this.cellParameters(image, box, look, sha256, 0)))) ?? false;
  }

  private async decodeAndDraw(
    poster: Poster,
    image: ImageSpec,
    bytes: Buffer,
    box: Box,
    header: ImageHeader,
    look: LookPlan | null,
    started: number,
    key: string | null,
    strip: number,
    proxy?: Bitmap | ProxyAt,
  ): Promise<void> {
    const focus = image.autoFocus && image.fit === 'cover' ? await salientFocus(bytes, header) : image.focus;
    const upright = uprightSize(header);
    const placed = placePhoto(upright, { fit: image.fit, focus }, box, look, strip, this.extend);
    const { crop } = placed;
    this.crops.set(image.index, crop);
    // A proxy was counted as decoded when it was made.
    const made = proxy && 'at' in proxy ? await decodeProxy(bytes, header, proxy.at, poster.background, image.src) : proxy;
    const bitmap = made ? await cellFromProxy(made, placed.sampling) : await decodeForCell(bytes, header, placed.sampling, poster.background, image.src, placed.pad);
    if (!proxy || 'at' in proxy) this.counts.decoded++;
    this.timings.decode += performance.now() - started;
    const drawing = performance.now();
    if (key) this.cells!.cells.put(key, { ...bitmap, dx: placed.x - box.x, dy: placed.y - box.y, crop, source: upright });
    if (image.look && look) {
      // Slow path, only for cells with a look: shape, shadow, border, caption (never padded into the bleed).
      const frame = { x: placed.x, y: placed.y, width: bitmap.width, height: bitmap.height };
      drawWithLook(poster, bitmap, { x: placed.x, y: placed.y }, frame, box, territory(box, this.spread, poster), image.look, look);
    } else {
      drawBitmap(poster, bitmap, placed.x, placed.y);
    }
    this.timings.draw += performance.now() - drawing;
  }

  /** What the photo's cell depends on besides its bytes (cells/key.ts). */
  private cellParameters(image: ImageSpec, box: Box, look: LookPlan | null, source: string, strip: number): CellParameters {
    const target = photoTarget(box, look, strip);
    const trim = this.extend?.trim;
    // Bleed `extend` reaches only cells without a look that lie on a trim edge (see extendPlacement).
    const extend =
      trim && !look
        ? {
            size: this.extend!.size,
            edges: [box.x === trim.x, box.y === trim.y, box.x + box.width === trim.x + trim.width, box.y + box.height === trim.y + trim.height] as const,
          }
        : null;
    return {
      source,
      width: target.width,
      height: target.height,
      fit: image.fit,
      focus: image.autoFocus && image.fit === 'cover' ? 'auto' : image.focus,
      extend,
      background: this.background,
    };
  }

  /** What the report needs of a photo whose cell came from the cell cache: its crop, and (its header not read) its size for the resolution check. */
  private noteCell(image: ImageSpec, cell: Pick<StoredCell, 'crop' | 'source'>): void {
    this.crops.set(image.index, cell.crop);
    if (cell.source.width > 0 && cell.source.height > 0 && !this.sizes.has(image.index)) this.sizes.set(image.index, cell.source);
  }

  /** A stored cell onto the poster, as `draw` put it there when it was decoded. */
  private placeCell(poster: Poster, image: ImageSpec, box: Box, look: LookPlan | null, cell: StoredCell): void {
    const started = performance.now();
    this.noteCell(image, cell);
    const bitmap = { data: cell.data, width: cell.width, height: cell.height };
    const x = box.x + cell.dx;
    const y = box.y + cell.dy;
    if (image.look && look) {
      drawWithLook(poster, bitmap, { x, y }, { x, y, width: bitmap.width, height: bitmap.height }, box, territory(box, this.spread, poster), image.look, look);
    } else {
      drawBitmap(poster, bitmap, x, y);
    }
    this.timings.draw += performance.now() - started;
  }

  /** The bytes' SHA-256; for a local photo read whole, recorded with its header so the next run knows both without reading. */
  private hashOf(image: ImageSpec, bytes: Buffer, header: ImageHeader): string {
    const sha256 = sourceHash(bytes);
    const stat = this.unhashed.get(image.index);
    if (stat && this.cells && image.location.kind === 'file') {
      this.unhashed.delete(image.index);
      this.cells.sources.record(image.location.path, stat, sha256, Date.now(), header);
    }
    return sha256;
  }

  async drawProbed(poster: Poster, image: ImageSpec, probed: ProbedImage, box: Box, strip = 0): Promise<boolean> {
    if (this.pastDeadline(image)) return false;
    if (this.cells && probed.sha256) {
      // Cached: the spooled bytes are not even read back.
      const look = image.look ? planLook(box, image.look, strip) : null;
      const key = cellKey(this.cellParameters(image, box, look, probed.sha256, strip));
      const stored = await this.cells.cells.get(key).catch(() => null);
      if (stored) {
        this.placeCell(poster, image, box, look, stored);
        this.counts.cellCached++;
        this.drawnKeys.set(image.index, key);
        return true;
      }
    }
    const scaled = coverSize(uprightSize(probed.header), photoTarget(box, null, strip));
    // No proxy was made, but a build without the cell cache would draw this cell from one: so does this.
    const proxyAt = !probed.proxy && probed.proxySize && !this.extend && proxyCovers(probed.proxySize, scaled) ? { at: probed.proxySize } : undefined;
    if (probed.file === '') {
      // Known without reading (`knownProbe`) and not cached after all: read, and hashed again.
      const bytes = await this.load(image);
      if (bytes === null) return false;
      try {
        return await this.draw(poster, image, bytes, box, undefined, undefined, strip, proxyAt);
      } finally {
        this.release(bytes);
      }
    }
    const proxy = probed.proxy && !this.extend && proxyCovers(probed.proxy, scaled) ? probed.proxy : undefined;
    let bytes: Buffer;
    try {
      await this.held.room();
      bytes = await this.loader.readFile(proxy ? proxy.file : probed.file);
      this.held.hold(bytes.length);
    } catch (error) {
      this.fail(image, error);
      return false;
    }
    try {
      return await this.draw(poster, image, bytes, box, probed.header, probed.sha256, strip, proxy ? { data: bytes, width: proxy.width, height: proxy.height } : proxyAt);
    } finally {
      this.release(bytes);
    }
  }

  /** True (and the image failed with the deadline's reason) once the job's deadline has passed. */
  private pastDeadline(image: ImageSpec): boolean {
    if (!this.options.deadline?.aborted) return false;
    this.fail(image, this.options.deadline.reason);
    return true;
  }

  fail(image: ImageSpec, error: unknown): void {
    this.options.signal?.throwIfAborted();
    this.failures.push({ ...toFailure(image, error), index: image.index });
  }

  /** The upright size of an image that was read and did not fail (a photo that failed has no resolution). */
  sizeOf(index: number): { width: number; height: number } | undefined {
    return this.failures.some((f) => f.index === index) ? undefined : this.sizes.get(index);
  }

  /** Failures in manifest order, as reported. */
  report(): ImageFailure[] {
    return [...this.failures].sort((a, b) => a.index - b.index).map(({ index: _, ...failure }) => failure);
  }

  private spoolFolder(): Promise<string> {
    // Named here and registered for removal before it exists: a signal during mkdir leaves nothing.
    this.spool ??= (async () => {
      const dir = path.join(os.tmpdir(), `collage-spool-${process.pid}-${randomBytes(6).toString('hex')}`);
      this.forgetSpool = removeOnExit(dir);
      await mkdir(dir, { mode: 0o700 });
      return dir;
    })();
    return this.spool;
  }

  async close(): Promise<void> {
    await this.loader.close();
    await Promise.all([this.cells?.cells.flush(), this.cells?.sources.flush()]).catch(() => {});
    const spool = await this.spool?.catch(() => null);
    if (spool) {
      await rm(spool, { recursive: true, force: true });
      this.forgetSpool?.();
    }
  }
}

/** A proxy to decode when drawing, at this size (ProbedImage's `proxySize`). */
interface ProxyAt {
  at: { width: number; height: number };
}

/**
 * The whole photo's size when it covers `box`: the most any fit of it in the box (or in a
 * smaller part of it, as a look's photo area) samples it at.
 */
function coverSize(upright: { width: number; height: number }, box: Box): { width: number; height: number } {
  const scale = Math.max(box.width / upright.width, box.height / upright.height);
  return { width: Math.round(upright.width * scale), height: Math.round(upright.height * scale) };
}

function toFailure(image: ImageSpec, error: unknown): ImageFailure {
  if (error instanceof ImageError) {
    return { src: image.src, code: error.code, reason: error.reason, attempts: error.attempts ?? 0, ...(error.status !== undefined && { status: error.status }) };
  }
  return { src: image.src, code: error instanceof JobDeadlineError ? 'E_DEADLINE' : 'E_UNEXPECTED', reason: errorMessage(error), attempts: 0 };
}
