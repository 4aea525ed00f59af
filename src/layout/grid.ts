/** Grid: equal cells, row-major, `columns` × `rows` (either derived when omitted). */
import { smallestSpan, splitEvenly } from './split.js';
import { LayoutError, type Box } from './types.js';

export interface GridOptions {
  /** Number of images to place. */
  count: number;
  /** The area inside the margins. */
  content: Box;
  /** Space between cells, px. */
  gap: number;
  columns?: number;
  rows?: number;
}

export interface GridResult {
  columns: number;
  rows: number;
  /** One cell per image, in image order. */
  boxes: Box[];
}

export function gridLayout(options: GridOptions): GridResult {
  const { count, content, gap } = options;
  const { columns, rows } = gridShape(options);
  if (columns * rows < count) {
    throw new LayoutError('layout', `a ${columns}×${rows} grid has ${columns * rows} cells but there are ${count} images`);
  }
  // The smallest span splitEvenly makes is floor(available / count): checked before any array
  // of columns or rows is made (an untrusted count may be huge).
  if (smallestSpan(content.width, columns, gap) < 1 || smallestSpan(content.height, rows, gap) < 1) {
    throw new LayoutError('layout', `${columns}×${rows} cells with a ${gap} px gap do not fit in ${content.width}×${content.height} px`);
  }
  const xs = splitEvenly(content.x, content.width, columns, gap);
  const ys = splitEvenly(content.y, content.height, rows, gap);
  const boxes: Box[] = [];
  for (let i = 0; i < count; i++) {
    const column = xs[i % columns]!;
    const row = ys[Math.floor(i / columns)]!;
    boxes.push({ x: column.start, y: row.start, width: column.size, height: row.size });
  }
  return { columns, rows, boxes };
}

/** Columns and rows: as given, or derived so all images fit in cells as large and square as the page allows. */
export function gridShape(options: GridOptions): { columns: number; rows: number } {
  const { count, content, gap } = options;
  if (options.columns !== undefined && options.rows !== undefined) return { columns: options.columns, rows: options.rows };
  if (options.columns !== undefined) return { columns: options.columns, rows: Math.max(1, Math.ceil(count / options.columns)) };
  if (options.rows !== undefined) return { columns: Math.max(1, Math.ceil(count / options.rows)), rows: options.rows };
  let best = { columns: 1, rows: Math.max(1, count), side: -Infinity, empty: Infinity };
  for (let columns = 1; columns <= Math.max(1, count); columns++) {
    const rows = Math.ceil(count / columns);
    const cellWidth = (content.width - (columns - 1) * gap) / columns;
    const cellHeight = (content.height - (rows - 1) * gap) / rows;
    // The shorter side of a cell is what a cover-cropped photo keeps; maximise it.
    const side = Math.min(cellWidth, cellHeight);
    const empty = columns * rows - count;
    if (side > best.side + 1e-9 || (Math.abs(side - best.side) <= 1e-9 && empty < best.empty)) {
      best = { columns, rows, side, empty };
    }
  }
  return { columns: best.columns, rows: best.rows };
}
