/** `build()`: the whole pipeline, manifest → sources → decode → layout → render → output. */
import { performance } from 'node:perf_hooks';
import * as v from 'valibot';
import { CellCacheOptionsSchema, openCellCache, type CellCache, type CellCacheOptions } from './cells/index.js';
import { abortSignal, atLeast, callback, checkOptions, flag, integer, optionsSchema, positive, textOrNull } from './options.js';
import { CollageError, ExitCode, ImagesFailedError, LowResolutionError, type ImageFailure, type LowResolutionPhoto } from './errors.js';
import { startJobDeadline } from './deadline.js';
import { ImageSession, type ProbedImage } from './images.js';
import { contentBox, type Box, type ImageShape, type PageLayout } from './layout/index.js';
import {
  loadManifest,
  ManifestOverridesSchema,
  outputSize,
  type CollageSpec,
  type ImageSpec,
  type ManifestOverrides,
  type ManifestSource,
  type OutputFormat,
} from './manifest/index.js';
import { checkOutput, writeOutput, type OutputPolicy } from './output/index.js';
import { checkMaxMemory, formatMegabytes, MIN_MAX_MEMORY } from './memory.js';
import { bandLayout, createPosterEncoder, type PosterEncoder } from './output/stream.js';
import { BandTracker } from './render/bands.js';
import { BandReuse, recipesApply } from './band-reuse.js';
import { calendarUpFront, layoutSpec, needsHeadersFirst, orderByDate, overCrop } from './plan.js';
import { captionStrips } from './render/strips.js';
import { createPoster, fillBox, type Poster } from './render/index.js';
import { lookReach } from './render/looks.js';
import { BleedBands, withBleedReach } from './render/bleed-bands.js';
import { FetchOptionsSchema, type FetchOptions, type InputValidators } from './sources/index.js';
import { prepareJobFonts } from './job-fonts.js';
import type { BuildWarning } from './warnings.js';
import { calendarPhotos, calendarReport, expectedCell, isCalendar, type CalendarReport } from './calendar.js';
import type { CalendarPage } from './layout/index.js';
import type { Day } from './layout/days.js';
import { CalendarPainter } from './render/calendar.js';
import { assessResolution, layoutShapes, summarizeResolution, type ResolutionSummary, type SizeOf } from './preflight/index.js';

export type ProgressEvent =
  | { type: 'start'; total: number; width: number; height: number; output: string }
  | { type: 'image'; done: number; failed: number; total: number; bytes: number; fetched: number; cached: number }
  | { type: 'encode'; format: OutputFormat }
  | { type: 'written'; path: string; bytes: number };

export interface BuildOptions extends ManifestOverrides {
  /**
   * Outputs must resolve inside this folder, after symbolic links (`--output-root`); else the
   * job is refused (exit 2) before anything is fetched. Default: anywhere.
   */
  outputRoot?: string | null;
  /** Write through an output that is a symbolic link, to its target (default: refuse it, exit 2). */
  followSymlinks?: boolean;
  /** Network, cache and file limits; `concurrency` is the number of images in flight. */
  fetch?: Partial<FetchOptions>;
  /** Largest decoded image, in pixels (default 120 Mpx). */
  maxPixels?: number;
  /**
   * The job's memory budget in bytes (default: half the machine's or container's memory). The
   * poster takes its part first; each photo's decode waits until what its header says it needs
   * fits in the rest, and one that could never fit fails (see src/memory.ts).
   */
  maxMemory?: number;
  /**
   * Keep each photo's decoded cell on disk and reuse it when the same bytes fill a cell of the
   * same size the same way again (cells/): a rebuild decodes only what changed. Default: off
   * (the command: on, under the download cache folder).
   */
  cellCache?: CellCacheOptions | null;
  signal?: AbortSignal;
  /**
   * The longest the whole job may take, ms. Photos it catches unfinished fail with the reason
   * "job deadline (N s) passed" and nothing is written, whatever `onError` says
   * (ImagesFailedError, exit 3); a deadline that passes after every photo is in stops the
   * render (CollageError, exit 1).
   */
  jobTimeout?: number;
  onProgress?: (event: ProgressEvent) => void;
  /** (batch) Put each input's validators in `BuildReport.inputs`. */
  recordInputs?: boolean;
}

/** What build() accepts (see options.ts): a bad or unknown option is one error naming it, before any work. */
export const BuildOptionsSchema = optionsSchema<BuildOptions>({
  ...ManifestOverridesSchema.entries,
  outputRoot: textOrNull,
  followSymlinks: flag,
  fetch: v.optional(FetchOptionsSchema),
  maxPixels: integer(1),
  maxMemory: atLeast(MIN_MAX_MEMORY, `a number of bytes ≥ ${formatMegabytes(MIN_MAX_MEMORY)}`),
  cellCache: v.optional(v.nullable(CellCacheOptionsSchema)),
  signal: abortSignal,
  jobTimeout: positive('milliseconds'),
  onProgress: callback,
  recordInputs: flag,
});

export interface BuildReport {
  /**
   * `bandsReused`: encoded bands of the output taken from the cell cache by what is drawn into
   * them, without drawing them (present when any was).
   */
  output: { path: string; format: OutputFormat; width: number; height: number; dpi: number; bytes: number; bandsReused?: number };
  /** `decoded`: photos decoded; `cellCached`: photos whose cell came from the cell cache instead. */
  images: {
    total: number;
    fetched: number;
    cached: number;
    failed: ImageFailure[];
    decoded: number;
    cellCached: number;
    /** Photos whose effective resolution is under `resolution.minDpi`, in manifest order. */
    lowResolution: LowResolutionPhoto[];
    /** The threshold, the lowest and median effective dpi, and what resolution-aware sizing saved. */
    resolution: ResolutionSummary;
  };
  /**
   * How the layout treated the photos: the crop bound (%), every photo cropped past it (with the
   * share hidden, %), the share of the content box left background (%) where the page could not
   * be filled within it, and a grid's empty cells.
   */
  layout: { type: CollageSpec['layout']['type']; maxCrop: number; overCrop: { src: string; crop: number }[]; unfilled?: number; emptyCells?: number };
  /**
   * Milliseconds. `fetch`, `decode` and `draw` are summed across photos (they overlap, so each can
   * exceed `total`); the rest are wall time; `imagesCpu` is the process's CPU time (all threads)
   * during the images phase.
   */
  timings: { manifest: number; images: number; imagesCpu: number; fetch: number; decode: number; draw: number; encode: number; write: number; total: number };
  /** With `recordInputs`: per image (manifest order), what identifies the bytes used; null when it failed. */
  inputs?: (InputValidators | null)[];
  /** What the user should know though the output was written (e.g. caption characters left out). */
  warnings: BuildWarning[];
  /** Calendar: the span, days with photos, missed days and duplicates (photos left out). */
  calendar?: CalendarReport;
}

/** Placeholder cells are a neutral grey, so a missing photo is visible but not loud. */
export const PLACEHOLDER_COLOR = { r: 208, g: 208, b: 208, a: 1 } as const;

export async function build(manifest: ManifestSource, options: BuildOptions = {}): Promise<BuildReport> {
  const started = performance.now();
  checkOptions(BuildOptionsSchema, options);
  return buildSpec(await loadManifest(manifest, options), options, started);
}

/** build() on a manifest already read and normalised (batch builds exactly the text it read and locked). */
export async function buildSpec(spec: CollageSpec, options: BuildOptions = {}, started = performance.now()): Promise<BuildReport> {
  checkMaxMemory(options.maxMemory);
  const deadline = startJobDeadline(options.jobTimeout);
  try {
    return await buildWithin(spec, options, started, deadline?.signal);
  } finally {
    deadline?.clear();
  }
}

async function buildWithin(spec: CollageSpec, options: BuildOptions, started: number, deadline: AbortSignal | undefined): Promise<BuildReport> {
  // A grid needs no image sizes, so an impossible one is refused before any download; so
  // does a calendar whose days and cell shape the manifest gives.
  const twoPass = needsHeadersFirst(spec) || spec.onError === 'skip';
  const early = twoPass ? null : calendarUpFront(spec);
  const shown = new Set(early?.choice.placed);
  const arriving: Arriving | null = twoPass
    ? null
    : early
      ? {
          images: early.choice.placed,
          page: early.page,
          calendar: { page: early.page.calendar!, days: early.choice.days },
          unshown: spec.images.filter((image) => !shown.has(image)),
        }
      : { images: spec.images, page: layoutSpec(spec) };
  const size = outputSize(spec);
  const policy: OutputPolicy = { root: options.outputRoot ?? null, followSymlinks: options.followSymlinks ?? false };
  const destination = await checkOutput(spec.output, policy, spec.manifestFile);
  const timings = { manifest: performance.now() - started, images: 0, imagesCpu: 0, fetch: 0, decode: 0, draw: 0, encode: 0, write: 0, total: 0 };
  const progress = options.onProgress ?? (() => {});
  const total = spec.images.length;
  progress({ type: 'start', total, width: size.width, height: size.height, output: spec.output });

  const cells = options.cellCache ? openCellCache(options.cellCache) : null;
  const session = new ImageSession(spec, {
    ...options,
    deadline,
    cells,
    onImage: (counts, failed) => progress({ type: 'image', total, failed, ...counts }),
  });
  const imagesStarted = performance.now();
  const cpuStarted = process.cpuUsage();
  let target: Target | null;
  const warnings: BuildWarning[] = [...spec.warnings];
  try {
    const fonts = await prepareJobFonts(spec, session);
    try {
      warnings.push(...fonts.warnings);
      target = arriving ? await drawAsTheyArrive(spec, session, arriving, cells) : await probeThenDraw(spec, session, cells);
      if (target && early) target.calendar = calendarReport(early.page.calendar!, early.choice.days, early.choice);
    } finally {
      fonts.release();
    }
  } finally {
    await session.close();
  }
  timings.images = performance.now() - imagesStarted;
  const cpu = process.cpuUsage(cpuStarted);
  timings.imagesCpu = (cpu.user + cpu.system) / 1000;
  Object.assign(timings, session.timings);
  const failed = session.report();
  if (!target || (failed.length > 0 && (spec.onError === 'fail' || failed.length === total)) || options.signal?.aborted || deadline?.aborted) {
    target?.encoder.abort();
    options.signal?.throwIfAborted();
    if (failed.length === 0) throw pastDeadline(options);
    throw new ImagesFailedError(failed, total);
  }
  const sizeOf: SizeOf = (index) => session.sizeOf(index);
  const resolution = assessResolution(spec, target.placed, target.boxes, sizeOf);
  if (spec.preflight.onLowRes === 'fail' && resolution.low.length > 0) {
    target.encoder.abort();
    throw new LowResolutionError(resolution.low, total, spec.preflight.minDpi);
  }

  // Most bands are encoded already (as they were finished); the rest, and the join, now.
  let t = performance.now();
  progress({ type: 'encode', format: spec.format });
  const { encoder, tracker } = target;
  tracker.finishAll();
  // The file as its pieces: a JPEG's bands are written as they are, not copied into one buffer.
  const encoded = await encoder.finishParts();
  const bytes = encoded.reduce((sum, part) => sum + part.length, 0);
  timings.encode = performance.now() - t;
  options.signal?.throwIfAborted();
  if (deadline?.aborted) throw pastDeadline(options);
  t = performance.now();
  await writeOutput(destination, encoded);
  timings.write = performance.now() - t;
  // Bands encoded after the photos were drawn go into the cache too (cells/store.ts).
  await cells?.cells.flush().catch(() => {});
  timings.total = performance.now() - started;
  progress({ type: 'written', path: spec.output, bytes });

  return {
    output: {
      path: spec.output,
      format: spec.format,
      width: size.width,
      height: size.height,
      dpi: spec.dpi,
      bytes,
      ...(target.reuse && target.reuse.reused > 0 && { bandsReused: target.reuse.reused }),
    },
    images: {
      total,
      fetched: session.counts.fetched,
      cached: session.counts.cached,
      failed,
      decoded: session.counts.decoded,
      cellCached: session.counts.cellCached,
      lowResolution: resolution.low,
      resolution: summarizeResolution(spec, target.placed, resolution, sizeOf),
    },
    layout: layoutReport(spec, target.placed, target.page, session.crops),
    timings: roundTimings(timings),
    ...(session.inputs && { inputs: session.inputs }),
    warnings,
    ...(target.calendar && { calendar: target.calendar }),
  };
}

/** The deadline passed with every photo in: the render is stopped (exit 1). */
function pastDeadline(options: BuildOptions): CollageError {
  return new CollageError(`job deadline (${+(options.jobTimeout! / 1000).toFixed(3)} s) passed while rendering; nothing written`, ExitCode.unexpected);
}

/** The poster being drawn, the encoder that takes its bands as they are finished, and what tells it when. */
interface Target {
  poster: Poster;
  encoder: PosterEncoder;
  tracker: BandTracker;
  /** The photos in layout order, their layout, and their boxes on the poster (for the resolution check). */
  placed: readonly ImageSpec[];
  page: PageLayout;
  boxes: readonly Box[];
  /** A photo under the resolution threshold with `onLowRes: fail`: nothing will be written. */
  refused: boolean;
  /** Bands found in the cell cache by what is drawn into them, and the cells they make unnecessary. */
  reuse: BandReuse | null;
  /** Calendar: draws its labels and missed days, and each photo's day number. */
  painter?: CalendarPainter;
  /** Calendar: each box's day. */
  days?: readonly Day[];
  calendar?: CalendarReport;
}

/** A calendar's page and the day of each box. */
interface CalendarTarget {
  page: CalendarPage;
  days: readonly Day[];
}

/** The report's `layout`: crops as drawn (a caption strip shortens a photo's box), in %. */
function layoutReport(spec: CollageSpec, placed: readonly ImageSpec[], page: PageLayout, crops: ReadonlyMap<number, number>): BuildReport['layout'] {
  const percent = (share: number) => Math.round(share * 10000) / 100;
  return {
    type: spec.layout.type,
    maxCrop: percent(spec.layout.maxCrop),
    overCrop: overCrop(
      placed,
      placed.map((image) => crops.get(image.index)),
      spec.layout.maxCrop,
    ).map(({ src, crop }) => ({ src, crop })),
    ...(page.unfilled > 0 && { unfilled: percent(page.unfilled) }),
    ...(page.emptyCells !== undefined && { emptyCells: page.emptyCells }),
  };
}

/**
 * A blank poster for `images` in `boxes` (on the poster), its encoder started on the bands no
 * box reaches. Boxes a photo will cover whole are left unpainted.
 */
async function startTarget(
  spec: CollageSpec,
  session: ImageSession,
  images: readonly ImageSpec[],
  boxes: readonly Box[],
  strips: readonly number[],
  page: PageLayout,
  cells: CellCache | null,
  calendar?: CalendarTarget,
): Promise<Target> {
  const { width, height } = outputSize(spec);
  const covered = boxes.filter((_, i) => session.coversBox(images[i]!, strips[i]));
  const poster = createPoster(width, height, spec.background, { ...bandLayout(spec.format, width, height), covered });
  // A cell may write past its box (a look's shadow: see render/looks.ts).
  const spread = lookReach(spec.gap);
  const spans = boxes.map((box) => withBleedReach({ y: box.y - spread, height: box.height + 2 * spread }, height, spec.bleed));
  // The calendar's labels and missed days are drawn into a band just before it is final.
  const painter = calendar && isCalendar(spec) ? new CalendarPainter(poster, calendar.page, spec.layout, calendar.days, spec.bleed.size) : undefined;
  const reuse = cells && recipesApply(spec, images) ? new BandReuse(spec, images, boxes, strips, spans, poster, cells, session, painter) : null;
  await reuse?.prepare();
  const encoder = createPosterEncoder(poster, { ...spec, bleed: spec.bleed.size }, cells?.bands ?? null, reuse);
  // A band drawn is final once its bleed is finished too (mirror, crop marks: see render/bleed-bands.ts).
  const bleed = new BleedBands(
    poster,
    spec.bleed,
    spec.cropMarks,
    spec.dpi,
    (band) => encoder.band(band),
    (band) => reuse?.bytes.has(band) ?? false,
  );
  const tracker = new BandTracker(height, poster.bandRows, spans, (band) => {
    // A reused band no band being drawn copies from is never painted.
    if (bleed.needed(band)) painter?.band(band);
    bleed.done(band);
  });
  tracker.start();
  return { poster, encoder, tracker, placed: images, page, boxes, refused: false, reuse, ...(painter && { painter, days: calendar!.days }) };
}

/** Photos whose boxes are known before any is fetched, their layout, and the calendar they are on. */
interface Arriving {
  images: readonly ImageSpec[];
  page: PageLayout;
  calendar?: CalendarTarget;
  /** Photos not shown (a calendar's duplicates, days outside it): fetched and checked like the rest, not drawn. */
  unshown?: readonly ImageSpec[];
}

/** Grid (and a calendar known up front): each photo is drawn into its cell the moment it arrives, then released. */
async function drawAsTheyArrive(spec: CollageSpec, session: ImageSession, { images, page, calendar, unshown = [] }: Arriving, cells: CellCache | null): Promise<Target> {
  const boxes = onPoster(spec, page.boxes);
  const strips = captionStrips(
    images.map((image) => image.look),
    boxes,
  );
  const target = await startTarget(spec, session, images, boxes, strips, page, cells, calendar);
  const { poster } = target;
  await session.forEach([...images, ...unshown], async (image, i) => {
    // Every band this cell's pixels end up in is reused whole: nothing to draw.
    const skip = i < images.length ? target.reuse?.skip[i] : null;
    if (skip && session.skipDrawing(image, skip)) {
      cellDone(spec, session, target, boxes, i, 'skipped');
      return;
    }
    await target.encoder.ready();
    // A local photo whose cell is cached is neither read nor decoded.
    if (i < images.length && !(spec.onError === 'fail' && session.failed) && (await session.drawCached(poster, image, boxes[i]!, strips[i]))) {
      cellDone(spec, session, target, boxes, i, true);
      return;
    }
    const bytes = await session.load(image);
    let drawn = false;
    if (bytes !== null) {
      try {
        // Under `fail` one failure means nothing is written: keep fetching and checking headers
        // to report every failure, but stop spending CPU on pixels.
        if (i >= images.length || (spec.onError === 'fail' && session.failed) || target.refused) await session.check(image, bytes);
        else drawn = await session.draw(poster, image, bytes, boxes[i]!, undefined, undefined, strips[i]);
        // The grid knew no sizes before: each photo's resolution is known once its header is read.
        if (i < images.length && spec.preflight.onLowRes === 'fail' && isLowResolution(spec, session, image, boxes[i]!)) target.refused = true;
      } finally {
        session.release(bytes);
      }
    }
    if (i < images.length) cellDone(spec, session, target, boxes, i, drawn);
  });
  return target;
}

/**
 * Cell `index` is drawn, or failed: its placeholder if asked, then its rows may be final. A cell
 * `skipped` (every band it is in reused whole) has nothing drawn over it either.
 */
function cellDone(spec: CollageSpec, session: ImageSession, target: Target, boxes: readonly Box[], index: number, drawn: boolean | 'skipped'): void {
  if (!drawn && spec.onError === 'placeholder') fillBox(target.poster, boxes[index]!, PLACEHOLDER_COLOR);
  if (target.painter && drawn !== 'skipped' && !(spec.onError === 'fail' && session.failed)) target.painter.photoDrawn(target.days![index]!);
  // Under `fail` nothing will be written: stop encoding.
  if ((spec.onError === 'fail' && session.failed) || target.refused) target.encoder.abort();
  target.tracker.done(index);
}

/**
 * Layouts that follow the photos' shapes (and `skip`, which lays out only the survivors)
 * need every header before any box exists: fetch and probe all, lay out, then draw.
 */
async function probeThenDraw(spec: CollageSpec, session: ImageSession, cells: CellCache | null): Promise<Target | null> {
  const probed = new Map<number, ProbedImage>();
  // A calendar's cells are all one size, known closely before any header: decode while downloading.
  const proxyCell = isCalendar(spec) ? expectedCell(spec) : undefined;
  await session.forEach(spec.images, async (image) => {
    const result = await session.probe(image, !(spec.onError === 'fail' && session.failed), proxyCell);
    if (result) probed.set(image.index, result);
  });
  if (spec.onError === 'fail' && session.failed) return null;

  const listed = spec.onError === 'skip' ? spec.images.filter((image) => probed.has(image.index)) : spec.images;
  const facts = (index: number) => {
    const header = probed.get(index)?.header;
    return header && { taken: header.taken, pixels: header.width * header.height };
  };
  const calendar = isCalendar(spec) ? calendarPhotos(spec, listed, facts, new Set(session.failures.map((f) => f.index)), (image, error) => session.fail(image, error)) : undefined;
  if (spec.onError === 'fail' && session.failed) return null;
  // Every photo failed or had no date: nothing to place (build() reports the failures).
  if (calendar && calendar.placed.length === 0 && session.failed) return null;
  let placed = calendar ? calendar.placed : orderByDate(spec, listed, (index) => probed.get(index)?.header.taken);
  let days = calendar?.days;
  for (;;) {
    // A failed image keeps a square slot under `placeholder`.
    const sizeOf: SizeOf = (index) => session.sizeOf(index);
    const shapes: ImageShape[] = layoutShapes(spec, placed, sizeOf).map((shape, j) => ({ ...shape, ...(days && { day: days[j] }) }));
    const page = placed.length > 0 || calendar ? layoutSpec({ ...spec, images: placed }, shapes) : emptyPage(spec);
    const boxes = onPoster(spec, page.boxes);
    // Every size is known before any pixel: under `onLowRes: fail` a photo too small for its cell stops the job here.
    const low = assessResolution(spec, placed, boxes, sizeOf).low;
    if (spec.preflight.onLowRes === 'fail' && low.length > 0) throw new LowResolutionError(low, spec.images.length, spec.preflight.minDpi);
    const strips = captionStrips(
      placed.map((image) => image.look),
      boxes,
    );
    const target = await startTarget(spec, session, placed, boxes, strips, page, cells, page.calendar && days && { page: page.calendar, days });
    if (calendar && page.calendar) target.calendar = calendarReport(page.calendar, days!, calendar);
    const { poster } = target;
    const drawn: boolean[] = new Array(placed.length).fill(false);
    // Top to bottom, so bands are finished (and encoded) in turn while the rest is drawn.
    const order = placed.map((_, j) => j).sort((a, b) => boxes[a]!.y - boxes[b]!.y || boxes[a]!.x - boxes[b]!.x);
    await Promise.all(
      order.map((j) =>
        session.inFlight(async () => {
          const image = placed[j]!;
          // Every band this cell's pixels end up in is reused whole: nothing to draw.
          const skip = target.reuse?.skip[j];
          if (skip && session.skipDrawing(image, skip)) {
            drawn[j] = true;
            cellDone(spec, session, target, boxes, j, 'skipped');
            return;
          }
          await target.encoder.ready();
          const source = probed.get(image.index);
          drawn[j] = source ? await session.drawProbed(poster, image, source, boxes[j]!, strips[j]) : false;
          cellDone(spec, session, target, boxes, j, drawn[j]);
        }),
      ),
    );
    // A photo whose header was fine can still fail to decode: under `skip`, lay out again without it.
    const survivors = placed.filter((_, j) => drawn[j]);
    if (spec.onError !== 'skip' || survivors.length === placed.length || survivors.length === 0) return target;
    target.encoder.abort();
    days = days?.filter((_, j) => drawn[j]);
    placed = survivors;
  }
}

/** Nothing to lay out (every photo failed under skip). */
function emptyPage(spec: CollageSpec): PageLayout {
  return { content: contentBox(spec), boxes: [], columns: 0, rows: 0, unfilled: 0 };
}

/** Whether the photo, its header read, prints under the threshold in `box`. */
function isLowResolution(spec: CollageSpec, session: ImageSession, image: ImageSpec, box: Box): boolean {
  return assessResolution(spec, [image], [box], (index) => session.sizeOf(index)).low.length > 0;
}

/** Layout boxes are on the trim box; the poster has the bleed around it. */
function onPoster(spec: CollageSpec, boxes: readonly Box[]): Box[] {
  const b = spec.bleed.size;
  return b === 0 ? [...boxes] : boxes.map((box) => ({ ...box, x: box.x + b, y: box.y + b }));
}

function roundTimings<T extends Record<string, number>>(timings: T): T {
  return Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, Math.round(v)])) as T;
}

export type { ImageSpec };
