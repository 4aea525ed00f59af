/** Stage 4, layout: pure functions, sizes in, boxes out. No I/O. */
import type { LayoutSpec } from '../manifest/index.js';
import { gridLayout } from './grid.js';
import type { Box } from './types.js';

export { coverCrop, containRect } from './fit.js';
export { gridLayout, gridShape, type GridOptions, type GridResult } from './grid.js';
export { splitEvenly } from './split.js';
export { LayoutError, type Box, type Rect } from './types.js';

export interface PageGeometry {
  width: number;
  height: number;
  margin: number;
  gap: number;
}

export interface PageLayout {
  /** The area inside the margins, where cells go. */
  content: Box;
  /** One box per image, in manifest order. */
  boxes: Box[];
  columns: number;
  rows: number;
}

export function contentBox(page: PageGeometry): Box {
  return { x: page.margin, y: page.margin, width: page.width - 2 * page.margin, height: page.height - 2 * page.margin };
}

export function layoutPage(layout: LayoutSpec, page: PageGeometry, count: number): PageLayout {
  const content = contentBox(page);
  const grid = gridLayout({ count, content, gap: page.gap, columns: layout.columns, rows: layout.rows });
  return { content, ...grid };
}
