/**
 * `proof()`: a small preview of the print for a customer to approve (long edge ~2,000 px), with
 * every photo under the resolution threshold outlined and labelled with the dpi it prints at,
 * the trim line and bleed drawn, and a legend strip (proof/legend.ts).
 *
 * The page is laid out twice from the same photo shapes: at the print's dpi, where each
 * photo's effective resolution is judged, and at the proof's, where it is drawn. Photos decode
 * straight to their proof cells (JPEG shrink-on-load), so a proof costs the downloads and a
 * fraction of the print's decoding; the poster is a few MB and held whole.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ProgressEvent } from '../build.js';
import { ImagesFailedError, type ImageFailure } from '../errors.js';
import { ImageSession, type ProbedImage } from '../images.js';
import type { Box } from '../layout/index.js';
import { loadManifest, outputSize, type CollageSpec, type ImageSpec, type ManifestOverrides, type ManifestSource } from '../manifest/index.js';
import { checkOutput, writeOutput } from '../output/index.js';
import { layoutSpec, needsHeadersFirst, orderByDate } from '../plan.js';
import { assessResolution, layoutShapes, summarizeResolution, type LowResolutionPhoto, type ResolutionSummary, type SizeOf } from '../preflight/index.js';
import { finishBleed } from '../render/bleed-bands.js';
import { createPoster, fillBox, type Poster } from '../render/index.js';
import type { FetchOptions } from '../sources/index.js';
import { composeProof, PROOF_FAILED_COLOR } from './compose.js';

/** The proof's long edge, px (it is never larger than the print itself). */
export const PROOF_LONG_EDGE = 2000;

export interface ProofOptions extends ManifestOverrides {
  /** The proof must resolve inside this folder, after symbolic links (as build's `outputRoot`). */
  outputRoot?: string | null;
  /** Write through a proof path that is a symbolic link (default: refuse it, exit 2). */
  followSymlinks?: boolean;
  /** Long edge of the proof, px (default 2,000); the proof's dpi is what gives it. */
  longEdge?: number;
  fetch?: Partial<FetchOptions>;
  maxPixels?: number;
  /** Memory the proof may use, bytes (as build()'s; its poster is a few MB). */
  maxMemory?: number;
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
}

export interface ProofReport {
  output: { path: string; format: 'png' | 'jpeg'; width: number; height: number; dpi: number; bytes: number };
  /** The print the proof shows: its size with bleed, in px at its dpi and in inches. */
  print: { width: number; height: number; dpi: number; widthIn: number; heightIn: number; bleedIn: number };
  images: {
    total: number;
    fetched: number;
    cached: number;
    failed: ImageFailure[];
    lowResolution: LowResolutionPhoto[];
    resolution: ResolutionSummary;
  };
  timings: { images: number; compose: number; total: number };
}

export async function proof(manifest: ManifestSource, options: ProofOptions = {}): Promise<ProofReport> {
  const started = performance.now();
  // The print as ordered (its output is not written: the proof's file is its own). An inline
  // manifest without an output borrows the proof's name, so it validates.
  const borrowed = typeof manifest === 'object' && manifest.output === undefined && options.output !== undefined;
  const named = borrowed ? { output: options.output, format: proofFormat(options.output!) } : { output: undefined };
  const print = await loadManifest(manifest, { ...options, ...named });
  const file = options.output !== undefined ? path.resolve(options.cwd ?? process.cwd(), options.output) : defaultProofPath(print.output);
  const format = proofFormat(file);
  const printSize = outputSize(print);
  const longEdge = Math.max(1, Math.round(options.longEdge ?? PROOF_LONG_EDGE));
  const dpi = Math.max(1, Math.min(print.dpi, Math.floor((longEdge * print.dpi) / Math.max(printSize.width, printSize.height))));
  const preview = await loadManifest(manifest, { ...options, output: file, format, previewDpi: dpi });
  const destination = await checkOutput(file, { root: options.outputRoot ?? null, followSymlinks: options.followSymlinks ?? false }, print.manifestFile);

  const progress = options.onProgress ?? (() => {});
  const total = print.images.length;
  const size = outputSize(preview);
  progress({ type: 'start', total, width: size.width, height: size.height, output: file });
  const session = new ImageSession(preview, { ...options, onImage: (counts, failed) => progress({ type: 'image', total, failed, ...counts }) });
  const poster = createPoster(size.width, size.height, preview.background);
  let drawn: Drawn;
  try {
    drawn = needsHeadersFirst(print) || print.onError === 'skip' ? await probeThenDraw(print, preview, session, poster) : await drawAsTheyArrive(print, preview, session, poster);
  } finally {
    await session.close();
  }
  const imagesMs = performance.now() - started;
  const failed = session.report();
  if (failed.length > 0 && (print.onError === 'fail' || failed.length === total)) {
    options.signal?.throwIfAborted();
    throw new ImagesFailedError(failed, total);
  }
  options.signal?.throwIfAborted();

  const t = performance.now();
  finishBleed(poster, preview.bleed, preview.cropMarks, preview.dpi);
  const sizeOf: SizeOf = (index) => session.sizeOf(index);
  const check = assessResolution(print, drawn.placed, drawn.printBoxes, sizeOf);
  const resolution = summarizeResolution(print, drawn.placed, check, sizeOf);
  progress({ type: 'encode', format });
  const composed = await composeProof(poster, {
    format,
    dpi,
    print,
    placed: drawn.placed,
    boxes: drawn.previewBoxes,
    failed: new Set(failed.map((f) => f.src)),
    low: check.low,
    resolution,
    bleed: preview.bleed.size,
  });
  const composeMs = performance.now() - t;
  options.signal?.throwIfAborted();
  await writeOutput(destination, composed.bytes);
  progress({ type: 'written', path: file, bytes: composed.bytes.length });
  const inches = (px: number) => Math.round((px / print.dpi) * 100) / 100;
  return {
    output: { path: file, format, width: composed.width, height: composed.height, dpi, bytes: composed.bytes.length },
    print: {
      width: printSize.width,
      height: printSize.height,
      dpi: print.dpi,
      widthIn: inches(printSize.width),
      heightIn: inches(printSize.height),
      bleedIn: inches(print.bleed.size),
    },
    images: { total, fetched: session.counts.fetched, cached: session.counts.cached, failed, lowResolution: check.low, resolution },
    timings: { images: Math.round(imagesMs), compose: Math.round(composeMs), total: Math.round(performance.now() - started) },
  };
}

/** JPEG when the file is named so (smaller, for email), else PNG. */
function proofFormat(file: string): 'png' | 'jpeg' {
  return /\.jpe?g$/i.test(file) ? 'jpeg' : 'png';
}

/** `poster.jpg` → `poster.proof.png`, beside it. */
export function defaultProofPath(output: string): string {
  const parsed = path.parse(output);
  return path.join(parsed.dir, `${parsed.name}.proof.png`);
}

interface Drawn {
  /** The photos in the order of the boxes. */
  placed: readonly ImageSpec[];
  /** Their cells on the print (bleed included), where resolution is judged, and on the proof. */
  printBoxes: readonly Box[];
  previewBoxes: readonly Box[];
}

/** Grid: the same cells whatever the photos; each drawn as it arrives. */
async function drawAsTheyArrive(print: CollageSpec, preview: CollageSpec, session: ImageSession, poster: Poster): Promise<Drawn> {
  const printBoxes = onPoster(print, layoutSpec(print).boxes);
  const previewBoxes = onPoster(preview, layoutSpec(preview).boxes);
  await session.forEach(preview.images, async (image, i) => {
    const bytes = await session.load(image);
    let drawn = false;
    if (bytes !== null) {
      try {
        drawn = await session.draw(poster, image, bytes, previewBoxes[i]!);
      } finally {
        session.release(bytes);
      }
    }
    if (!drawn) fillBox(poster, previewBoxes[i]!, PROOF_FAILED_COLOR);
  });
  return { placed: preview.images, printBoxes, previewBoxes };
}

/** Layouts that follow the photos' shapes (and `skip`): every header first, then both layouts, then the pixels. */
async function probeThenDraw(print: CollageSpec, preview: CollageSpec, session: ImageSession, poster: Poster): Promise<Drawn> {
  const probed = new Map<number, ProbedImage>();
  await session.forEach(preview.images, async (image) => {
    const result = await session.probe(image, true);
    if (result) probed.set(image.index, result);
  });
  const listed = print.onError === 'skip' ? preview.images.filter((image) => probed.has(image.index)) : preview.images;
  const placed = orderByDate(print, listed, (index) => probed.get(index)?.header.taken);
  if (placed.length === 0) return { placed, printBoxes: [], previewBoxes: [] };
  // One set of shapes (resolution-aware weights judged at the print's dpi) for both layouts.
  const shapes = layoutShapes(print, placed, (index) => session.sizeOf(index));
  const printBoxes = onPoster(print, layoutSpec({ ...print, images: placed }, shapes).boxes);
  const previewBoxes = onPoster(preview, layoutSpec({ ...preview, images: placed }, shapes).boxes);
  await Promise.all(
    placed.map((image, j) =>
      session.inFlight(async () => {
        const source = probed.get(image.index);
        const drawn = source ? await session.drawProbed(poster, image, source, previewBoxes[j]!) : false;
        if (!drawn) fillBox(poster, previewBoxes[j]!, PROOF_FAILED_COLOR);
      }),
    ),
  );
  return { placed, printBoxes, previewBoxes };
}

/** Layout boxes are on the trim box; the poster has the bleed around it. */
function onPoster(spec: CollageSpec, boxes: readonly Box[]): Box[] {
  const b = spec.bleed.size;
  return boxes.map((box) => ({ ...box, x: box.x + b, y: box.y + b }));
}
