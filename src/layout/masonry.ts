/**
 * Masonry: equal-width columns, photos at their own aspect, stacked with exact gaps.
 *
 * Photos are assigned to columns so the columns' natural heights (at the column width, uncropped)
 * end close together: shortest column first, then single moves and swaps between the tallest and
 * shortest column while they narrow the spread (each column keeps its photos in order). All
 * columns are then stretched by one common factor to meet the content height, each column's own
 * small remainder on top, every stretch within `maxCrop`. Where the bound cannot fill the page the
 * columns keep it: too short, they end above the bottom (the block centred); too tall, they are
 * narrowed and centred. The column count, when not given, is the one that fills the page best
 * within the bound.
 */
import { boundWithRounding, cropBound, cropOfStretch, stretchLimits } from './bound.js';
import { unfilledShare } from './metrics.js';
import { apportion } from './apportion.js';
import { HEIGHT_SLACK, settleColumnsAndHeight } from './masonry-pixels.js';
import { splitEvenly, splitWeighted, stack } from './split.js';
import { LayoutError, checkImages, coverCropFraction, type Box, type ImageShape, type PlacedBox } from './types.js';

export interface MasonryOptions {
  images: readonly ImageShape[];
  /** The area inside the margins. */
  content: Box;
  /** Space between cells, px. */
  gap: number;
  /** Column count; chosen from the images and the page when omitted. */
  columns?: number;
  /** Largest share of a photo a crop may hide before columns leave white space instead (default 0.05). */
  maxCrop?: number;
}

export interface MasonryResult {
  /** One box per image, in image order. */
  boxes: PlacedBox[];
  columns: number;
  /** Image indices in each column, top to bottom. */
  columnImages: number[][];
  /** Each column's vertical stretch over its photos' natural heights (1 = uncropped). */
  columnStretch: number[];
  /** The columns' bounding rectangle: the content box, or a centred part of it. */
  block: Box;
  /** Share of the content box left background because the page could not be filled within maxCrop. */
  unfilled: number;
}

/** Column counts tried either side of the one whose columns' natural height is nearest the page. */
const COUNTS_AROUND = 3;
/** Columns up to this wide are settled on whole pixels (a pixel is ≥ ~0.6 % of a landscape's height there). */
const PIXEL_COLUMN = 240;
/** Rounds of moves and swaps when balancing columns. */
const BALANCE_ROUNDS = 400;

export function masonryLayout(options: MasonryOptions): MasonryResult {
  const { images, content, gap } = options;
  checkImages(images);
  const maxCrop = cropBound(options.maxCrop);
  if (options.columns !== undefined && !(Number.isInteger(options.columns) && options.columns >= 1)) {
    throw new LayoutError('layout.columns', `columns must be a positive integer, got ${options.columns}`);
  }
  if (images.length === 0) return { boxes: [], columns: options.columns ?? 1, columnImages: [], columnStretch: [], block: content, unfilled: 0 };
  const counts = options.columns !== undefined ? [options.columns] : columnCounts(images, content, gap);
  let best: { plan: ColumnPlan; score: number } | null = null;
  for (const columns of counts) {
    const plan = planColumns(images, content, gap, columns, maxCrop);
    if (!plan) continue;
    const score = plan.unfilled * 4 + plan.meanCrop + 0.5 * plan.maxCrop;
    if (!best || score < best.score) best = { plan, score };
  }
  if (!best) throw new LayoutError('layout', `${counts[0]} columns with a ${gap} px gap do not fit in ${content.width} px`);
  return realise(best.plan, images, content, gap, maxCrop);
}

/** Column counts worth trying: around the one whose columns, uncropped, come nearest the content height. */
export function columnCounts(images: readonly ImageShape[], content: Box, gap: number): number[] {
  const inverse = images.reduce((s, image) => s + 1 / image.aspect, 0);
  let nearest = 1;
  let nearestError = Infinity;
  for (let c = 1; c <= images.length; c++) {
    const width = (content.width - (c - 1) * gap) / c;
    if (width < 1) break;
    const height = (width * inverse + Math.max(0, images.length - c) * gap) / c;
    const error = Math.abs(Math.log(height / content.height));
    if (error < nearestError) {
      nearestError = error;
      nearest = c;
    }
  }
  const counts: number[] = [];
  for (let c = Math.max(1, nearest - COUNTS_AROUND); c <= Math.min(images.length, nearest + COUNTS_AROUND); c++) {
    if ((content.width - (c - 1) * gap) / c >= 1) counts.push(c);
  }
  return counts;
}

interface ColumnPlan {
  columns: number;
  maxCropBound: number;
  members: number[][];
  /** Column width the photos are stacked at (≤ the even split of the content width). */
  width: number;
  stretch: number[];
  unfilled: number;
  meanCrop: number;
  maxCrop: number;
}

/** Assigns and fits `columns` columns; null when they do not fit the width. */
function planColumns(images: readonly ImageShape[], content: Box, gap: number, columns: number, maxCrop: number): ColumnPlan | null {
  const fullWidth = (content.width - (columns - 1) * gap) / columns;
  if (fullWidth < 1) return null;
  // Photo heights per unit of column width; a column's natural height is Σ (width/aspect) + gaps.
  const unit = images.map((image) => 1 / image.aspect);
  const members = balanceColumns(unit, columns, fullWidth, gap);
  const photoHeights = members.map((m) => m.reduce((s, i) => s + unit[i]!, 0));
  const gapHeights = members.map((m) => Math.max(0, m.length - 1) * gap);
  const bound = boundWithRounding(maxCrop, fullWidth);
  const { low, high } = stretchLimits(bound);
  // Narrow the columns (width × z, no crop) only as much as the tallest needs at the bound.
  let zoom = 1;
  members.forEach((m, c) => {
    if (!m.length) return;
    const room = content.height - gapHeights[c]!;
    if (room <= 0) zoom = 0;
    else zoom = Math.min(zoom, room / (photoHeights[c]! * fullWidth * low));
  });
  if (!(zoom > 0)) return null;
  const width = fullWidth * zoom;
  const stretch = members.map((m, c) => (m.length ? Math.min(high, Math.max(low, (content.height - gapHeights[c]!) / (photoHeights[c]! * width))) : 1));
  // Each column with the gutter to its right (none after the last) covers its used height.
  const covered = members.reduce((s, m, c) => s + (m.length ? photoHeights[c]! * width * stretch[c]! + gapHeights[c]! : 0) * (width + (c < columns - 1 ? gap : 0)), 0);
  const unfilled = Math.max(0, 1 - covered / (content.width * content.height));
  let sum = 0;
  let worst = 0;
  members.forEach((m, c) => {
    const crop = cropOfStretch(stretch[c]!);
    sum += crop * m.length;
    worst = Math.max(worst, crop);
  });
  return { columns, maxCropBound: bound, members, width, stretch, unfilled, meanCrop: sum / images.length, maxCrop: worst };
}

/**
 * Columns whose natural heights end close together: each photo, in order, to the shortest column;
 * then, while it lowers the spread (sum of squared distances from the mean height), the single
 * move or swap between the tallest column and any other that lowers it most. Columns keep their
 * photos in order.
 */
export function balanceColumns(unit: readonly number[], columns: number, width: number, gap: number): number[][] {
  const members: number[][] = Array.from({ length: columns }, () => []);
  const heights = new Array<number>(columns).fill(0);
  unit.forEach((u, i) => {
    let shortest = 0;
    for (let c = 1; c < columns; c++) if (heights[c]! < heights[shortest]! - 1e-9) shortest = c;
    heights[shortest] = heights[shortest]! + (members[shortest]!.length ? gap : 0) + u * width;
    members[shortest]!.push(i);
  });
  const size = (i: number) => unit[i]! * width;
  for (let round = 0; round < BALANCE_ROUNDS && columns > 1; round++) {
    let tall = 0;
    for (let c = 1; c < columns; c++) if (heights[c]! > heights[tall]!) tall = c;
    // Moving `d` px of height from the tall column to column c changes the squared spread by
    // (T − d − μ)² + (C + d − μ)² − (T − μ)² − (C − μ)² = 2d(d − (T − C)).
    let best: { gain: number; other: number; give: number; take: number | null } | null = null;
    for (let other = 0; other < columns; other++) {
      const difference = heights[tall]! - heights[other]!;
      if (other === tall || difference <= 0) continue;
      const consider = (d: number, give: number, take: number | null) => {
        const gain = 2 * d * (difference - d);
        if (gain > 1e-9 && (!best || gain > best.gain)) best = { gain, other, give, take };
      };
      for (const i of members[tall]!) {
        if (members[tall]!.length > 1) consider(size(i) + gap, i, null);
        for (const j of members[other]!) if (size(i) > size(j)) consider(size(i) - size(j), i, j);
      }
    }
    if (!best) break;
    const { other, give, take } = best as { other: number; give: number; take: number | null };
    members[tall] = members[tall]!.filter((i) => i !== give);
    members[other]!.push(give);
    if (take !== null) {
      members[other] = members[other]!.filter((j) => j !== take);
      members[tall]!.push(take);
    }
    for (const c of [tall, other]) {
      members[c]!.sort((a, b) => a - b);
      heights[c] = members[c]!.reduce((s, i) => s + size(i), 0) + Math.max(0, members[c]!.length - 1) * gap;
    }
  }
  return members;
}

/** Integer boxes: columns split across the block's width, each column's photos down its height. */
function realise(plan: ColumnPlan, images: readonly ImageShape[], content: Box, gap: number, maxCrop: number): MasonryResult {
  const { columns } = plan;
  let members = plan.members;
  const blockWidth = Math.min(content.width, Math.round(columns * plan.width + (columns - 1) * gap));
  const { low, high } = stretchLimits(plan.maxCropBound);
  // A column whose stretch was not held at the bound meets the bottom exactly.
  const filled = (c: number) => plan.stretch[c]! > low && plan.stretch[c]! < high;
  const heights: number[] = members.map((m, c) => {
    if (!m.length) return 0;
    if (filled(c)) return content.height;
    return Math.min(content.height, Math.round(m.reduce((s, i) => s + plan.width / images[i]!.aspect, 0) * plan.stretch[c]! + (m.length - 1) * gap));
  });
  const xs = splitEvenly(content.x + Math.floor((content.width - blockWidth) / 2), blockWidth, columns, gap);
  if (Math.min(...xs.map((s) => s.size)) < 1) throw new LayoutError('layout', `${columns} columns with a ${gap} px gap do not fit in ${content.width} px`);
  // Filling the page with narrow columns: which photos share a column is settled again on the
  // columns' whole pixels (and the columns may end a little short of the page where that saves a
  // visible crop). Wider columns make a pixel too small a share of a photo to be worth the search.
  const narrow = Math.min(...xs.map((x) => x.size)) <= PIXEL_COLUMN;
  if (narrow && members.every((m, c) => m.length > 0 && heights[c]! >= content.height * (1 - HEIGHT_SLACK))) {
    const settled = settleColumnsAndHeight(
      members,
      images.map((image) => image.aspect),
      xs.map((x) => x.size),
      content.height,
      gap,
      maxCrop,
    );
    if (settled) {
      members = settled.members;
      heights.fill(settled.height);
    }
  }
  const blockHeight = Math.max(1, ...heights);
  const block = {
    x: content.x + Math.floor((content.width - blockWidth) / 2),
    y: content.y + Math.floor((content.height - blockHeight) / 2),
    width: blockWidth,
    height: blockHeight,
  };
  const boxes: PlacedBox[] = new Array(images.length);
  members.forEach((column, c) => {
    if (!column.length) return;
    const x = xs[c]!;
    // Whole-pixel heights for the least worst crop at this column's own (whole-pixel) width.
    const sizes = apportion(
      column.map((i) => x.size / images[i]!.aspect),
      heights[c]! - (column.length - 1) * gap,
    );
    const cells = sizes
      ? stack(block.y, sizes, gap)
      : splitWeighted(
          block.y,
          heights[c]!,
          column.map((i) => 1 / images[i]!.aspect),
          gap,
        );
    cells.forEach((cell, k) => {
      const index = column[k]!;
      if (cell.size < 1) throw new LayoutError('layout', `${column.length} images do not fit in a ${content.height} px column with a ${gap} px gap`);
      boxes[index] = { x: x.start, y: cell.start, width: x.size, height: cell.size, index, crop: coverCropFraction(images[index]!.aspect, x.size, cell.size) };
    });
  });
  // Each column's stretch as drawn: its height on the page over its photos' natural heights.
  const columnStretch = members.map((m, c) => (m.length ? (heights[c]! - (m.length - 1) * gap) / m.reduce((s, i) => s + xs[c]!.size / images[i]!.aspect, 0) : 1));
  return { boxes, columns, columnImages: members, columnStretch, block, unfilled: unfilledShare(boxes, content, gap) };
}
