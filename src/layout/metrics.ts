/** Quality figures for `collage plan`: how well a layout uses the page and treats the photos. */
import type { Box, PlacedBox } from './types.js';

export interface LayoutMetrics {
  /** Share of the content box covered by boxes, %. */
  coverage: number;
  /** Mean and maximum share of an image's area hidden by a cover fit, %. */
  meanCrop: number;
  maxCrop: number;
  /** Smallest and largest displayed area (per unit weight when weights are given), px². */
  minArea: number;
  maxArea: number;
  /** maxArea / minArea (1 is perfectly even). */
  areaRatio: number;
  /** Justified only: row heights against the target row height, % (mean absolute and max). */
  rowHeightDeviation?: { mean: number; max: number };
}

export interface MetricsOptions {
  /** Relative area hints, by image index; areas are compared per unit weight. */
  weights?: readonly number[];
  /** For justified layouts: the target row height the rows are compared to. */
  rowHeight?: number;
}

export function layoutMetrics(boxes: readonly PlacedBox[], content: Box, options: MetricsOptions = {}): LayoutMetrics {
  const contentArea = content.width * content.height;
  let covered = 0;
  let cropSum = 0;
  let maxCrop = 0;
  let minArea = Infinity;
  let maxArea = 0;
  for (const box of boxes) {
    const area = box.width * box.height;
    covered += area;
    cropSum += box.crop;
    maxCrop = Math.max(maxCrop, box.crop);
    const perWeight = area / (options.weights?.[box.index] ?? 1);
    minArea = Math.min(minArea, perWeight);
    maxArea = Math.max(maxArea, perWeight);
  }
  const n = boxes.length;
  const metrics: LayoutMetrics = {
    coverage: contentArea > 0 ? (100 * covered) / contentArea : 0,
    meanCrop: n ? (100 * cropSum) / n : 0,
    maxCrop: 100 * maxCrop,
    minArea: n ? minArea : 0,
    maxArea,
    areaRatio: n && minArea > 0 ? maxArea / minArea : 0,
  };
  if (options.rowHeight !== undefined && n) {
    const rows = new Map<number, number>();
    for (const box of boxes) rows.set(box.y, box.height);
    const deviations = [...rows.values()].map((height) => (100 * Math.abs(height - options.rowHeight!)) / options.rowHeight!);
    metrics.rowHeightDeviation = {
      mean: deviations.reduce((s, d) => s + d, 0) / deviations.length,
      max: Math.max(...deviations),
    };
  }
  return metrics;
}
