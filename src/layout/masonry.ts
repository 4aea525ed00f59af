/**
 * Masonry: equal-width columns, images at their aspect ratio dropped into the shortest column,
 * then each column scaled vertically so all column bottoms meet the content box's bottom (a small
 * cover crop per cell, reported).
 */
import { smallestSpan, splitEvenly, splitWeighted } from './split.js';
import { LayoutError, checkImages, coverCropFraction, type Box, type ImageShape, type PlacedBox } from './types.js';

export interface MasonryOptions {
  images: readonly ImageShape[];
  /** The area inside the margins. */
  content: Box;
  /** Space between cells, px. */
  gap: number;
  /** Column count; derived from the images and the page when omitted. */
  columns?: number;
}

export interface MasonryResult {
  /** One box per image, in image order. */
  boxes: PlacedBox[];
  columns: number;
  /** Image indices in each column, top to bottom. */
  columnImages: number[][];
}

export function masonryLayout(options: MasonryOptions): MasonryResult {
  const { images, content, gap } = options;
  checkImages(images);
  const columns = options.columns ?? masonryColumns(images, content, gap);
  if (!(Number.isInteger(columns) && columns >= 1)) throw new LayoutError('layout.columns', `columns must be a positive integer, got ${columns}`);
  if (smallestSpan(content.width, columns, gap) < 1) throw new LayoutError('layout', `${columns} columns with a ${gap} px gap do not fit in ${content.width} px`);
  const xs = splitEvenly(content.x, content.width, columns, gap);
  const columnWidth = (content.width - (columns - 1) * gap) / columns;
  const bottoms = new Array<number>(columns).fill(0);
  const columnImages: number[][] = Array.from({ length: columns }, () => []);
  images.forEach((image, i) => {
    let shortest = 0;
    for (let c = 1; c < columns; c++) if (bottoms[c]! < bottoms[shortest]! - 1e-9) shortest = c;
    bottoms[shortest] = bottoms[shortest]! + (columnImages[shortest]!.length ? gap : 0) + columnWidth / image.aspect;
    columnImages[shortest]!.push(i);
  });
  const boxes: PlacedBox[] = new Array(images.length);
  columnImages.forEach((members, c) => {
    if (!members.length) return;
    const column = xs[c]!;
    const cells = splitWeighted(content.y, content.height, members.map((i) => 1 / images[i]!.aspect), gap);
    cells.forEach((cell, k) => {
      const index = members[k]!;
      if (cell.size < 1) throw new LayoutError('layout', `${members.length} images do not fit in a ${content.height} px column with a ${gap} px gap`);
      boxes[index] = { x: column.start, y: cell.start, width: column.size, height: cell.size, index, crop: coverCropFraction(images[index]!.aspect, column.size, cell.size) };
    });
  });
  return { boxes, columns, columnImages };
}

/** The column count whose columns, at their images' natural heights, come closest to the content height. */
export function masonryColumns(images: readonly ImageShape[], content: Box, gap: number): number {
  const inverse = images.reduce((s, image) => s + 1 / image.aspect, 0);
  let best = 1;
  let bestError = Infinity;
  for (let c = 1; c <= Math.max(1, images.length); c++) {
    const width = (content.width - (c - 1) * gap) / c;
    if (width < 1) break;
    const height = (width * inverse + Math.max(0, images.length - c) * gap) / c;
    const error = Math.abs(Math.log(height / content.height));
    if (error < bestError) {
      bestError = error;
      best = c;
    }
  }
  return best;
}
