/** Quality figures for `collage plan` and the bench: how well a layout uses the page and treats the photos. */
import type { Box, PlacedBox } from './types.js';

export interface LayoutMetrics {
  /** Share of the content box covered by photos and the gutters between them, % (the rest is left background). */
  coverage: number;
  /** Mean and maximum share of an image's area hidden by a cover fit, %. */
  meanCrop: number;
  maxCrop: number;
  /** Smallest and largest displayed area (per unit weight when weights are given), px². */
  minArea: number;
  maxArea: number;
  /** maxArea / minArea (1 is perfectly even). */
  areaRatio: number;
  /** Rows (boxes sharing a top edge and a height): each row's height against the mean row height, % (mean absolute and max). */
  rowHeightDeviation?: { mean: number; max: number };
}

export interface MetricsOptions {
  /** Relative area hints, by image index; areas are compared per unit weight. */
  weights?: readonly number[];
  /** Gutter width, px: a box and half the gutter around it count as covered. */
  gap?: number;
  /** Report rows' height deviation (row layouts). */
  rows?: boolean;
}

export function layoutMetrics(boxes: readonly PlacedBox[], content: Box, options: MetricsOptions = {}): LayoutMetrics {
  let cropSum = 0;
  let maxCrop = 0;
  let minArea = Infinity;
  let maxArea = 0;
  for (const box of boxes) {
    const area = box.width * box.height;
    cropSum += box.crop;
    maxCrop = Math.max(maxCrop, box.crop);
    const perWeight = area / (options.weights?.[box.index] ?? 1);
    minArea = Math.min(minArea, perWeight);
    maxArea = Math.max(maxArea, perWeight);
  }
  const n = boxes.length;
  const metrics: LayoutMetrics = {
    coverage: 100 * (1 - unfilledShare(boxes, content, options.gap ?? 0)),
    meanCrop: n ? (100 * cropSum) / n : 0,
    maxCrop: 100 * maxCrop,
    minArea: n ? minArea : 0,
    maxArea,
    areaRatio: n && minArea > 0 ? maxArea / minArea : 0,
  };
  if (options.rows && n) metrics.rowHeightDeviation = rowDeviation(boxes);
  return metrics;
}

/**
 * Share of the content box left background: not in a box, nor within half a gutter of one. Boxes
 * at least `gap` apart grown by gap/2 do not overlap, and tile the content box where it is filled.
 */
export function unfilledShare(boxes: readonly Box[], content: Box, gap: number): number {
  const half = gap / 2;
  let covered = 0;
  for (const box of boxes) {
    const left = Math.max(content.x, box.x - half);
    const top = Math.max(content.y, box.y - half);
    const right = Math.min(content.x + content.width, box.x + box.width + half);
    const bottom = Math.min(content.y + content.height, box.y + box.height + half);
    covered += Math.max(0, right - left) * Math.max(0, bottom - top);
  }
  const area = content.width * content.height;
  return area > 0 ? Math.max(0, 1 - covered / area) : 0;
}

/** Row heights (boxes sharing a top edge) against their mean, %. */
function rowDeviation(boxes: readonly Box[]): { mean: number; max: number } {
  const rows = new Map<number, number>();
  for (const box of boxes) rows.set(box.y, box.height);
  const heights = [...rows.values()];
  const mean = heights.reduce((s, h) => s + h, 0) / heights.length;
  const deviations = heights.map((h) => (100 * Math.abs(h - mean)) / mean);
  return { mean: deviations.reduce((s, d) => s + d, 0) / deviations.length, max: Math.max(...deviations) };
}
