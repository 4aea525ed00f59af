/**
 * Grid: cells of one size per row, row-major.
 *
 * Given `columns` and `rows` (either may be omitted and is derived from the count), the grid is
 * exactly that: equal cells, the last row partly empty when the images do not fill it
 * (`emptyCells`). With neither given the shape is derived and leaves no hole: rows of n or n−1
 * cells, every row spanning the content width, the shorter rows spread evenly down the page; the
 * row count is the one whose cells best fit the photos (their own aspects when known, else a cell
 * aspect: `cellAspect`, or square).
 */
import { smallestSpan, splitEvenly } from './split.js';
import { LayoutError, coverCropFraction, type Box, type ImageShape, type PlacedBox } from './types.js';

export interface GridOptions {
  /** Number of images to place. */
  count: number;
  /** The area inside the margins. */
  content: Box;
  /** Space between cells, px. */
  gap: number;
  columns?: number;
  rows?: number;
  /** Width/height the cells of a derived shape should have (when the photos' own aspects are not given). */
  cellAspect?: number;
  /** The photos' shapes, one per image, when known: a derived shape fits them, and boxes report crops. */
  images?: readonly ImageShape[];
}

export interface GridResult {
  /** The widest row's cell count. */
  columns: number;
  rows: number;
  /** One cell per image, in image order (with crops when the images' shapes were given). */
  boxes: Box[] | PlacedBox[];
  /** Cells of a given columns × rows grid left without a photo (always 0 for a derived shape). */
  emptyCells: number;
  /** Cells in each row, top to bottom. */
  rowCounts: number[];
}

/** Cell widths in one derived grid may differ this much before it costs (rows of n and n−1 cells). */
const EVEN_WIDTHS = 0.05;
/** Cost of widths differing past EVEN_WIDTHS, against mean crop (a share). */
const UNEVEN_COST = 0.5;

export function gridLayout(options: GridOptions): GridResult {
  const { count, content, gap } = options;
  const shape = gridShape(options);
  const { rowCounts } = shape;
  const cells = rowCounts.reduce((s, c) => s + c, 0);
  if (cells < count) {
    throw new LayoutError('layout', `a ${shape.columns}×${shape.rows} grid has ${shape.columns * shape.rows} cells but there are ${count} images`);
  }
  checkFits(options, shape.columns, shape.rows);
  const ys = splitEvenly(content.y, content.height, rowCounts.length, gap);
  const rowSpans = rowCounts.map((n) => splitEvenly(content.x, content.width, n, gap));
  const boxes: (Box | PlacedBox)[] = [];
  let i = 0;
  rowCounts.forEach((n, r) => {
    for (let c = 0; c < n && i < count; c++, i++) {
      const box: Box = { x: rowSpans[r]![c]!.start, y: ys[r]!.start, width: rowSpans[r]![c]!.size, height: ys[r]!.size };
      const image = options.images?.[i];
      boxes.push(image ? { ...box, index: i, crop: coverCropFraction(image.aspect, box.width, box.height) } : box);
    }
  });
  return { columns: shape.columns, rows: rowCounts.length, boxes: boxes as Box[] | PlacedBox[], emptyCells: cells - count, rowCounts };
}

/**
 * The smallest span splitEvenly makes is floor(available / count): checked before any array of
 * columns or rows is made (an untrusted count may be huge).
 */
function checkFits({ content, gap }: GridOptions, columns: number, rows: number): void {
  if (smallestSpan(content.width, columns, gap) < 1 || smallestSpan(content.height, rows, gap) < 1) {
    throw new LayoutError('layout', `${columns}×${rows} cells with a ${gap} px gap do not fit in ${content.width}×${content.height} px`);
  }
}

/**
 * Columns and rows: as given (the missing one derived from the count), or a derived shape with
 * rows of n or n−1 cells and no empty cell.
 */
export function gridShape(options: GridOptions): { columns: number; rows: number; rowCounts: number[] } {
  const { count } = options;
  const fixed = (columns: number, rows: number) => {
    checkFits(options, columns, rows);
    return { columns, rows, rowCounts: new Array<number>(rows).fill(columns) };
  };
  if (options.columns !== undefined && options.rows !== undefined) return fixed(options.columns, options.rows);
  if (options.columns !== undefined) return fixed(options.columns, Math.max(1, Math.ceil(count / options.columns)));
  if (options.rows !== undefined) return fixed(Math.max(1, Math.ceil(count / options.rows)), options.rows);
  if (count <= 1) return fixed(1, 1);
  const rows = bestRowCount(options);
  const rowCounts = spreadRows(count, rows);
  return { columns: Math.max(...rowCounts), rows, rowCounts };
}

/**
 * Row counts of a hole-free grid: `rows` rows of n = ⌈count/rows⌉ or n − 1 cells, the longer rows
 * spread evenly (Bresenham) so no band of the page looks different.
 */
export function spreadRows(count: number, rows: number): number[] {
  const n = Math.ceil(count / rows);
  const long = count - rows * (n - 1);
  return Array.from({ length: rows }, (_, r) => (Math.floor(((r + 1) * long) / rows) > Math.floor((r * long) / rows) ? n : n - 1));
}

/** The row count whose hole-free grid fits the photos (or the cell aspect) best, cells even enough. */
function bestRowCount(options: GridOptions): number {
  const { count, content, gap } = options;
  const aspects = options.images?.map((image) => image.aspect);
  const target = options.cellAspect ?? (aspects ? median(aspects) : 1);
  // Rows for cells of the target aspect: count cells of area A/count, height √(A/(count·target)).
  const ideal = content.height / Math.sqrt((content.width * content.height) / (count * target));
  const from = Math.max(1, Math.floor(ideal / 2));
  const to = Math.min(count, Math.ceil(ideal * 2) + 1);
  let best = { rows: 1, cost: Infinity };
  for (let rows = from; rows <= to; rows++) {
    const n = Math.ceil(count / rows);
    // Rows of n − 1 = 0 cells would be empty rows.
    if (n === 1 && rows !== count) continue;
    const height = (content.height - (rows - 1) * gap) / rows;
    const wide = (content.width - (n - 1) * gap) / n;
    const narrow = n > 1 ? (content.width - (n - 2) * gap) / (n - 1) : wide;
    if (height < 1 || wide < 1) continue;
    const rowCounts = spreadRows(count, rows);
    const crop = aspects && options.cellAspect === undefined ? photoCrop(aspects, rowCounts, wide, narrow, height) : shapeCrop(target, rowCounts, wide, narrow, height, count);
    const uneven = rowCounts.some((c) => c !== n) ? Math.max(0, narrow / wide - 1 - EVEN_WIDTHS) : 0;
    const cost = crop + UNEVEN_COST * uneven;
    if (cost < best.cost - 1e-12) best = { rows, cost };
  }
  return best.rows;
}

/** Mean crop of the photos, in order, in rows of `rowCounts` cells (n-cell rows `wide`, others `narrow`). */
function photoCrop(aspects: readonly number[], rowCounts: readonly number[], wide: number, narrow: number, height: number): number {
  const n = Math.max(...rowCounts);
  let i = 0;
  let sum = 0;
  for (const cells of rowCounts) {
    const width = cells === n ? wide : narrow;
    for (let c = 0; c < cells; c++, i++) sum += coverCropFraction(aspects[i]!, width, height);
  }
  return sum / aspects.length;
}

/** Mean crop of photos of aspect `target` in such a grid. */
function shapeCrop(target: number, rowCounts: readonly number[], wide: number, narrow: number, height: number, count: number): number {
  const n = Math.max(...rowCounts);
  const full = rowCounts.filter((c) => c === n).length * n;
  return (full * coverCropFraction(target, wide, height) + (count - full) * coverCropFraction(target, narrow, height)) / count;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : Math.sqrt(sorted[middle - 1]! * sorted[middle]!);
}
