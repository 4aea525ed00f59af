/**
 * Justified rows on a fixed page: every row fills the content width exactly (gaps exactly `gap`),
 * images in a row share its height, and the rows fill the content height. Breaks are chosen for the
 * whole set at once (least squared deviation from the row height), not greedily.
 */
import { planRows } from './rows.js';
import { splitWeighted } from './split.js';
import { LayoutError, checkImages, coverCropFraction, normalizedWeights, type Box, type ImageShape, type PlacedBox } from './types.js';

export interface JustifiedOptions {
  images: readonly ImageShape[];
  /** The area inside the margins. */
  content: Box;
  /** Space between cells, px. */
  gap: number;
  /** Preferred row height, px; the row count is still chosen so the rows fill the content box. */
  rowHeight?: number;
  /**
   * A last row whose natural height would exceed the row height by more than this fraction is
   * left-aligned at the row height instead of stretched (default 0.5).
   */
  lastRowTolerance?: number;
}

export interface JustifiedResult {
  /** One box per image, in image order. */
  boxes: PlacedBox[];
  /** Index of the first image of each row. */
  rowStarts: number[];
  /** Height of each row, px. */
  rowHeights: number[];
  /** The row height the rows aimed at (content height shared evenly between them). */
  targetRowHeight: number;
  /** The last row is left-aligned (not stretched to the full width). */
  lastRowLeft: boolean;
}

/**
 * Weights widen (or narrow) an image's cell: weight 2 gets twice the width at the row's height,
 * so twice the area, at the price of a cover crop.
 */
export function justifiedLayout(options: JustifiedOptions): JustifiedResult {
  const { images, content, gap } = options;
  checkImages(images);
  if (images.length === 0) return { boxes: [], rowStarts: [], rowHeights: [], targetRowHeight: 0, lastRowLeft: false };
  const weights = normalizedWeights(images);
  const cellAspects = images.map((image, i) => image.aspect * weights[i]!);
  const plan = planRows(
    cellAspects.map((alpha) => ({ alpha, beta: 0 })),
    { width: content.width, height: content.height, y: content.y, gap, rowHeight: options.rowHeight, lastRowTolerance: options.lastRowTolerance ?? 0.5 },
  );
  const boxes: PlacedBox[] = new Array(images.length);
  const rows = plan.starts.length;
  for (let r = 0; r < rows; r++) {
    const start = plan.starts[r]!;
    const end = r + 1 < rows ? plan.starts[r + 1]! : images.length;
    const row = plan.heights[r]!;
    const aspects = cellAspects.slice(start, end);
    let spans: { start: number; size: number }[];
    if (r === rows - 1 && plan.lastRowLeft) {
      // Natural widths at the row's height, left-aligned.
      spans = [];
      let x = content.x;
      for (const aspect of aspects) {
        const size = Math.max(1, Math.round(aspect * row.size));
        spans.push({ start: x, size });
        x += size + gap;
      }
    } else {
      spans = splitWeighted(content.x, content.width, aspects, gap);
    }
    spans.forEach((span, k) => {
      const index = start + k;
      boxes[index] = { x: span.start, y: row.start, width: span.size, height: row.size, index, crop: coverCropFraction(images[index]!.aspect, span.size, row.size) };
    });
  }
  assertDrawable(boxes, content, images.length, gap);
  return { boxes, rowStarts: plan.starts, rowHeights: plan.heights.map((h) => h.size), targetRowHeight: plan.target, lastRowLeft: plan.lastRowLeft };
}

export function assertDrawable(boxes: readonly PlacedBox[], content: Box, count: number, gap: number): void {
  for (const box of boxes) {
    if (box.width < 1 || box.height < 1 || box.x + box.width > content.x + content.width || box.y + box.height > content.y + content.height) {
      throw new LayoutError('layout', `${count} images with a ${gap} px gap do not fit in ${content.width}×${content.height} px`);
    }
  }
}
