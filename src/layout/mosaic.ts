/**
 * Mosaic: the whole content box filled edge to edge, every image close to its own aspect ratio.
 *
 * A slicing tree of a fixed shape: horizontal cuts make bands, vertical cuts split each band into
 * items, and an item is one image or a short vertical stack of images much wider than the rest
 * (stacking keeps their areas close to the others'). Each item has an exact affine width law
 * (`width = alpha·height + beta`, gaps included), so each band spans the content width with zero
 * crop; band breaks and the band count are chosen for the whole set at once (shortest path over
 * break points) so the bands fill the height; the small remaining mismatch becomes one uniform
 * vertical stretch, reported as a cover crop. When the page is taller than wide the same is done
 * on the transposed page (columns instead of bands). Deterministic; `seed` perturbs break costs
 * and stacking so equally good alternatives are picked.
 */
import { mulberry32 } from './random.js';
import { planRows, type RowItem } from './rows.js';
import { splitWeighted } from './split.js';
import { LayoutError, checkImages, coverCropFraction, normalizedWeights, type Box, type ImageShape, type PlacedBox } from './types.js';

export interface MosaicOptions {
  images: readonly ImageShape[];
  /** The area inside the margins. */
  content: Box;
  /** Space between cells, px. */
  gap: number;
  /** Changes the arrangement among equally good ones (same seed, same layout). Default 0. */
  seed?: number;
}

export interface MosaicResult {
  /** One box per image, in image order. */
  boxes: PlacedBox[];
  /** The gutters: every content pixel is in exactly one box or one gap rectangle. */
  gaps: Box[];
  /** `rows`: bands across the page; `columns`: the transposed arrangement. */
  direction: 'rows' | 'columns';
}

/** Score under which the first direction tried is kept (about 1 % mean crop at an area ratio of 2). */
const GOOD_ENOUGH = 0.025;

interface Item extends RowItem {
  /** Images stacked in this item, top to bottom (in band direction terms). */
  members: number[];
}

export function mosaicLayout(options: MosaicOptions): MosaicResult {
  const { images, content, gap } = options;
  checkImages(images);
  if (images.length === 0) return { boxes: [], gaps: [], direction: 'rows' };
  const seed = options.seed ?? 0;
  const weights = normalizedWeights(images);
  // Weights scale a cell's width at its band height (cover crop) like in justified rows.
  const aspects = images.map((image, i) => image.aspect * weights[i]!);
  // Bands along the longer side first; the other direction only when that is not already good.
  const wide = content.width >= content.height;
  const transposedContent = { x: content.y, y: content.x, width: content.height, height: content.width };
  const rowsFirst = () => arrange(aspects, content, gap, seed, false);
  const columnsFirst = () => arrange(aspects.map((a) => 1 / a), transposedContent, gap, seed, true);
  const primary = wide ? rowsFirst() : columnsFirst();
  const primaryScore = primary ? score(primary.boxes, images) : Infinity;
  let pick = primary;
  let transposed = !wide;
  if (primaryScore > GOOD_ENOUGH) {
    const secondary = wide ? columnsFirst() : rowsFirst();
    if (secondary && score(secondary.boxes, images) < primaryScore) {
      pick = secondary;
      transposed = wide;
    }
  }
  if (!pick) throw new LayoutError('layout', `${images.length} images with a ${gap} px gap do not fit in ${content.width}×${content.height} px`);
  const boxes = pick.boxes.map((b, i) => {
    const box = transposed ? { x: b.y, y: b.x, width: b.height, height: b.width } : b;
    return { ...box, index: i, crop: coverCropFraction(images[i]!.aspect, box.width, box.height) };
  });
  const gaps = transposed ? pick.gaps.map((b) => ({ x: b.y, y: b.x, width: b.height, height: b.width })) : pick.gaps;
  for (const box of boxes) {
    if (box.width < 1 || box.height < 1) throw new LayoutError('layout', `${images.length} images with a ${gap} px gap do not fit in ${content.width}×${content.height} px`);
  }
  return { boxes, gaps, direction: transposed ? 'columns' : 'rows' };
}

/** Crop and area balance of a candidate (lower is better). */
function score(boxes: readonly Box[], images: readonly ImageShape[]): number {
  let crop = 0;
  let minArea = Infinity;
  let maxArea = 0;
  boxes.forEach((box, i) => {
    crop += coverCropFraction(images[i]!.aspect, box.width, box.height);
    const area = box.width * box.height;
    minArea = Math.min(minArea, area);
    maxArea = Math.max(maxArea, area);
  });
  return crop / boxes.length + 0.02 * Math.log(maxArea / Math.max(1, minArea));
}

function arrange(aspects: readonly number[], content: Box, gap: number, seed: number, transposed: boolean): { boxes: Box[]; gaps: Box[] } | null {
  const n = aspects.length;
  const random = seed === 0 ? null : mulberry32(seed * 2 + (transposed ? 1 : 0));
  // The band height if every image were alone in its band, then stack images that would come out
  // far larger than the typical one (wide images): a stack of s shares one band slot.
  const logs = [...aspects].map(Math.log).sort((a, b) => a - b);
  const median = Math.exp(logs[Math.floor(logs.length / 2)]!);
  const items: Item[] = [];
  for (let i = 0; i < n; ) {
    const members = [i];
    const limit = random ? 1.7 + 0.4 * random() : 1.8;
    // Stack while the stack stays wider than the median by the limit per member.
    let inverse = 1 / aspects[i]!;
    while (i + members.length < n && members.length < 4) {
      const next = aspects[i + members.length]!;
      const combined = 1 / (inverse + 1 / next);
      if (aspects[i]! / median < limit || next / median < limit || combined / median < limit / members.length) break;
      members.push(i + members.length);
      inverse += 1 / next;
    }
    const alpha = 1 / members.reduce((s, k) => s + 1 / aspects[k]!, 0);
    // A stack of s images of width w: height = w·Σ(1/a) + (s − 1)·gap, so w = alpha·(height − (s − 1)·gap).
    items.push({ alpha, beta: -alpha * (members.length - 1) * gap, members });
    i += members.length;
  }
  const noise = random ? (() => {
    const table = Array.from({ length: items.length + 1 }, () => random() * 1e-3);
    return (j: number) => table[j]!;
  })() : undefined;
  let plan;
  try {
    plan = planRows(items, { width: content.width, height: content.height, y: content.y, gap, noise });
  } catch (error) {
    if (error instanceof LayoutError) return null;
    throw error;
  }
  const boxes: Box[] = new Array(n);
  const gaps: Box[] = [];
  const bands = plan.starts.length;
  for (let r = 0; r < bands; r++) {
    const start = plan.starts[r]!;
    const end = r + 1 < bands ? plan.starts[r + 1]! : items.length;
    const band = plan.heights[r]!;
    if (r > 0 && gap > 0) gaps.push({ x: content.x, y: band.start - gap, width: content.width, height: gap });
    const bandItems = items.slice(start, end);
    const natural = bandItems.map((item) => Math.max(1e-9, item.alpha * plan.natural[r]! + item.beta));
    const spans = splitWeighted(content.x, content.width, natural, gap);
    spans.forEach((span, k) => {
      const item = bandItems[k]!;
      if (k > 0 && gap > 0) gaps.push({ x: span.start - gap, y: band.start, width: gap, height: band.size });
      const cells = splitWeighted(band.start, band.size, item.members.map((m) => 1 / aspects[m]!), gap);
      cells.forEach((cell, s) => {
        if (s > 0 && gap > 0) gaps.push({ x: span.start, y: cell.start - gap, width: span.size, height: gap });
        boxes[item.members[s]!] = { x: span.start, y: cell.start, width: span.size, height: cell.size };
      });
    });
  }
  return { boxes, gaps };
}
