/** Stage 4, layout: pure functions, sizes in, boxes out. No I/O. */
import { gridLayout } from './grid.js';
import { justifiedLayout } from './justified.js';
import { sharpMasonryLayout } from './masonry-pairs.js';
import { mosaicLayout } from './mosaic.js';
import { calendarPage, type CalendarPageSpec } from './calendar-page.js';
import type { CalendarPage } from './calendar.js';
import { LayoutError, type Box, type ImageShape, type PlacedBox } from './types.js';

export { cellSampling, coverCrop, containRect, type CellSampling } from './fit.js';
export { gridLayout, gridShape } from './grid.js';
export { splitEvenly, splitWeighted } from './split.js';
export { LayoutError, coverCropFraction, type Box, type ImageShape, type PlacedBox } from './types.js';
export { justifiedLayout } from './justified.js';
export { masonryLayout } from './masonry.js';
export { sharpMasonryLayout } from './masonry-pairs.js';
export { mosaicLayout } from './mosaic.js';
export { layoutMetrics, type LayoutMetrics } from './metrics.js';
export { mulberry32 } from './random.js';
export { calendarLayout, type CalendarPage, type CalendarLabel } from './calendar.js';

/** Layout settings `layoutPage` understands (the manifest's, lengths in px, `maxCrop` a share 0..1). */
export type PageLayoutSpec =
  | { type: 'grid'; columns?: number; rows?: number; cellAspect?: number; maxCrop?: number }
  | { type: 'justified'; rowHeight?: number; maxCrop?: number }
  | { type: 'masonry'; columns?: number; maxCrop?: number }
  | { type: 'mosaic'; seed?: number; maxCrop?: number; maxAreaRatio?: number }
  | CalendarPageSpec;

export interface PageGeometry {
  width: number;
  height: number;
  margin: number;
  gap: number;
}

export interface PageLayout {
  /** The area inside the margins, where cells go. */
  content: Box;
  /** One box per image, in order (PlacedBox, with index and crop, when the images' shapes were given). */
  boxes: Box[] | PlacedBox[];
  /** Grid: the widest row's cells; masonry: column count; justified and mosaic: 0. */
  columns: number;
  /** Grid and justified: row count; masonry and mosaic: 0. */
  rows: number;
  /** Grid: cells of a given columns × rows grid left without a photo (0 for a derived shape). */
  emptyCells?: number;
  /** Share of the content box left background because it could not be filled within maxCrop (0..1). */
  unfilled: number;
  /** Calendar: every day's cell, the headings and labels. */
  calendar?: CalendarPage;
}

export function contentBox(page: PageGeometry): Box {
  return { x: page.margin, y: page.margin, width: page.width - 2 * page.margin, height: page.height - 2 * page.margin };
}

/**
 * Lays out one page. `grid` needs only the count (with `images`, a derived grid fits their
 * shapes); the other types need `images` (aspect ratios, optional weights), one per image.
 */
export function layoutPage(layout: PageLayoutSpec, page: PageGeometry, count: number, images?: readonly ImageShape[]): PageLayout {
  const content = contentBox(page);
  const gap = page.gap;
  if (images && images.length !== count) throw new LayoutError('layout', `${images.length} image shapes for ${count} images`);
  if (layout.type === 'grid') {
    const grid = gridLayout({ count, content, gap, columns: layout.columns, rows: layout.rows, cellAspect: layout.cellAspect, images });
    return { content, boxes: grid.boxes, columns: grid.columns, rows: grid.rows, emptyCells: grid.emptyCells, unfilled: 0 };
  }
  if (!images) throw new LayoutError('layout', `a ${layout.type} layout needs the aspect ratio of each of the ${count} images`);
  switch (layout.type) {
    case 'justified': {
      const result = justifiedLayout({ images, content, gap, rowHeight: layout.rowHeight, maxCrop: layout.maxCrop });
      return { content, boxes: result.boxes, columns: 0, rows: result.rowStarts.length, unfilled: result.unfilled };
    }
    case 'masonry': {
      // Photos with a sharp size (layout.resolutionAware) may share a slot in their column.
      const result = sharpMasonryLayout({ images, content, gap, columns: layout.columns, maxCrop: layout.maxCrop });
      return { content, boxes: result.boxes, columns: result.columns, rows: 0, unfilled: result.unfilled };
    }
    case 'mosaic': {
      const result = mosaicLayout({ images, content, gap, seed: layout.seed, maxCrop: layout.maxCrop, maxAreaRatio: layout.maxAreaRatio });
      return { content, boxes: result.boxes, columns: 0, rows: 0, unfilled: result.unfilled };
    }
    case 'calendar': {
      const result = calendarPage(layout, images, content, gap);
      return { content, boxes: result.boxes, columns: result.page.columns, rows: result.page.rows, calendar: result.page, unfilled: 0 };
    }
  }
}
