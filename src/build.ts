/** `build()`: the whole pipeline, manifest → sources → decode → layout → render → output. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pLimit from 'p-limit';
import { ImageError, ImagesFailedError, errorMessage, type ImageFailure } from './errors.js';
import { DEFAULT_MAX_PIXELS, checkPixelLimit, decodeImage, readImageHeader } from './decode/index.js';
import { loadManifest, type ImageSpec, type ManifestOverrides, type ManifestSource, type OutputFormat } from './manifest/index.js';
import { encodeImage, writeOutput } from './output/index.js';
import { layoutSpec } from './plan.js';
import { createPoster, drawPhoto, posterPixels, type Poster } from './render/index.js';
import type { Box } from './layout/index.js';
import { createSourceLoader, DEFAULT_FETCH_OPTIONS, mergeHostHeaders, type FetchOptions, type InputValidators } from './sources/index.js';

export type ProgressEvent =
  | { type: 'start'; total: number; width: number; height: number; output: string }
  | { type: 'image'; done: number; failed: number; total: number; bytes: number; fetched: number; cached: number }
  | { type: 'encode'; format: OutputFormat }
  | { type: 'written'; path: string; bytes: number };

export interface BuildOptions extends ManifestOverrides {
  /** Network and file limits; `concurrency` is the number of images in flight. */
  fetch?: Partial<FetchOptions>;
  /** Largest decoded image, in pixels (default 120 Mpx). */
  maxPixels?: number;
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
  /** (batch) Put each input's validators in `BuildReport.inputs`. */
  recordInputs?: boolean;
}

export interface BuildReport {
  output: { path: string; format: OutputFormat; width: number; height: number; dpi: number; bytes: number };
  images: { total: number; fetched: number; cached: number; failed: ImageFailure[] };
  /** Milliseconds. fetch/decode/draw are summed over images (they overlap); the rest are wall time. */
  timings: { manifest: number; images: number; fetch: number; decode: number; draw: number; encode: number; write: number; total: number };
  /** With `recordInputs`: per image (manifest order), what identifies the bytes used; null when it failed. */
  inputs?: (InputValidators | null)[];
}

export async function build(manifest: ManifestSource, options: BuildOptions = {}): Promise<BuildReport> {
  const started = performance.now();
  const spec = await loadManifest(manifest, options);
  const page = layoutSpec(spec);
  const timings = { manifest: performance.now() - started, images: 0, fetch: 0, decode: 0, draw: 0, encode: 0, write: 0, total: 0 };
  const progress = options.onProgress ?? (() => {});
  const total = spec.images.length;
  progress({ type: 'start', total, width: spec.width, height: spec.height, output: spec.output });

  const fetchOptions: Partial<FetchOptions> = {
    ...options.fetch,
    headers: mergeHostHeaders(spec.headers, options.fetch?.headers),
  };
  const loader = createSourceLoader(fetchOptions);
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  // Images in flight bound both sockets and compressed bytes held; decodes are bound to the
  // cores because each holds a full-size bitmap.
  const inFlight = pLimit(fetchOptions.concurrency ?? DEFAULT_FETCH_OPTIONS.concurrency);
  const decoding = pLimit(Math.max(1, os.availableParallelism()));
  const failures: ImageFailure[] = [];
  const counts = { done: 0, fetched: 0, cached: 0, bytes: 0 };
  const policy = spec.onError;
  const inputs: (InputValidators | null)[] | undefined = options.recordInputs ? spec.images.map(() => null) : undefined;
  let poster = createPoster(spec.width, spec.height, spec.background);

  const fail = (image: ImageSpec, error: unknown) => {
    options.signal?.throwIfAborted();
    failures.push(toFailure(image, error));
  };
  const tick = () => {
    counts.done++;
    progress({ type: 'image', done: counts.done, failed: failures.length, total, bytes: counts.bytes, fetched: counts.fetched, cached: counts.cached });
  };
  /** Bytes of one image, or null when it failed (recorded). */
  const load = async (image: ImageSpec): Promise<Buffer | null> => {
    const t = performance.now();
    try {
      const source = await loader.load(image, options.signal);
      if (source.origin === 'network') counts.fetched++;
      if (source.origin === 'cache') counts.cached++;
      counts.bytes += source.bytes.length;
      if (inputs && source.validators) inputs[image.index] = source.validators;
      return source.bytes;
    } catch (error) {
      fail(image, error);
      return null;
    } finally {
      timings.fetch += performance.now() - t;
    }
  };
  /** Decode and draw into `box`; false when it failed (recorded). */
  const draw = (image: ImageSpec, bytes: Buffer, box: Box): Promise<boolean> =>
    decoding(async () => {
      try {
        let t = performance.now();
        const decoded = await decodeImage(bytes, image.src, { maxPixels });
        timings.decode += performance.now() - t;
        t = performance.now();
        drawPhoto(poster, decoded.image, { box, fit: image.fit, focus: image.focus });
        timings.draw += performance.now() - t;
        return true;
      } catch (error) {
        fail(image, error);
        return false;
      }
    });

  const imagesStarted = performance.now();
  let spool: string | null = null;
  try {
    if (policy !== 'skip') {
      // One pass: each image is drawn into its slot as soon as it arrives.
      await Promise.all(
        spec.images.map((image, i) =>
          inFlight(async () => {
            try {
              const bytes = await load(image);
              // Under `fail` one failure means nothing is written: keep fetching to report
              // every failure, but stop spending CPU on pixels.
              const ok = bytes !== null && !(policy === 'fail' && failures.length > 0) && (await draw(image, bytes, page.boxes[i]!));
              if (!ok && policy === 'placeholder') fillPlaceholder(poster, page.boxes[i]!);
            } finally {
              tick();
            }
          }),
        ),
      );
    } else {
      // `skip` re-runs the layout with the images that survive, so the slots are only known
      // once every image was fetched and its header checked. Bytes wait in a temp spool, not
      // in memory (a photo-a-day wall is gigabytes of JPEG).
      spool = await mkdtemp(path.join(os.tmpdir(), 'collage-spool-'));
      const dir = spool;
      const ready: ImageSpec[] = [];
      await Promise.all(
        spec.images.map((image) =>
          inFlight(async () => {
            try {
              const bytes = await load(image);
              if (bytes === null) return;
              try {
                checkPixelLimit(await readImageHeader(bytes, image.src), image.src, { maxPixels });
                await writeFile(path.join(dir, String(image.index)), bytes);
                ready.push(image);
              } catch (error) {
                fail(image, error);
              }
            } finally {
              tick();
            }
          }),
        ),
      );
      let survivors = ready.sort((a, b) => a.index - b.index);
      // A photo that passes the header check can still fail to decode: lay out again without it.
      for (;;) {
        if (survivors.length === 0) break;
        poster = survivors.length === ready.length ? poster : createPoster(spec.width, spec.height, spec.background);
        const layout = layoutSpec({ ...spec, images: survivors });
        const drawn = await Promise.all(
          survivors.map((image, j) => inFlight(async () => draw(image, await readFile(path.join(dir, String(image.index))), layout.boxes[j]!))),
        );
        const next = survivors.filter((_, j) => drawn[j]);
        if (next.length === survivors.length) break;
        survivors = next;
      }
      if (survivors.length === 0 && failures.length > 0) {
        throw new ImagesFailedError(sortFailures(failures, spec.images), total);
      }
    }
  } finally {
    await loader.close();
    if (spool) await rm(spool, { recursive: true, force: true });
  }
  timings.images = performance.now() - imagesStarted;
  sortFailures(failures, spec.images);
  if (failures.length > 0 && policy === 'fail') throw new ImagesFailedError(failures, total);
  options.signal?.throwIfAborted();

  let t = performance.now();
  progress({ type: 'encode', format: spec.format });
  const encoded = await encodeImage(posterPixels(poster), spec.width, spec.height, spec);
  timings.encode = performance.now() - t;
  options.signal?.throwIfAborted();
  t = performance.now();
  await writeOutput(spec.output, encoded);
  timings.write = performance.now() - t;
  timings.total = performance.now() - started;
  progress({ type: 'written', path: spec.output, bytes: encoded.length });

  return {
    output: { path: spec.output, format: spec.format, width: spec.width, height: spec.height, dpi: spec.dpi, bytes: encoded.length },
    images: { total, fetched: counts.fetched, cached: counts.cached, failed: failures },
    timings: roundTimings(timings),
    ...(inputs && { inputs }),
  };
}

/** Placeholder cells are a neutral grey, so a missing photo is visible but not loud. */
export const PLACEHOLDER_COLOR = 'rgb(208, 208, 208)';

function fillPlaceholder(poster: Poster, box: Box): void {
  poster.context.fillStyle = PLACEHOLDER_COLOR;
  poster.context.fillRect(box.x, box.y, box.width, box.height);
}

function toFailure(image: ImageSpec, error: unknown): ImageFailure {
  if (error instanceof ImageError) {
    return {
      src: image.src,
      reason: error.reason,
      attempts: error.attempts ?? 0,
      ...(error.status !== undefined && { status: error.status }),
    };
  }
  return { src: image.src, reason: errorMessage(error), attempts: 0 };
}

function sortFailures(failures: ImageFailure[], images: ImageSpec[]): ImageFailure[] {
  const order = new Map(images.map((image) => [image.src, image.index]));
  return failures.sort((a, b) => (order.get(a.src) ?? 0) - (order.get(b.src) ?? 0));
}

function roundTimings<T extends Record<string, number>>(timings: T): T {
  return Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, Math.round(v)])) as T;
}
