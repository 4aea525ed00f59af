/** `build()`: the whole pipeline, manifest → sources → decode → layout → render → output. */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import pLimit from 'p-limit';
import { ImageError, ImagesFailedError, errorMessage, type ImageFailure } from './errors.js';
import { DEFAULT_MAX_PIXELS, decodeImage } from './decode/index.js';
import { loadManifest, type ManifestOverrides, type ManifestSource, type OutputFormat } from './manifest/index.js';
import { encodeImage, writeOutput } from './output/index.js';
import { layoutSpec } from './plan.js';
import { createPoster, drawPhoto, posterPixels } from './render/index.js';
import { createSourceLoader, DEFAULT_FETCH_OPTIONS, type FetchOptions } from './sources/index.js';

export type ProgressEvent =
  | { type: 'start'; total: number; width: number; height: number; output: string }
  | { type: 'image'; done: number; failed: number; total: number; bytes: number }
  | { type: 'encode'; format: OutputFormat }
  | { type: 'written'; path: string; bytes: number };

export interface BuildOptions extends ManifestOverrides {
  /** Network and file limits; `concurrency` is the number of images in flight. */
  fetch?: Partial<FetchOptions>;
  /** Largest decoded image, in pixels (default 120 Mpx). */
  maxPixels?: number;
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
}

export interface BuildReport {
  output: { path: string; format: OutputFormat; width: number; height: number; dpi: number; bytes: number };
  images: { total: number; fetched: number; cached: number; failed: ImageFailure[] };
  /** Milliseconds. fetch/decode/draw are summed over images (they overlap); the rest are wall time. */
  timings: { manifest: number; images: number; fetch: number; decode: number; draw: number; encode: number; write: number; total: number };
}

export async function build(manifest: ManifestSource, options: BuildOptions = {}): Promise<BuildReport> {
  const started = performance.now();
  const spec = await loadManifest(manifest, options);
  const page = layoutSpec(spec);
  const timings = { manifest: performance.now() - started, images: 0, fetch: 0, decode: 0, draw: 0, encode: 0, write: 0, total: 0 };
  const progress = options.onProgress ?? (() => {});
  const total = spec.images.length;
  progress({ type: 'start', total, width: spec.width, height: spec.height, output: spec.output });

  const fetchOptions = { ...DEFAULT_FETCH_OPTIONS, ...options.fetch };
  const loader = createSourceLoader(fetchOptions);
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  // Images in flight bound both sockets and compressed bytes held; decodes are bound to the
  // cores because each holds a full-size bitmap.
  const inFlight = pLimit(fetchOptions.concurrency);
  const decoding = pLimit(Math.max(1, os.availableParallelism()));
  const poster = createPoster(spec.width, spec.height, spec.background);
  const failures: ImageFailure[] = [];
  let done = 0;
  let fetched = 0;
  let bytes = 0;

  const imagesStarted = performance.now();
  try {
    await Promise.all(
      spec.images.map((image, i) =>
        inFlight(async () => {
          try {
            let t = performance.now();
            const source = await loader.load(image, options.signal);
            timings.fetch += performance.now() - t;
            if (source.origin === 'network') fetched++;
            bytes += source.bytes.length;
            // Under the default `fail` policy one failure means nothing is written: keep
            // fetching to report every failure, but stop spending CPU on pixels.
            if (failures.length > 0) return;
            await decoding(async () => {
              t = performance.now();
              const decoded = await decodeImage(source.bytes, image.src, { maxPixels });
              timings.decode += performance.now() - t;
              t = performance.now();
              drawPhoto(poster, decoded.image, { box: page.boxes[i]!, fit: image.fit, focus: image.focus });
              timings.draw += performance.now() - t;
            });
          } catch (error) {
            options.signal?.throwIfAborted();
            failures.push({ src: image.src, reason: error instanceof ImageError ? error.reason : errorMessage(error) });
          } finally {
            done++;
            progress({ type: 'image', done, failed: failures.length, total, bytes });
          }
        }),
      ),
    );
  } finally {
    await loader.close();
  }
  timings.images = performance.now() - imagesStarted;
  if (failures.length > 0) {
    failures.sort((a, b) => spec.images.findIndex((im) => im.src === a.src) - spec.images.findIndex((im) => im.src === b.src));
    throw new ImagesFailedError(failures, total);
  }

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
    images: { total, fetched, cached: 0, failed: [] },
    timings: roundTimings(timings),
  };
}

function roundTimings<T extends Record<string, number>>(timings: T): T {
  return Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, Math.round(v)])) as T;
}
