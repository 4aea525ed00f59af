/** Stage 4, layout: pure functions, sizes in, boxes out. No I/O. */
import { gridLayout } from './grid.js';
import { justifiedLayout } from './justified.js';
import { masonryLayout } from './masonry.js';
import { mosaicLayout } from './mosaic.js';
import { LayoutError, type Box, type ImageShape, type PlacedBox } from './types.js';

export { cellSampling, coverCrop, containRect, type CellSampling } from './fit.js';
export { gridLayout, gridShape, type GridOptions, type GridResult } from './grid.js';
export { splitEvenly, splitWeighted } from './split.js';
export { LayoutError, coverCropFraction, type Box, type ImageShape, type PlacedBox, type Rect } from './types.js';
export { justifiedLayout, type JustifiedOptions, type JustifiedResult } from './justified.js';
export { masonryLayout, masonryColumns, type MasonryOptions, type MasonryResult } from './masonry.js';
export { mosaicLayout, type MosaicOptions, type MosaicResult } from './mosaic.js';
export { layoutMetrics, type LayoutMetrics, type MetricsOptions } from './metrics.js';
export { planRows, type RowItem, type RowPlan, type RowOptions } from './rows.js';
export { mulberry32 } from './random.js';

/** Layout settings `layoutPage` understands: the manifest's grid spec, or one of the aspect-aware types. */
export type PageLayoutSpec =
  | { type: 'grid'; columns?: number; rows?: number }
  | { type: 'justified'; rowHeight?: number; lastRowTolerance?: number }
  | { type: 'masonry'; columns?: number }
  | { type: 'mosaic'; seed?: number };

export interface PageGeometry {
  width: number;
  height: number;
  margin: number;
  gap: number;
}

export interface PageLayout {
  /** The area inside the margins, where cells go. */
  content: Box;
  /** One box per image, in manifest order (PlacedBox, with index and crop, for non-grid types). */
  boxes: Box[] | PlacedBox[];
  /** Grid and masonry: column count; justified and mosaic: 0. */
  columns: number;
  /** Grid: row count; justified: row count; masonry and mosaic: 0. */
  rows: number;
}

export function contentBox(page: PageGeometry): Box {
  return { x: page.margin, y: page.margin, width: page.width - 2 * page.margin, height: page.height - 2 * page.margin };
}

/**
 * Lays out one page. `grid` needs only the count; the other types need `images` (aspect ratios,
 * optional weights), one per image.
 */
export function layoutPage(layout: PageLayoutSpec, page: PageGeometry, count: number, images?: readonly ImageShape[]): PageLayout {
  const content = contentBox(page);
  const gap = page.gap;
  if (layout.type === 'grid') {
    const grid = gridLayout({ count, content, gap, columns: layout.columns, rows: layout.rows });
    return { content, ...grid };
  }
  if (!images || images.length !== count) {
    throw new LayoutError('layout', `a ${layout.type} layout needs the aspect ratio of each of the ${count} images`);
  }
  switch (layout.type) {
    case 'justified': {
      const result = justifiedLayout({ images, content, gap, rowHeight: layout.rowHeight, lastRowTolerance: layout.lastRowTolerance });
      return { content, boxes: result.boxes, columns: 0, rows: result.rowStarts.length };
    }
    case 'masonry': {
      const result = masonryLayout({ images, content, gap, columns: layout.columns });
      return { content, boxes: result.boxes, columns: result.columns, rows: 0 };
    }
    case 'mosaic': {
      const result = mosaicLayout({ images, content, gap, seed: layout.seed });
      return { content, boxes: result.boxes, columns: 0, rows: 0 };
    }
  }
}
