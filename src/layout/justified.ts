/**
 * Justified rows on a fixed page: every row spans the same width exactly (gaps exactly `gap`),
 * the last row too; photos in a row share its height, at their own aspect up to a small crop.
 *
 * Row breaks are chosen for the whole set at once knowing the page (rows.ts): among the break
 * sets whose natural height lands nearest the content height, the one that fills the page with the
 * least crop and the most even rows wins. The remainder is fitted by stretching every row by one
 * factor, within `maxCrop`; where that is not enough the rows keep the bound and the block of rows
 * is centred, the rest of the content box left as even white space (`unfilled`).
 */
import { boundWithRounding, cropBound, cropOfStretch, stretchLimits } from './bound.js';
import { breakIntoRows, evenOutTo, leastCropBreaks, naturalRowHeight, rowBreakCandidates, type RowBreakOptions, type RowBreaks } from './rows.js';
import { unfilledShare } from './metrics.js';
import { apportion, leastWorstCrop } from './apportion.js';
import { leastCropPixelRows } from './pixel-breaks.js';
import { splitWeighted, stack } from './split.js';
import { LayoutError, checkImages, coverCropFraction, normalizedWeights, type Box, type ImageShape, type PlacedBox } from './types.js';

export interface JustifiedOptions {
  images: readonly ImageShape[];
  /** The area inside the margins. */
  content: Box;
  /** Space between cells, px. */
  gap: number;
  /** Preferred row height, px: rows are kept even around it, but the page decides the row count. */
  rowHeight?: number;
  /** Largest share of a photo a crop may hide before rows leave white space instead (default 0.05). */
  maxCrop?: number;
}

export interface JustifiedResult {
  /** One box per image, in image order. */
  boxes: PlacedBox[];
  /** Index of the first image of each row. */
  rowStarts: number[];
  /** Height of each row, px. */
  rowHeights: number[];
  /** The row height the breaks aimed at. */
  targetRowHeight: number;
  /** The rows' bounding rectangle: the content box, or a centred part of it. */
  block: Box;
  /** Share of the content box left background because the page could not be filled within maxCrop. */
  unfilled: number;
}

/** Score weights: crop (share hidden) against row evenness (RMS log deviation from the mean row) and white space. */
const EVENNESS = 0.05;
const WHITE = 2;
/** How far (log) uneven rows may stray from their mean: about ±15 %. */
const MAX_ROW_DEVIATION = 0.14;
/** How close to the content height uneven rows are taken (the rest is a uniform stretch). */
const FILL_TOLERANCE = 0.002;
/** Rows broken for the page keep within this share of their mean height (the issue asks ±16 %). */
const BAND = 0.15;
/** Best-scoring fits realised on whole pixels, the best of those kept. */
const REALISED = 6;
/** Rows up to this tall (px) are also broken on whole pixels, where a pixel is ≥ ~0.7 % of a portrait's width. */
const PIXEL_ROW = 200;
/** Rows broken on whole pixels keep within this share of the mean height their count gives (so within ±16 % of each other's mean). */
const PIXEL_BAND = 0.1;
/** Narrower rows tried, px apart, and the least crop they must save. */
const NARROW_STEP = 2;
const PIXEL_GAIN = 0.0005;
/** Sets up to this size also try every row count near the natural one exactly. */
const EXACT_ROWS_UP_TO = 400;

/**
 * Weights widen (or narrow) an image's cell: weight 2 gets twice the width at the row's height,
 * so twice the area, at the price of a cover crop.
 */
export function justifiedLayout(options: JustifiedOptions): JustifiedResult {
  const { images, content, gap } = options;
  checkImages(images);
  if (images.length === 0) return { boxes: [], rowStarts: [], rowHeights: [], targetRowHeight: 0, block: content, unfilled: 0 };
  if (content.width < 1 || content.height < 1) throw fitError(images.length, content, gap);
  const weights = normalizedWeights(images);
  const aspects = images.map((image, i) => image.aspect * weights[i]!);
  const maxCrop = cropBound(options.maxCrop);
  const target = options.rowHeight ?? naturalRowHeight(aspects, content.width, content.height, gap);
  const plainOptions: RowBreakOptions = { width: content.width, height: content.height, gap, target };
  const limits = sharpRowLimits(images, aspects);
  // Resolution-aware: break sets that keep photos sharp are sought beside the plain ones.
  const breakSettings = limits ? [plainOptions, { ...plainOptions, sharpness: { limits, cost: SHARP_BREAK_COST, band: SHARP_ROW_BAND } }] : [plainOptions];
  const breakOptions = plainOptions;

  const candidates: RowBreaks[] = [];
  for (const settings of breakSettings) {
    candidates.push(...rowBreakCandidates(aspects, settings));
    if (aspects.length <= EXACT_ROWS_UP_TO) {
      const around = Math.round((content.height + gap) / (target + gap));
      for (let rows = Math.max(1, around - 2); rows <= around + 2; rows++) {
        const rowTarget = (content.height - (rows - 1) * gap) / rows;
        if (rowTarget <= 0) continue;
        const breaks = breakIntoRows(aspects, rows, { ...settings, target: rowTarget });
        if (breaks) candidates.push(breaks);
      }
    }
  }
  // A set a little short of the page, with rows made a little uneven to fill it.
  const room = (breaks: RowBreaks) => content.height - (breaks.heights.length - 1) * gap;
  for (const breaks of [...candidates]) {
    const short = room(breaks) - breaks.heights.reduce((s, h) => s + h, 0);
    if (short > 0) candidates.push(evenOutTo(breaks, aspects, breakOptions, room(breaks) + (breaks.heights.length - 1) * gap, FILL_TOLERANCE, MAX_ROW_DEVIATION));
  }
  const fits: { fit: RowFit; score: number }[] = [];
  const consider = (fit: RowFit | null) => {
    if (fit) fits.push({ fit, score: fit.crop + EVENNESS * unevenness(fit.heights) + WHITE * fit.unfilled + (limits ? blurScore(fit, limits) : 0) });
  };
  for (const breaks of candidates) consider(fitRows(breaks, aspects, content, gap, maxCrop));
  // Rows broken for the page: each row's own stretch, all of them within ±MAX_ROW_DEVIATION of their mean.
  const naturalRows = Math.round((content.height + gap) / (target + gap));
  const bound = boundWithRounding(maxCrop, target);
  for (let rows = Math.max(1, naturalRows - 1); rows <= Math.min(aspects.length, naturalRows + 1); rows++) {
    const found = leastCropBreaks(aspects, rows, breakOptions, bound, BAND);
    if (found) consider({ breaks: found, width: content.width, heights: found.fitted, crop: found.crop, unfilled: 0 });
  }
  if (!fits.length) throw fitError(images.length, content, gap);
  // The scores are for real-valued rows; whole pixels decide among the best few, and the rows
  // chosen on whole pixels (small rows, where a pixel is a visible share of a photo).
  fits.sort((a, b) => a.score - b.score);
  const realised = fits.slice(0, REALISED).map(({ fit }) => fit);
  if (target <= PIXEL_ROW) {
    const fit = pixelFit(aspects, content, gap, naturalRows, maxCrop);
    if (fit) realised.push(fit);
  }
  let best: { result: Omit<JustifiedResult, 'targetRowHeight'>; score: number } | null = null;
  for (const fit of realised) {
    const result = realise(fit, images, aspects, content, gap);
    let worst = 0;
    let sum = 0;
    for (const box of result.boxes) {
      worst = Math.max(worst, box.crop);
      sum += box.crop;
    }
    let score = worst + sum / result.boxes.length + EVENNESS * unevenness(result.rowHeights) + WHITE * result.unfilled + (worst > maxCrop + 1e-12 ? 10 + worst : 0);
    if (limits) score += SHARP * result.boxes.filter((box) => !isSharp(box, images[box.index]!)).length + (deviation(result.rowHeights) > BAND ? OUT_OF_BAND : 0);
    if (!best || score < best.score) best = { result, score };
  }
  const result = best!.result;
  assertDrawable(result.boxes, content, images.length, gap);
  return { ...result, targetRowHeight: target };
}

/**
 * Resolution-aware rows (photos with `sharp` sizes): each photo the rows put over the size at
 * which it still prints at the threshold costs as much as this much more crop on the worst photo
 * (so a sharp photo is bought with at most a percent of crop, within the bound and the band).
 */
const SHARP = 0.01;
/** In the break search: a photo over its limit costs as much as a row 20 % off the target. */
const SHARP_BREAK_COST = Math.log(1.2) ** 2;
/** Resolution-aware breaks keep rows within this (log) of the target, so the fitted rows stay within the band. */
const SHARP_ROW_BAND = Math.log(1 + BAND) - 0.005;
/** What a resolution-aware fit with rows outside ±BAND of their mean costs (the band holds). */
const OUT_OF_BAND = 1;

/** Per item, the tallest natural row height at which its cell stays within its `sharp` size; null when no image has one. */
function sharpRowLimits(images: readonly ImageShape[], aspects: readonly number[]): Float64Array | null {
  if (!images.some((image) => image.sharp)) return null;
  // The fit may stretch rows by up to the crop bound: the limit leaves that room.
  return Float64Array.from(images, (image, i) => (image.sharp ? Math.min(image.sharp.height, image.sharp.width / aspects[i]!) / (1 + STRETCH_ROOM) : Infinity));
}
const STRETCH_ROOM = 0.02;

/** A fit's cost for the photos whose rows are taller than their limits. */
function blurScore(fit: RowFit, limits: Float64Array): number {
  let over = 0;
  const rows = fit.heights.length;
  fit.breaks.starts.forEach((start, r) => {
    const end = r + 1 < rows ? fit.breaks.starts[r + 1]! : limits.length;
    for (let i = start; i < end; i++) if (limits[i]! * (1 + STRETCH_ROOM) < fit.heights[r]!) over++;
  });
  return SHARP * over + (deviation(fit.heights) > BAND ? OUT_OF_BAND : 0);
}

/** Whether a cell is within the photo's `sharp` size (cover: neither side past it). */
function isSharp(box: Box, image: ImageShape): boolean {
  return !image.sharp || (box.width <= image.sharp.width && box.height <= image.sharp.height);
}

/** The largest |log| of a row's height over the rows' geometric mean, as a share (e^x − 1). */
function deviation(heights: readonly number[]): number {
  const logs = heights.map(Math.log);
  const mean = logs.reduce((s, v) => s + v, 0) / logs.length;
  return Math.expm1(Math.max(...logs.map((l) => Math.abs(l - mean))));
}

/**
 * Rows broken and sized on whole pixels for `rows` rows' mean height (each within PIXEL_BAND of
 * it), null when none fills the page within maxCrop. The rows may span up to a gutter less than
 * the content width (half a gutter more margin each side, which coverage counts as the gutter's)
 * where that lowers the worst crop: K rows' natural heights add up to no less than even rows do,
 * so a page a few pixels short of K rows cannot be met within a small crop at full width (A4,
 * 1,095 photos: 1.82 % at 2330 px, 1.30 % at 2318 px).
 */
function pixelFit(aspects: readonly number[], content: Box, gap: number, rows: number, maxCrop: number): RowFit | null {
  const mean = (content.height - (rows - 1) * gap) / rows;
  const rowsAt = (width: number, crop: number) =>
    leastCropPixelRows(aspects, { width, height: content.height, gap, low: Math.ceil(mean * (1 - PIXEL_BAND)), high: Math.floor(mean * (1 + PIXEL_BAND)), preferred: mean }, crop);
  let best = rowsAt(content.width, maxCrop);
  let bestWidth = content.width;
  const narrowest = content.width - Math.min(gap, Math.floor(content.width * 0.01));
  for (let width = content.width - NARROW_STEP; width >= narrowest; width -= NARROW_STEP) {
    // Only a clearly lower crop is worth the narrower rows.
    const aim = (best?.crop ?? maxCrop + PIXEL_GAIN) - PIXEL_GAIN;
    if (aim <= 0) break;
    const found = rowsAt(width, aim);
    if (found) {
      best = found;
      bestWidth = width;
    }
  }
  if (!best) return null;
  // Rows within PIXEL_BAND of the aimed mean are within about twice that of their own mean: check the issue's ±BAND.
  const own = best.heights.reduce((s, h) => s + h, 0) / best.heights.length;
  if (best.heights.some((h) => Math.abs(h / own - 1) > BAND)) return null;
  const breaks = { starts: best.starts, heights: heightsAtWidth(aspects, best.starts, bestWidth, gap) };
  return { breaks, width: bestWidth, heights: best.heights, pixels: best.heights, crop: best.crop, unfilled: 0 };
}

/** Natural height of each row at the full width. */
function heightsAtWidth(aspects: readonly number[], starts: readonly number[], width: number, gap: number): number[] {
  return starts.map((start, r) => {
    const end = r + 1 < starts.length ? starts[r + 1]! : aspects.length;
    let sum = 0;
    for (let i = start; i < end; i++) sum += aspects[i]!;
    return (width - (end - start - 1) * gap) / sum;
  });
}

/** A break set fitted to the page: the rows' width and heights (floats) and what it costs. */
interface RowFit {
  /** Whole-pixel row heights chosen with the breaks (pixel-breaks.ts), when they were. */
  pixels?: number[];
  breaks: RowBreaks;
  /** Width every row spans, px (the content width unless the rows had to be narrowed). */
  width: number;
  /** Height of each row, px. */
  heights: number[];
  /** Share of each photo hidden by the fit's stretch. */
  crop: number;
  unfilled: number;
}

/**
 * Fits rows of natural heights `heights` (at the content width) to the content box: one stretch
 * factor for every row when it is within the bound; else the bound's stretch, and the rows'
 * block shorter than the box (rows too short) or narrower (rows too tall).
 */
export function fitRows(breaks: RowBreaks, aspects: readonly number[], content: Box, gap: number, maxCrop: number): RowFit | null {
  const rows = breaks.heights.length;
  const room = content.height - (rows - 1) * gap;
  if (room <= 0) return null;
  const natural = breaks.heights.reduce((s, h) => s + h, 0);
  const stretch = room / natural;
  const { low, high } = stretchLimits(boundWithRounding(maxCrop, natural / rows));
  if (stretch >= low && stretch <= high) {
    return { breaks, width: content.width, heights: breaks.heights.map((h) => h * stretch), crop: cropOfStretch(stretch), unfilled: 0 };
  }
  if (stretch > high) {
    const heights = breaks.heights.map((h) => h * high);
    const used = heights.reduce((s, h) => s + h, 0) + (rows - 1) * gap;
    return { breaks, width: content.width, heights, crop: cropOfStretch(high), unfilled: 1 - used / content.height };
  }
  // Too tall even at the bound: narrower rows. A row of n items spanning w has natural height
  // (w − (n−1)·gap)/A; the rows fill the height at the bound when Σ that·low = room.
  let inverse = 0;
  let gaps = 0;
  breaks.starts.forEach((start, r) => {
    const end = r + 1 < rows ? breaks.starts[r + 1]! : aspects.length;
    let sum = 0;
    for (let i = start; i < end; i++) sum += aspects[i]!;
    inverse += 1 / sum;
    gaps += ((end - start - 1) * gap) / sum;
  });
  const width = (room / low + gaps) / inverse;
  if (!(width >= 1)) return null;
  const heights = breaks.starts.map((start, r) => {
    const end = r + 1 < rows ? breaks.starts[r + 1]! : aspects.length;
    let sum = 0;
    for (let i = start; i < end; i++) sum += aspects[i]!;
    return ((width - (end - start - 1) * gap) / sum) * low;
  });
  if (heights.some((h) => !(h > 0))) return null;
  return { breaks, width, heights, crop: cropOfStretch(low), unfilled: 1 - width / content.width };
}

/** RMS of log(row height / mean row height). */
function unevenness(heights: readonly number[]): number {
  const logs = heights.map(Math.log);
  const mean = logs.reduce((s, v) => s + v, 0) / logs.length;
  return Math.sqrt(logs.reduce((s, v) => s + (v - mean) ** 2, 0) / logs.length);
}

/** Integer boxes for a fit: the block of rows centred in the content box, rows and cells split to the pixel. */
function realise(fit: RowFit, images: readonly ImageShape[], aspects: readonly number[], content: Box, gap: number): Omit<JustifiedResult, 'targetRowHeight'> {
  const rows = fit.heights.length;
  const blockWidth = Math.min(content.width, Math.max(1, Math.round(fit.width)));
  const blockHeight = Math.min(content.height, Math.max(1, Math.round(fit.heights.reduce((s, h) => s + h, 0) + (rows - 1) * gap)));
  const block = {
    x: content.x + Math.floor((content.width - blockWidth) / 2),
    y: content.y + Math.floor((content.height - blockHeight) / 2),
    width: blockWidth,
    height: blockHeight,
  };
  const rowSizes = fit.pixels ?? rowHeightsInPixels(fit, aspects, block, gap);
  const rowSpans = rowSizes ? stack(block.y, rowSizes, gap) : splitWeighted(block.y, block.height, fit.heights, gap);
  const boxes: PlacedBox[] = new Array(images.length);
  fit.breaks.starts.forEach((start, r) => {
    const end = r + 1 < rows ? fit.breaks.starts[r + 1]! : images.length;
    const row = rowSpans[r]!;
    const ideals = aspects.slice(start, end).map((a) => a * row.size);
    const widths = apportion(ideals, block.width - (end - start - 1) * gap);
    const spans = widths ? stack(block.x, widths, gap) : splitWeighted(block.x, block.width, aspects.slice(start, end), gap);
    spans.forEach((span, k) => {
      const index = start + k;
      boxes[index] = { x: span.start, y: row.start, width: span.size, height: row.size, index, crop: coverCropFraction(images[index]!.aspect, span.size, row.size) };
    });
  });
  return { boxes, rowStarts: fit.breaks.starts, rowHeights: rowSpans.map((s) => s.size), block, unfilled: unfilledShare(boxes, content, gap) };
}

/**
 * Whole-pixel row heights summing to the block's height (less gaps), each near its fitted height,
 * chosen so the worst crop any photo needs (its row's widths apportioned for the least worst
 * crop) is least. Null when the fitted heights leave no room to choose.
 */
function rowHeightsInPixels(fit: RowFit, aspects: readonly number[], block: Box, gap: number): number[] | null {
  const rows = fit.heights.length;
  const total = block.height - (rows - 1) * gap;
  // Per row, the heights tried and the least worst crop at each.
  const options = fit.heights.map((fitted, r) => {
    const start = fit.breaks.starts[r]!;
    const end = r + 1 < rows ? fit.breaks.starts[r + 1]! : aspects.length;
    const room = block.width - (end - start - 1) * gap;
    const reach = 1 + Math.ceil(0.02 * fitted);
    const from = Math.max(1, Math.floor(fitted) - reach);
    const costs: number[] = [];
    for (let h = from; h <= Math.ceil(fitted) + reach; h++) {
      let crop = leastWorstCrop(
        aspects.slice(start, end).map((a) => a * h),
        room,
      );
      for (let i = start; i < end; i++) if (!(aspects[i]! * h > 0)) crop = Infinity;
      costs.push(crop);
    }
    return { from, costs };
  });
  // Within crop t each row may take the heights around its best that stay within t.
  const ranges = (t: number) =>
    options.map(({ from, costs }) => {
      let best = 0;
      costs.forEach((c, k) => (c < costs[best]! ? (best = k) : 0));
      if (costs[best]! > t) return null;
      let lo = best;
      let hi = best;
      while (lo > 0 && costs[lo - 1]! <= t) lo--;
      while (hi + 1 < costs.length && costs[hi + 1]! <= t) hi++;
      return { from, best, lo, hi };
    });
  const fits = (t: number) => {
    const r = ranges(t);
    if (r.some((x) => x === null)) return false;
    const low = r.reduce((s, x) => s + x!.from + x!.lo, 0);
    const high = r.reduce((s, x) => s + x!.from + x!.hi, 0);
    return low <= total && total <= high;
  };
  const thresholds = [...new Set(options.flatMap((o) => o.costs).filter(Number.isFinite))].sort((a, b) => a - b);
  let lo = 0;
  let hi = thresholds.length - 1;
  if (hi < 0 || !fits(thresholds[hi]!)) return null;
  while (lo < hi) {
    const middle = (lo + hi) >> 1;
    if (fits(thresholds[middle]!)) hi = middle;
    else lo = middle + 1;
  }
  const chosen = ranges(thresholds[lo]!).map((x) => x!);
  const heights = chosen.map((x) => x.from + x.best);
  // Meet the total a pixel at a time, each from the row where the step costs least.
  let short = total - heights.reduce((s, h) => s + h, 0);
  while (short !== 0) {
    const step = short > 0 ? 1 : -1;
    let pick = -1;
    let pickCost = Infinity;
    chosen.forEach((x, r) => {
      const k = heights[r]! - x.from + step;
      if (k < x.lo || k > x.hi) return;
      if (options[r]!.costs[k]! < pickCost) {
        pickCost = options[r]!.costs[k]!;
        pick = r;
      }
    });
    if (pick < 0) return null;
    heights[pick]! += step;
    short -= step;
  }
  return heights;
}

function fitError(count: number, content: Box, gap: number): LayoutError {
  return new LayoutError('layout', `${count} images with a ${gap} px gap do not fit in ${content.width}×${content.height} px`);
}

export function assertDrawable(boxes: readonly PlacedBox[], content: Box, count: number, gap: number): void {
  for (const box of boxes) {
    if (box.width < 1 || box.height < 1 || box.x + box.width > content.x + content.width || box.y + box.height > content.y + content.height) {
      throw fitError(count, content, gap);
    }
  }
}
