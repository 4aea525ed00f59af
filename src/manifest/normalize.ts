/**
 * Validation and normalisation: raw manifest + command-line overrides in, a `CollageSpec`
 * with every length in whole pixels and every image source resolved, out.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as v from 'valibot';
import { ManifestError, type ManifestProblem } from '../errors.js';
import { closest } from './suggest.js';
import { formatPath } from './paths.js';
import { flag, numeric, optionsSchema, text, texts } from '../options.js';
import { MAX_DPI, MAX_IMAGES } from './limits.js';
import { formatLimitProblem } from '../output/limits.js';
import {
  CELL_ASPECT_PATTERN,
  DEFAULT_MIN_DPI,
  KNOWN_KEYS,
  LAYOUT_SCHEMAS,
  LAYOUT_TYPES,
  ManifestSchema,
  ON_ERROR,
  ON_LOW_RES,
  type BleedMode,
  type LayoutType,
  type Fit,
  type OnError,
  type OnLowRes,
  type ImageEntryInput,
  type ManifestInput,
  type OutputFormat,
} from './schema.js';
import { lengthToInches, lengthToPixels, parseColor, parseLength, parseSizeOption, type Rgba } from './units.js';
import type { RawManifest } from './read.js';
import { captionFonts, resolveLook, type Look, type StyleInput } from './style.js';
import { shuffle, type ImageOrder } from '../layout/order.js';
import { DEFAULT_MAX_CROP } from '../layout/bound.js';
import { BUNDLED_FAMILIES, fontAvailable } from '../render/fonts/index.js';
import { calendarLayoutSpec, type CalendarLayoutSpec } from './calendar.js';
import { parseDay, type Day } from '../layout/days.js';
import { MANIFEST_DEFAULTS } from './defaults.js';
import type { BuildWarning } from '../warnings.js';

/** Options that override (or, for a plain-text manifest, supply) manifest fields. */
export interface ManifestOverrides {
  /** Output file; relative to `cwd`, unlike the manifest's own `output`. */
  output?: string;
  format?: string;
  quality?: number;
  /** Overrides `size.dpi`, a whole number: physical sizes are re-rasterised (`--dpi 30` is a quick proof). */
  dpi?: number;
  /** `36x24in`, `10800x7200`, … */
  size?: string;
  layout?: string;
  columns?: number;
  rows?: number;
  fit?: string;
  background?: string;
  margin?: string;
  gap?: string;
  /** Bleed on every side, a length (overrides `bleed`, keeping its mode). */
  bleed?: string;
  /** extend | mirror | color (overrides `bleed.mode`; needs a bleed). */
  bleedMode?: string;
  /** Overrides `cropMarks`. */
  cropMarks?: boolean;
  /** manifest | date | shuffle (overrides `order`, keeping its seed). */
  order?: string;
  /** Overrides `seed`, the order's seed and a mosaic's `layout.seed`. */
  seed?: number;
  /** Overrides `layout.rowHeight` (justified). */
  rowHeight?: string;
  /** `"auto"` or [x, y]: overrides `focus`, the default for every image. */
  focus?: 'auto' | [number, number];
  /** Overrides `layout.maxCrop`, %. */
  maxCrop?: number;
  /** Overrides `layout.cellAspect`: "auto", "4:3" or a number. */
  cellAspect?: string | number;
  /** Overrides `layout.maxAreaRatio` (mosaic). */
  maxAreaRatio?: number;
  /** Overrides `layout.resolutionAware` (justified, masonry, mosaic). */
  resolutionAware?: boolean;
  /** Calendar: override `layout.arrange`, `layout.dateFrom`, `layout.from`, `layout.to`, `layout.weekStart`. */
  arrange?: string;
  dateFrom?: string;
  from?: string;
  to?: string;
  weekStart?: string;
  /** Failure policy: fail | skip | placeholder (overrides the manifest's onError). */
  onError?: string;
  /** Largest output (trim + bleed) in pixels, up to and by default MAX_POSTER_PIXELS: a shop refuses giant posters up front. */
  maxOutputPixels?: number;
  /** Extra font files for captions (`--font`), after the manifest's `fonts`; paths relative to `cwd`. */
  fonts?: string[];
  /** Effective resolution under which a photo is reported (overrides preflight.minDpi). */
  minDpi?: number;
  /** warn | fail when photos print under minDpi (overrides preflight.onLowRes). */
  onLowRes?: string;
  /**
   * Render at this dpi instead of the print's (the proof): physical lengths are converted at
   * it, and pixel lengths scaled by it ÷ the print's dpi, so the whole page shrinks alike.
   */
  previewDpi?: number;
  /** Folder that relative `output` overrides resolve against (default: process.cwd()). */
  cwd?: string;
}

/** The overrides as the library's entry points accept them; values are checked as manifest fields (see normalizeManifest). */
export const ManifestOverridesSchema = optionsSchema<ManifestOverrides>({
  output: text,
  format: text,
  quality: numeric,
  dpi: numeric,
  size: text,
  layout: text,
  columns: numeric,
  rows: numeric,
  fit: text,
  background: text,
  margin: text,
  gap: text,
  bleed: text,
  bleedMode: text,
  cropMarks: flag,
  order: text,
  seed: numeric,
  rowHeight: text,
  focus: v.optional(v.union([v.literal('auto'), v.tuple([v.number(), v.number()])], 'expected "auto" or [x, y]')),
  maxCrop: numeric,
  cellAspect: v.optional(v.union([v.string(), v.number()], 'expected a string or a number')),
  maxAreaRatio: numeric,
  resolutionAware: flag,
  arrange: text,
  dateFrom: text,
  from: text,
  to: text,
  weekStart: text,
  onError: text,
  maxOutputPixels: numeric,
  fonts: texts,
  minDpi: numeric,
  onLowRes: text,
  previewDpi: numeric,
  cwd: text,
});

export type ImageLocation = { kind: 'url'; url: URL } | { kind: 'file'; path: string };

export interface ImageSpec {
  /** Position in the manifest's `images`. */
  index: number;
  /** The source as written in the manifest (what reports show). */
  src: string;
  location: ImageLocation;
  /** [x, y] in 0..1, the point kept in view when cropping. */
  focus: [number, number];
  fit: Fit;
  /** Relative area hint for justified and mosaic layouts. */
  weight: number;
  /** focus "auto": crop around the most salient region (`focus` is the fallback). */
  autoFocus?: boolean;
  /** Border, corners, shape, shadow, caption; absent for a plain cell. */
  look?: Look;
  /** The manifest's `date` for it (calendar), as a day number. */
  date?: Day;
}

/** A font file the job adds to the captions' fallback chain. */
export interface FontFileSpec {
  /** As written (what messages show). */
  src: string;
  location: ImageLocation;
  /** `fonts[2]` or `--font`. */
  where: string;
  /** Given on the command line: a local file is read even with --block-private-addresses. */
  fromCommandLine: boolean;
}

export interface GridLayoutSpec {
  type: 'grid';
  columns?: number;
  rows?: number;
  /** Cell width/height of a derived grid, or "auto" (fitted to the photos, whose headers are read first). */
  cellAspect?: number | 'auto';
  /** Largest share (0..1) of a photo a crop may hide. */
  maxCrop: number;
  fit: Fit;
}
export interface JustifiedLayoutSpec {
  type: 'justified';
  /** Target row height, px. */
  rowHeight?: number;
  maxCrop: number;
  /** Weights from the photos' native pixels (preflight/weights.ts). */
  resolutionAware: boolean;
  fit: Fit;
}
export interface MasonryLayoutSpec {
  type: 'masonry';
  columns?: number;
  maxCrop: number;
  /** Weights from the photos' native pixels (preflight/weights.ts). */
  resolutionAware: boolean;
  fit: Fit;
}
export interface MosaicLayoutSpec {
  type: 'mosaic';
  seed?: number;
  maxCrop: number;
  /** Soft cap on largest/smallest photo area per weight. */
  maxAreaRatio?: number;
  /** Weights from the photos' native pixels (preflight/weights.ts). */
  resolutionAware: boolean;
  fit: Fit;
}
export type LayoutSpec = GridLayoutSpec | JustifiedLayoutSpec | MasonryLayoutSpec | MosaicLayoutSpec | CalendarLayoutSpec;
export type { CalendarLayoutSpec };

/** A validated manifest with every length in device pixels. */
export interface CollageSpec {
  /** Where the manifest came from (for messages); `<inline>` for objects. */
  manifestFile: string;
  baseDir: string;
  output: string;
  format: OutputFormat;
  quality: number;
  dpi: number;
  width: number;
  height: number;
  background: Rgba;
  margin: number;
  gap: number;
  layout: LayoutSpec;
  images: ImageSpec[];
  /** What to do when images fail. */
  onError: OnError;
  /** Extra request headers per host name (from the manifest). */
  headers: Record<string, Record<string, string>>;
  /** Which photo takes which cell. `images` is already shuffled for `shuffle`; `date` needs the photos' EXIF. */
  order: ImageOrder;
  /**
   * Bleed on every side of the trim box, px (0: none). `width`, `height`, `margin` and the
   * layout are the trim box's; the output is `outputSize(spec)`, trim + 2 × bleed.
   */
  bleed: { size: number; mode: BleedMode };
  /** Trim marks drawn in the bleed. */
  cropMarks: boolean;
  /** Font files added to the captions' fallback chain (manifest `fonts`, then `--font`). */
  fonts: FontFileSpec[];
  /** What the user should know about the manifest itself (a unitless small size, a mirror bleed with a margin). */
  warnings: BuildWarning[];
  /**
   * Caption families named in the manifest whose check waits for the job's font files (they may
   * name a family from one of them); empty when the job has none (checked here).
   */
  captionFamilies: { path: string; font: string }[];
  /** Resolution check: photos under `minDpi` (effective) are reported, or fail the job. */
  preflight: { minDpi: number; onLowRes: OnLowRes };
}

/** The output file's pixel size: trim + 2 × bleed. */
export function outputSize(spec: Pick<CollageSpec, 'width' | 'height' | 'bleed'>): { width: number; height: number } {
  return { width: spec.width + 2 * spec.bleed.size, height: spec.height + 2 * spec.bleed.size };
}

/** Largest poster: its RGB buffer (3 bytes a pixel) must fit one Node 20 Buffer (4 GiB). */
export const MAX_POSTER_PIXELS = 1_400_000_000;
export const DEFAULT_DPI = MANIFEST_DEFAULTS.dpi;
export const DEFAULT_QUALITY = MANIFEST_DEFAULTS.quality;
/**
 * A unitless size with both sides under this many pixels is likely meant in inches (36x24): said
 * once. One larger side (a 900×200 px banner) is a pixel size on purpose.
 */
export const UNITLESS_SIZE_WARNING_BELOW = 300;

const EXTENSION_FORMATS: Record<string, OutputFormat> = {
  '.png': 'png',
  '.jpg': 'jpeg',
  '.jpeg': 'jpeg',
  '.tif': 'tiff',
  '.tiff': 'tiff',
  '.webp': 'webp',
  '.pdf': 'pdf',
};
const FORMAT_EXTENSIONS: Record<OutputFormat, string> = { png: '.png', jpeg: '.jpg', tiff: '.tif', webp: '.webp', pdf: '.pdf' };

export function normalizeManifest(raw: RawManifest, manifestFile: string, overrides: ManifestOverrides = {}): CollageSpec {
  const problems: ManifestProblem[] = [];
  const input = applyOverrides(raw, overrides, problems);
  if (problems.length > 0) throw new ManifestError(manifestFile, problems);

  const result = v.safeParse(ManifestSchema, input, { abortEarly: false, abortPipeEarly: true });
  if (!result.success) throw new ManifestError(manifestFile, atMost(result.issues.map(toProblem)));
  const manifest = result.output;

  const baseDir = manifestFile === '<inline>' ? (overrides.cwd ?? process.cwd()) : path.dirname(path.resolve(manifestFile));
  const spec = toSpec(manifest, manifestFile, baseDir, overrides, problems);
  if (problems.length > 0) throw new ManifestError(manifestFile, problems);
  return spec;
}

function applyOverrides(raw: RawManifest, o: ManifestOverrides, problems: ManifestProblem[]): unknown {
  let input: Record<string, unknown>;
  if (raw.kind === 'text') {
    input = { images: raw.images };
    if (o.size === undefined) problems.push({ path: '--size', message: 'a plain-text manifest needs --size, e.g. --size 36x24in' });
  } else {
    if (typeof raw.value !== 'object' || raw.value === null || Array.isArray(raw.value)) {
      problems.push({ path: '', message: 'the manifest must be a JSON object' });
      return undefined;
    }
    input = { ...(raw.value as Record<string, unknown>) };
  }
  if (o.size !== undefined) {
    const size = parseSizeOption(o.size);
    if (!size) problems.push({ path: '--size', message: `"${o.size}" is not WIDTHxHEIGHT[unit], e.g. 36x24in or 10800x7200` });
    else input.size = { ...(isObject(input.size) ? input.size : {}), ...size };
  }
  if (o.dpi !== undefined) {
    if (!(Number.isInteger(o.dpi) && o.dpi >= 1 && o.dpi <= MAX_DPI)) problems.push({ path: '--dpi', message: `must be a whole number from 1 to ${MAX_DPI}` });
    input.size = { ...(isObject(input.size) ? input.size : {}), dpi: o.dpi };
  }
  if (o.maxOutputPixels !== undefined && !(Number.isFinite(o.maxOutputPixels) && o.maxOutputPixels >= 1 && o.maxOutputPixels <= MAX_POSTER_PIXELS)) {
    problems.push({ path: '--max-output-pixels', message: `must be more than 0 and at most ${MAX_POSTER_PIXELS / 1e6} Mpx` });
  }
  // Before the schema looks at each one: a million bad entries would be a million problems.
  if (Array.isArray(input.images) && input.images.length > MAX_IMAGES) {
    problems.push({ path: 'images', message: `${input.images.length.toLocaleString('en-US')} images; a manifest takes at most ${MAX_IMAGES.toLocaleString('en-US')}` });
  }
  applyLayoutOverrides(input, o, problems);
  applyBleedOverrides(input, o, problems);
  if (o.cropMarks !== undefined) input.cropMarks = o.cropMarks;
  if (o.focus !== undefined) input.focus = o.focus;
  if (o.order !== undefined) input.order = isObject(input.order) ? { ...input.order, type: o.order } : o.order;
  if (o.seed !== undefined) {
    input.seed = o.seed;
    if (isObject(input.order)) input.order = { ...input.order, seed: o.seed };
    if (isObject(input.layout) && input.layout.type === 'mosaic') input.layout = { ...input.layout, seed: o.seed };
  }
  if (o.background !== undefined) input.background = o.background;
  if (o.margin !== undefined) input.margin = o.margin;
  if (o.gap !== undefined) input.gap = o.gap;
  if (o.quality !== undefined) input.quality = o.quality;
  if (o.onError !== undefined) {
    if (!(ON_ERROR as readonly string[]).includes(o.onError)) problems.push({ path: '--on-error', message: `must be one of ${ON_ERROR.join(', ')}` });
    input.onError = o.onError;
  }
  if (o.minDpi !== undefined || o.onLowRes !== undefined) {
    const preflight: Record<string, unknown> = { ...(isObject(input.preflight) ? input.preflight : {}) };
    if (o.minDpi !== undefined) {
      if (!(o.minDpi >= 1 && o.minDpi <= 10000)) problems.push({ path: '--min-dpi', message: 'must be a number from 1 to 10000' });
      preflight.minDpi = o.minDpi;
    }
    if (o.onLowRes !== undefined) {
      if (!(ON_LOW_RES as readonly string[]).includes(o.onLowRes)) problems.push({ path: '--on-low-res', message: `must be one of ${ON_LOW_RES.join(', ')}` });
      preflight.onLowRes = o.onLowRes;
    }
    input.preflight = preflight;
  }
  if (o.format !== undefined) input.format = o.format === 'jpg' ? 'jpeg' : o.format === 'tif' ? 'tiff' : o.format;
  return input;
}

/** The option that sets each layout key, for problems that name what the user typed. */
const LAYOUT_OPTIONS = {
  columns: '--columns',
  rows: '--rows',
  fit: '--fit',
  rowHeight: '--row-height',
  maxCrop: '--max-crop',
  cellAspect: '--cell-aspect',
  maxAreaRatio: '--max-area-ratio',
  resolutionAware: '--resolution-aware',
  arrange: '--arrange',
  dateFrom: '--date-from',
  from: '--from',
  to: '--to',
  weekStart: '--week-start',
} as const satisfies Partial<Record<keyof ManifestOverrides, string>>;

/**
 * --layout and the layout's own options. A layout type changed on the command line keeps only the
 * manifest's keys the new type takes (`--layout grid` on a justified manifest drops its rowHeight);
 * an option the type does not take is one problem naming the option and the types that take it.
 */
function applyLayoutOverrides(input: Record<string, unknown>, o: ManifestOverrides, problems: ManifestProblem[]): void {
  const given = (Object.keys(LAYOUT_OPTIONS) as (keyof typeof LAYOUT_OPTIONS)[]).filter((key) => o[key] !== undefined);
  if (o.layout === undefined && given.length === 0) return;
  let layout: Record<string, unknown> = { ...(isObject(input.layout) ? input.layout : { type: 'grid' }) };
  if (o.layout !== undefined && o.layout !== layout.type) {
    const takes = layoutKeys(o.layout);
    layout = Object.fromEntries(Object.entries(layout).filter(([key]) => takes === undefined || takes.includes(key)));
    layout.type = o.layout;
  }
  const takes = layoutKeys(layout.type);
  for (const key of given) {
    if (takes !== undefined && !takes.includes(key)) {
      const types = LAYOUT_TYPES.filter((type) => layoutKeys(type)!.includes(key));
      problems.push({
        path: LAYOUT_OPTIONS[key],
        message: `the ${String(layout.type)} layout has no ${key}; ${types.join(', ')} ${types.length === 1 ? 'has' : 'have'} (--layout)`,
      });
    }
    layout[key] = o[key];
  }
  input.layout = layout;
}

/** The keys a layout type takes; undefined for an unknown type (the schema names it). */
function layoutKeys(type: unknown): readonly string[] | undefined {
  return typeof type === 'string' && type in LAYOUT_SCHEMAS ? Object.keys(LAYOUT_SCHEMAS[type as LayoutType].entries) : undefined;
}

/** --bleed keeps the manifest's mode; --bleed-mode needs a bleed from either. */
function applyBleedOverrides(input: Record<string, unknown>, o: ManifestOverrides, problems: ManifestProblem[]): void {
  if (o.bleed === undefined && o.bleedMode === undefined) return;
  const current = isObject(input.bleed) ? input.bleed : input.bleed === undefined ? undefined : { size: input.bleed };
  const size = o.bleed ?? current?.size;
  if (size === undefined) {
    problems.push({ path: '--bleed-mode', message: 'needs a bleed: give --bleed, e.g. --bleed 1.5in, or set "bleed" in the manifest' });
    return;
  }
  const mode = o.bleedMode ?? current?.mode;
  input.bleed = mode === undefined ? size : { size, mode };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toSpec(m: ManifestInput, manifestFile: string, baseDir: string, o: ManifestOverrides, problems: ManifestProblem[]): CollageSpec {
  const printDpi = m.size.dpi ?? DEFAULT_DPI;
  const dpi = o.previewDpi ?? printDpi;
  const pixelScale = dpi / printDpi;
  const px = (value: number | string) => Math.round(toPixels(value, dpi, pixelScale));
  const width = px(m.size.width);
  const height = px(m.size.height);
  if (width < 1) problems.push({ path: 'size.width', message: `is less than one pixel at ${dpi} dpi` });
  if (height < 1) problems.push({ path: 'size.height', message: `is less than one pixel at ${dpi} dpi` });
  const bleedInput = typeof m.bleed === 'object' ? m.bleed : m.bleed === undefined ? undefined : { size: m.bleed };
  const bleed = { size: bleedInput ? px(bleedInput.size) : 0, mode: bleedInput?.mode ?? ('extend' as const) };
  const cropMarks = m.cropMarks ?? false;
  if (cropMarks && bleed.size === 0) {
    problems.push({ path: 'cropMarks', message: 'crop marks are drawn in the bleed: set "bleed", e.g. "3mm"' });
  }
  const full = outputSize({ width, height, bleed });
  const withBleed = bleed.size > 0 ? ` with ${bleed.size} px bleed per side` : '';
  const maxPixels = o.maxOutputPixels ?? MAX_POSTER_PIXELS;
  if (full.width * full.height > maxPixels) {
    const limit = maxPixels === MAX_POSTER_PIXELS ? `the ${MAX_POSTER_PIXELS / 1e6} Mpx one poster can hold` : `the ${formatMpx(maxPixels)} Mpx --max-output-pixels limit`;
    problems.push({
      path: 'size',
      message: `${full.width}×${full.height} px (${describeSize(m.size.width, m.size.height, dpi)}${withBleed}) is ${formatMpx(full.width * full.height)} Mpx, over ${limit}; lower the dpi or the size`,
    });
  }
  const margin = px(m.margin ?? 0);
  const gap = px(m.gap ?? 0);
  if (width >= 1 && height >= 1 && (2 * margin >= width || 2 * margin >= height)) {
    problems.push({ path: 'margin', message: `${margin} px on each side leaves no room inside a ${width}×${height} px page` });
  }

  const warnings: BuildWarning[] = [];
  // Judged on the size as written (a proof renders it smaller).
  const unitless = unitlessSize(m.size, o.size);
  const [w, h] = unitless?.split('x').map(Number) ?? [];
  if (unitless && w! < UNITLESS_SIZE_WARNING_BELOW && h! < UNITLESS_SIZE_WARNING_BELOW) {
    warnings.push({ kind: 'unitless-size', message: `size ${unitless} has no unit: read as ${w}×${h} px; write ${unitless}in for inches` });
  }
  if (bleed.size > 0 && bleed.mode === 'mirror' && margin > 0) {
    warnings.push({
      kind: 'mirror-bleed-margin',
      message: `bleed mode mirror with a ${margin} px margin: the margin and its mirror image make a ${2 * margin} px background stripe across each fold of the wrap; set margin 0 for a gallery wrap`,
    });
  }

  const output = resolveOutput(m, manifestFile, baseDir, o, problems);
  const format = resolveFormat(m.format, output, problems);
  const formatProblem = formatLimitProblem(format, full.width, full.height, dpi, withBleed);
  if (formatProblem) problems.push({ path: 'size', message: formatProblem });

  const layoutFit: Fit = m.layout?.fit ?? 'cover';
  const looks = { style: m.style, focus: m.focus, dpi, pixelScale };
  const listed = m.images.map((entry, index) => toImageSpec(entry, index, baseDir, layoutFit, problems, looks));
  if (m.layout?.type === 'calendar') {
    const { from, to } = m.layout;
    if (from !== undefined && to !== undefined && parseDay(to)! < parseDay(from)!) problems.push({ path: 'layout.to', message: `${to} is before "from" (${from})` });
  }
  const fonts: FontFileSpec[] = [
    ...(m.fonts ?? []).map((src, i) => ({ src, location: resolveLocation(src, baseDir, `fonts[${i}]`, problems), where: `fonts[${i}]`, fromCommandLine: false })),
    ...(o.fonts ?? []).map((src) => ({ src, location: resolveLocation(src, o.cwd ?? process.cwd(), '--font', problems), where: '--font', fromCommandLine: true })),
  ];
  const captionFamilies = captionFonts(m.style, m.images);
  // The calendar's labels use the caption fonts' chain: a family of its own is checked the same way.
  if (m.layout?.type === 'calendar' && m.layout.labels?.font) captionFamilies.push({ path: 'layout.labels.font', font: m.layout.labels.font });
  if (fonts.length === 0) {
    for (const { path: where, font } of captionFamilies) if (!fontAvailable(font)) problems.push({ path: where, message: unknownFontMessage(font) });
  }
  const order = toOrder(m.order, m.seed);
  const images = order.type === 'shuffle' ? shuffle(listed, order.seed) : listed;

  return {
    manifestFile,
    baseDir,
    output,
    format,
    quality: m.quality ?? DEFAULT_QUALITY,
    dpi,
    width,
    height,
    background: parseColor(m.background ?? '#ffffff')!,
    margin,
    gap,
    layout: toLayoutSpec(m.layout, layoutFit, px, dpi),
    images,
    onError: m.onError ?? 'fail',
    headers: m.headers ?? {},
    order,
    bleed,
    cropMarks,
    fonts,
    captionFamilies: fonts.length === 0 ? [] : captionFamilies,
    preflight: { minDpi: m.preflight?.minDpi ?? DEFAULT_MIN_DPI, onLowRes: m.preflight?.onLowRes ?? MANIFEST_DEFAULTS.onLowRes },
    warnings,
  };
}

/** "36x24" when the page size was given without a unit (by --size, else the manifest), else null. */
function unitlessSize(size: ManifestInput['size'], option: string | undefined): string | null {
  if (option !== undefined) {
    const match = /^\s*(\d+(?:\.\d+)?)\s*[x×]\s*(\d+(?:\.\d+)?)\s*$/i.exec(option);
    return match ? `${match[1]}x${match[2]}` : null;
  }
  const bare = (value: number | string) => (typeof value === 'number' ? String(value) : /^\s*(\d+(?:\.\d+)?|\.\d+)\s*$/.exec(value)?.[1]);
  const width = bare(size.width);
  const height = bare(size.height);
  return width !== undefined && height !== undefined ? `${width}x${height}` : null;
}

/** Unrounded device pixels at `dpi`; lengths in pixels are multiplied by `pixelScale` (a preview). */
function toPixels(value: number | string, dpi: number, pixelScale: number): number {
  const length = parseLength(value)!;
  return length.unit === 'px' ? length.value * pixelScale : lengthToPixels(length, dpi);
}

/** Why a caption's font family cannot be used. */
export function unknownFontMessage(font: string): string {
  return `font "${font}" is not installed; use a bundled one (${BUNDLED_FAMILIES.map((f) => f.family).join(', ')}), add its file to "fonts", or install it`;
}

function toOrder(order: ManifestInput['order'], seed: number | undefined): ImageOrder {
  const type = typeof order === 'object' ? order.type : (order ?? 'manifest');
  if (type !== 'shuffle') return { type };
  return { type, seed: (typeof order === 'object' ? order.seed : undefined) ?? seed ?? 0 };
}

function toLayoutSpec(layout: ManifestInput['layout'], fit: Fit, px: (value: number | string) => number, dpi: number): LayoutSpec {
  const maxCrop = toMaxCrop(layout && 'maxCrop' in layout ? layout.maxCrop : undefined);
  switch (layout?.type) {
    case undefined:
      return { type: 'grid', maxCrop, fit };
    case 'grid':
      return { type: 'grid', columns: layout.columns, rows: layout.rows, cellAspect: toCellAspect(layout.cellAspect), maxCrop, fit };
    case 'justified':
      return { type: 'justified', rowHeight: layout.rowHeight === undefined ? undefined : px(layout.rowHeight), maxCrop, resolutionAware: layout.resolutionAware ?? false, fit };
    case 'masonry':
      return { type: 'masonry', columns: layout.columns, maxCrop, resolutionAware: layout.resolutionAware ?? false, fit };
    case 'mosaic':
      return { type: 'mosaic', seed: layout.seed, maxCrop, maxAreaRatio: layout.maxAreaRatio, resolutionAware: layout.resolutionAware ?? false, fit };
    case 'calendar':
      return calendarLayoutSpec(layout, fit, dpi);
  }
}

/** `maxCrop` as a share: 5 and "5%" are 0.05 (validated to 0–99 %). */
function toMaxCrop(value: number | string | undefined): number {
  if (value === undefined) return DEFAULT_MAX_CROP;
  return (typeof value === 'number' ? value : parseFloat(value.trim())) / 100;
}

/** "4:3" → 1.333…, a number as is, "auto" kept. */
function toCellAspect(value: number | string | undefined): number | 'auto' | undefined {
  if (value === undefined || value === 'auto' || typeof value === 'number') return value;
  const [, width, height] = CELL_ASPECT_PATTERN.exec(value)!;
  return Number(width) / Number(height);
}

function describeSize(w: number | string, h: number | string, dpi: number): string {
  const wi = lengthToInches(parseLength(w)!);
  const hi = lengthToInches(parseLength(h)!);
  return wi !== null && hi !== null ? `${+wi.toFixed(2)}×${+hi.toFixed(2)} in at ${dpi} dpi` : `${dpi} dpi`;
}

function resolveOutput(m: ManifestInput, manifestFile: string, baseDir: string, o: ManifestOverrides, problems: ManifestProblem[]): string {
  if (o.output !== undefined) return path.resolve(o.cwd ?? process.cwd(), o.output);
  if (m.output !== undefined) return path.resolve(baseDir, m.output);
  if (manifestFile === '<inline>') {
    problems.push({ path: 'output', message: 'no output file: set "output" or pass -o' });
    return '';
  }
  const stem = path.basename(manifestFile).replace(/\.[^.]*$/, '');
  return path.join(baseDir, `${stem}${FORMAT_EXTENSIONS[m.format ?? 'jpeg']}`);
}

function resolveFormat(declared: OutputFormat | undefined, output: string, problems: ManifestProblem[]): OutputFormat {
  const extension = path.extname(output).toLowerCase();
  const fromExtension = EXTENSION_FORMATS[extension];
  if (declared) {
    if (extension && fromExtension && fromExtension !== declared) {
      problems.push({ path: 'format', message: `is ${declared} but the output file ${path.basename(output)} ends in ${extension}` });
    }
    return declared;
  }
  if (fromExtension) return fromExtension;
  if (output) {
    problems.push({
      path: 'output',
      message: `cannot tell the format from "${path.basename(output)}": use a .png, .jpg, .jpeg, .tif, .tiff, .webp or .pdf name, or set "format"`,
    });
  }
  return 'jpeg';
}

const URL_SCHEME = /^([a-z][a-z0-9+.-]+):/i;

function toImageSpec(
  entry: ImageEntryInput,
  index: number,
  baseDir: string,
  layoutFit: Fit,
  problems: ManifestProblem[],
  looks: { style?: StyleInput; focus?: ManifestInput['focus']; dpi: number; pixelScale: number },
): ImageSpec {
  const src = typeof entry === 'string' ? entry : entry.src;
  const where = typeof entry === 'string' ? `images[${index}]` : `images[${index}].src`;
  const wanted = (typeof entry === 'object' && entry.focus) || looks.focus || [0.5, 0.5];
  const focus: [number, number] = wanted === 'auto' ? [0.5, 0.5] : [wanted[0], wanted[1]];
  const fit = (typeof entry === 'object' && entry.fit) || layoutFit;
  const weight = (typeof entry === 'object' && entry.weight) || 1;
  const spec: ImageSpec = { index, src, location: resolveLocation(src, baseDir, where, problems), focus, fit, weight };
  if (wanted === 'auto') spec.autoFocus = true;
  if (typeof entry === 'object' && entry.date !== undefined) spec.date = parseDay(entry.date)!;
  const look = resolveLook(looks.style, typeof entry === 'object' ? entry.style : undefined, typeof entry === 'object' ? entry.caption : undefined, looks.dpi, looks.pixelScale);
  if (look) spec.look = look;
  return spec;
}

export function resolveLocation(src: string, baseDir: string, where: string, problems: ManifestProblem[]): ImageLocation {
  const scheme = URL_SCHEME.exec(src)?.[1]?.toLowerCase();
  if (scheme === undefined) return { kind: 'file', path: path.resolve(baseDir, src) };
  let url: URL;
  try {
    url = new URL(src);
  } catch {
    problems.push({ path: where, message: `"${src}" is not a valid URL` });
    return { kind: 'file', path: '' };
  }
  if (scheme === 'http' || scheme === 'https') return { kind: 'url', url };
  if (scheme === 'file') return { kind: 'file', path: fileURLToPath(url) };
  problems.push({ path: where, message: `unsupported URL scheme "${scheme}:"; use http:, https:, file: or a path` });
  return { kind: 'file', path: '' };
}

/** Valibot issue → one problem with a JSON path, rewording unknown keys with a suggestion. */
function toProblem(outer: v.BaseIssue<unknown>): ManifestProblem {
  const issue = innermost(outer);
  const keys = (issue.path ?? []).map((item) => item.key as string | number);
  const pathText = formatPath(keys);
  if (issue.type === 'strict_object' && issue.expected === 'never' && keys.length > 0) {
    const key = String(keys[keys.length - 1]);
    const suggestion = closest(key, knownKeysAt(keys.slice(0, -1)));
    return { path: pathText, message: `unknown key "${key}"${suggestion ? `; did you mean "${suggestion}"?` : ''}` };
  }
  if ((issue.type === 'object' || issue.type === 'strict_object') && issue.received === 'undefined' && keys.length > 0) {
    return { path: pathText, message: 'is required' };
  }
  const message = issue.message.replace(/^Invalid (\w+): /, (_, what: string) => (what === 'type' || what === 'key' ? 'invalid: ' : `invalid ${what}: `));
  return { path: pathText, message: message.replace(/^invalid: Expected/, 'expected') };
}

/**
 * A union (`"border": "1mm" | { width, color }`, an image string or object) that failed inside
 * one of its object branches is reported at that deeper point (`style.border.colr: unknown key`),
 * not as "invalid border".
 */
function innermost(issue: v.BaseIssue<unknown>): v.BaseIssue<unknown> {
  let current = issue;
  for (;;) {
    // A branch's issues carry paths relative to the union.
    const deeper = current.type === 'union' ? current.issues?.find((sub) => (sub.path?.length ?? 0) > 0) : undefined;
    if (!deeper) return current;
    current = { ...deeper, path: [...(current.path ?? []), ...(deeper.path ?? [])] as v.BaseIssue<unknown>['path'] };
  }
}

function knownKeysAt(parent: (string | number)[]): readonly string[] {
  if (parent.length === 0) return KNOWN_KEYS.root;
  const [first] = parent;
  if (first === 'size') return KNOWN_KEYS.size;
  if (first === 'bleed') return KNOWN_KEYS.bleed;
  if (first === 'layout') {
    if (parent[1] === 'labels') return parent.length === 2 ? KNOWN_KEYS.labels : parent[2] === 'dayNumbers' ? KNOWN_KEYS.dayNumbers : [];
    return parent.length === 1 ? KNOWN_KEYS.layout : [];
  }
  if (first === 'images' || first === 'style') {
    const at = first === 'images' ? parent.slice(2) : parent;
    if (first === 'images' && at.length === 0) return KNOWN_KEYS.image;
    if (at.length === 1 && at[0] === 'style') return KNOWN_KEYS.style;
    if (at.length === 2 && at[0] === 'style' && (at[1] === 'border' || at[1] === 'shadow' || at[1] === 'caption')) return KNOWN_KEYS[at[1]];
    return [];
  }
  if (first === 'order') return KNOWN_KEYS.order;
  if (first === 'preflight') return KNOWN_KEYS.preflight;
  return [];
}

/** Problems past this many are counted, not listed: an untrusted manifest can have millions. */
const MAX_PROBLEMS = 50;

function atMost(problems: ManifestProblem[]): ManifestProblem[] {
  if (problems.length <= MAX_PROBLEMS) return problems;
  return [...problems.slice(0, MAX_PROBLEMS), { path: '', message: `and ${(problems.length - MAX_PROBLEMS).toLocaleString('en-US')} more problems` }];
}

function formatMpx(pixels: number): string {
  const mpx = pixels / 1e6;
  return mpx >= 10 ? mpx.toFixed(0) : String(+mpx.toFixed(2));
}
