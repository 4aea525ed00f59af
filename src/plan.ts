/** `plan()`: the layout as data (canvas size, every placement, quality figures), without rendering. */
import { ImagesFailedError, ManifestError, type ImageErrorCode } from './errors.js';
import { startJobDeadline } from './deadline.js';
import { ImageSession } from './images.js';
import { sortByDate } from './layout/order.js';
import { LayoutError, layoutMetrics, layoutPage, type Box, type ImageShape, type LayoutMetrics, type PageLayout, type PageLayoutSpec, type PlacedBox } from './layout/index.js';
import { loadManifest, ManifestOverridesSchema, outputSize, type CollageSpec, type Fit, type ImageSpec, type ManifestOverrides, type ManifestSource } from './manifest/index.js';
import { assessResolution, layoutShapes, summarizeResolution, type LowResolutionPhoto, type ResolutionSummary, type SizeOf } from './preflight/index.js';
import * as v from 'valibot';
import { abortSignal, checkOptions, flag, integer, optionsSchema, positive } from './options.js';
import { FetchOptionsSchema, type FetchOptions } from './sources/index.js';
import type { BuildWarning } from './warnings.js';
import { calendarKnownUpFront, calendarPhotos, calendarReport, chooseCalendarPhotos, isCalendar, type CalendarChoice, type CalendarReport, type PhotoFacts } from './calendar.js';

export interface Placement {
  index: number;
  src: string;
  x: number;
  y: number;
  width: number;
  height: number;
  fit: Fit;
  /** [x, y], or "auto" (found in each photo when it is drawn). */
  focus: [number, number] | 'auto';
  /** Share of the photo hidden by a cover fit, % (layouts that know the photo's shape). */
  crop?: number;
  /** Effective resolution: source pixels shown ÷ the cell's size in inches (absent when the photo could not be read). */
  dpi?: number;
}

export interface Plan {
  output: { path: string; format: CollageSpec['format'] };
  /** The whole output (trim + 2 × bleed); placements and `content` are in its pixels. */
  canvas: { width: number; height: number; dpi: number; background: string };
  /** The trim box, and the bleed around it (px per side), when there is a bleed. */
  trim?: Box;
  bleed?: { size: number; mode: CollageSpec['bleed']['mode']; cropMarks: boolean };
  content: Box;
  layout: PlanLayout;
  placements: Placement[];
  /** What the user should know about the manifest (a unitless small size, a mirror bleed with a margin). */
  warnings?: BuildWarning[];
  /** Coverage of the content box, crop and area balance (layouts that know the photos' shapes). */
  metrics?: LayoutMetrics;
  /** Images left out (`onError: skip`), shown as placeholders, or (grid) whose header could not be read. */
  failed?: { src: string; code: ImageErrorCode; reason: string }[];
  /** Calendar: the span, days with photos, missed days and duplicates. */
  calendar?: CalendarReport;
  /** The resolution check: threshold, lowest and median dpi, every photo under the threshold. */
  preflight?: ResolutionSummary & { onLowRes: CollageSpec['preflight']['onLowRes']; lowResolution: LowResolutionPhoto[] };
}

export interface PlanLayout {
  type: CollageSpec['layout']['type'];
  /** Grid and masonry columns, justified rows, a calendar's cells: absent where the layout has none (mosaic). */
  columns?: number;
  rows?: number;
  margin: number;
  gap: number;
  /** The crop bound, % (`layout.maxCrop`). */
  maxCrop: number;
  /** Grid: cells without a photo (a given columns × rows grid with fewer photos; never a derived one). */
  emptyCells?: number;
  /** Share of the content box left background because the page could not be filled within maxCrop, %. */
  unfilled?: number;
  /** Photos a cover fit crops more than maxCrop (when the photos' shapes are known). */
  overCrop?: CropReport[];
}

/** A photo cropped more than `layout.maxCrop`: its index and source, and the share hidden, %. */
export interface CropReport {
  index: number;
  src: string;
  crop: number;
}

export interface PlanOptions extends ManifestOverrides {
  /** Used only by layouts that need the photos' sizes (everything but grid). */
  fetch?: Partial<FetchOptions>;
  maxPixels?: number;
  signal?: AbortSignal;
  /** The longest fetching the photos' headers may take, ms (as build()'s `jobTimeout`). */
  jobTimeout?: number;
  /**
   * Read every photo's header (a range request for its first bytes where the server takes one)
   * to give each placement its effective dpi (default true). False: a grid plan fetches nothing.
   */
  preflight?: boolean;
}

/** What plan() accepts (see options.ts). */
export const PlanOptionsSchema = optionsSchema<PlanOptions>({
  ...ManifestOverridesSchema.entries,
  fetch: v.optional(FetchOptionsSchema),
  maxPixels: integer(1),
  signal: abortSignal,
  jobTimeout: positive('milliseconds'),
  preflight: flag,
});

/**
 * Every layout but grid follows the photos' shapes, so it needs their headers first; so does a
 * grid asked to ("cellAspect": "auto"). A calendar known from the manifest alone does not.
 */
export function needsImageShapes(spec: CollageSpec): boolean {
  if (isCalendar(spec)) return !calendarKnownUpFront(spec);
  return spec.layout.type !== 'grid' || spec.layout.cellAspect === 'auto';
}

/** Layouts that need the photos' shapes, and order "date" (EXIF), read every header before laying out. */
export function needsHeadersFirst(spec: CollageSpec): boolean {
  return needsImageShapes(spec) || spec.order.type === 'date';
}

/** Order "date": capture time from each header (undated and failed photos after, as listed). */
export function orderByDate<T extends ImageSpec>(spec: CollageSpec, images: readonly T[], taken: (index: number) => number | undefined): T[] {
  return spec.order.type === 'date' ? sortByDate(images, (image) => taken(image.index) ?? null) : [...images];
}

export async function plan(manifest: ManifestSource, options: PlanOptions = {}): Promise<Plan> {
  checkOptions(PlanOptionsSchema, options);
  const spec = await loadManifest(manifest, options);
  const shapesFirst = needsHeadersFirst(spec);
  // A calendar whose days and cell shape the manifest gives is laid out before any header.
  const early = shapesFirst ? null : calendarUpFront(spec);
  if (!shapesFirst && options.preflight === false) {
    if (!early) return describePlan(spec, spec.images, layoutSpec(spec));
    const described = describePlan(spec, early.choice.placed, early.page);
    described.calendar = calendarReport(early.page.calendar!, early.choice.days, early.choice);
    return described;
  }

  // Fetch only what is needed: each photo's header, from its first bytes where the server allows.
  const deadline = startJobDeadline(options.jobTimeout);
  const session = new ImageSession(spec, { ...options, deadline: deadline?.signal });
  const taken = new Map<number, number>();
  try {
    await session.forEach(spec.images, async (image) => {
      const header = await session.probeHeader(image);
      if (header?.taken !== undefined) taken.set(image.index, header.taken);
    });
  } finally {
    deadline?.clear();
    await session.close();
  }
  const sizeOf: SizeOf = (index) => session.sizeOf(index);
  const listed = shapesFirst && spec.onError === 'skip' ? spec.images.filter((image) => sizeOf(image.index) !== undefined) : spec.images;
  const facts = (index: number): PhotoFacts | undefined => {
    const size = sizeOf(index);
    return size && { taken: taken.get(index), pixels: size.width * size.height };
  };
  const calendar =
    shapesFirst && isCalendar(spec) ? calendarPhotos(spec, listed, facts, new Set(session.failures.map((f) => f.index)), (image, error) => session.fail(image, error)) : undefined;
  const failed = session.report();
  // A grid does not need the photos' shapes: one that cannot be read has no dpi, the plan stands.
  if (failed.length > 0 && (deadline?.signal.aborted || (shapesFirst && (spec.onError === 'fail' || failed.length === spec.images.length)))) {
    throw new ImagesFailedError(failed, spec.images.length);
  }
  let placed: readonly ImageSpec[];
  let page: PageLayout;
  if (early) {
    placed = early.choice.placed;
    page = early.page;
  } else if (shapesFirst) {
    placed = calendar ? calendar.placed : orderByDate(spec, listed, (index) => taken.get(index));
    const shapes = layoutShapes(spec, placed, sizeOf).map((shape, i) => ({ ...shape, ...(calendar && { day: calendar.days[i] }) }));
    page = layoutSpec({ ...spec, images: [...placed] }, shapes);
  } else {
    placed = listed;
    page = layoutSpec(spec);
  }
  const described = describePlan(spec, placed, page);
  if (failed.length > 0) described.failed = failed.map(({ src, code, reason }) => ({ src, code, reason }));
  if (early) described.calendar = calendarReport(early.page.calendar!, early.choice.days, early.choice);
  else if (calendar && page.calendar) described.calendar = calendarReport(page.calendar, calendar.days, calendar);
  const check = assessResolution(spec, placed, described.placements, sizeOf);
  described.placements.forEach((placement, j) => {
    const dpi = check.dpi[j];
    if (dpi !== null && dpi !== undefined) placement.dpi = dpi;
  });
  described.preflight = { ...summarizeResolution(spec, placed, check, sizeOf), onLowRes: spec.preflight.onLowRes, lowResolution: check.low };
  return described;
}

/**
 * A calendar whose days and cell shape the manifest gives (`calendarKnownUpFront`): its photos
 * and page before anything is fetched; null for every other layout.
 */
export function calendarUpFront(spec: CollageSpec): { choice: CalendarChoice<ImageSpec>; page: PageLayout } | null {
  if (!isCalendar(spec) || !calendarKnownUpFront(spec)) return null;
  const choice = chooseCalendarPhotos(spec, spec.images, () => undefined);
  // The cells' shape is given; the photos' own are unknown, so no crop is claimed for them.
  const shapes = choice.placed.map((image, i) => ({ aspect: spec.layout.cellAspect!, weight: image.weight, day: choice.days[i] }));
  const page = layoutSpec({ ...spec, images: choice.placed }, shapes);
  return { choice, page: { ...page, boxes: page.boxes.map(({ x, y, width, height }) => ({ x, y, width, height })) } };
}

/** Lays out a validated spec; a layout that cannot be built is a manifest problem (exit 2). */
export function layoutSpec(spec: CollageSpec, shapes?: readonly ImageShape[]): PageLayout {
  const { layout } = spec;
  // A grid fits the photos' shapes only where plan and build both read them first (not under skip alone).
  const known = layout.type !== 'grid' || needsHeadersFirst(spec) ? shapes : undefined;
  const page: PageLayoutSpec = layout.type === 'grid' ? { ...layout, cellAspect: layout.cellAspect === 'auto' ? undefined : layout.cellAspect } : layout;
  try {
    return layoutPage(page, spec, spec.images.length, known);
  } catch (error) {
    if (error instanceof LayoutError) throw new ManifestError(spec.manifestFile, [{ path: error.path, message: error.message }]);
    throw error;
  }
}

/** Photos a cover fit crops more than `maxCrop` (a share), with their crops in %. */
export function overCrop(images: readonly ImageSpec[], crops: readonly (number | undefined)[], maxCrop: number): CropReport[] {
  const over: CropReport[] = [];
  images.forEach((image, i) => {
    const crop = crops[i];
    // Rounded as reported: a crop that prints as the bound is not over it.
    if (crop !== undefined && image.fit === 'cover' && round2(100 * crop) > round2(100 * maxCrop)) over.push({ index: image.index, src: image.src, crop: round2(100 * crop) });
  });
  return over;
}

export function describePlan(spec: CollageSpec, images: readonly ImageSpec[], page: PageLayout): Plan {
  const { r, g, b } = spec.background;
  const size = outputSize(spec);
  const shift = spec.bleed.size;
  const plan: Plan = {
    output: { path: spec.output, format: spec.format },
    canvas: { width: size.width, height: size.height, dpi: spec.dpi, background: `rgb(${r}, ${g}, ${b})` },
    ...(shift > 0 && {
      trim: { x: shift, y: shift, width: spec.width, height: spec.height },
      bleed: { size: shift, mode: spec.bleed.mode, cropMarks: spec.cropMarks },
    }),
    content: { ...page.content, x: page.content.x + shift, y: page.content.y + shift },
    layout: {
      type: spec.layout.type,
      ...(page.columns > 0 && { columns: page.columns }),
      ...(page.rows > 0 && { rows: page.rows }),
      margin: spec.margin,
      gap: spec.gap,
      maxCrop: round2(100 * spec.layout.maxCrop),
      ...(page.emptyCells !== undefined && { emptyCells: page.emptyCells }),
      ...(page.unfilled > 0 && { unfilled: round2(100 * page.unfilled) }),
    },
    placements: images.map((image, i) => {
      const box = page.boxes[i]!;
      const placement: Placement = {
        index: image.index,
        src: image.src,
        x: box.x + shift,
        y: box.y + shift,
        width: box.width,
        height: box.height,
        fit: image.fit,
        focus: image.autoFocus ? 'auto' : image.focus,
      };
      // `contain` shows the whole photo.
      if ('crop' in box) placement.crop = image.fit === 'cover' ? round2(100 * box.crop) : 0;
      return placement;
    }),
  };
  if (page.boxes.length > 0 && 'crop' in page.boxes[0]!) {
    const boxes = (page.boxes as PlacedBox[]).map((box, i) => (images[i]!.fit === 'cover' ? box : { ...box, crop: 0 }));
    plan.layout.overCrop = overCrop(
      images,
      boxes.map((box) => box.crop),
      spec.layout.maxCrop,
    );
    const metrics = layoutMetrics(boxes, page.content, { weights: images.map((image) => image.weight), gap: spec.gap, rows: spec.layout.type === 'justified' });
    plan.metrics = Object.fromEntries(
      Object.entries(metrics).map(([k, v]) => [k, typeof v === 'number' ? round2(v) : { mean: round2(v.mean), max: round2(v.max) }]),
    ) as unknown as LayoutMetrics;
  }
  if (spec.warnings.length > 0) plan.warnings = spec.warnings;
  return plan;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
