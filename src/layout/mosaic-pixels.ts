/**
 * Whole pixels for a small slicing tree whose shape is already chosen. On small pages a mosaic's
 * cells are 36–60 px across, where one pixel is a 2–3 % crop; rounding each cut on its own (or
 * choosing it with only its own run in view) leaves some photo two pixels off its shape. Here
 * every cut of the tree takes its pixel jointly: a memoised search over each node's whole-pixel
 * sizes (a few per node, since each cut only tries the pixels next to its ideal one) for the least
 * worst crop, then the least total crop.
 */
import { VERTICAL, type Cut } from './slicing.js';
import { coverCropFraction, type Box, type PlacedBox } from './types.js';

/** A slicing tree with its cuts' ideal positions, as laid out in real numbers. */
export type PixelTree = PixelLeaf | PixelCut;

export interface PixelLeaf {
  kind: 'leaf';
  index: number;
  aspect: number;
}

export interface PixelCut {
  kind: 'cut';
  cut: Cut;
  /** Share of the length the gutter leaves that goes to the first half. */
  fraction: number;
  first: PixelTree;
  second: PixelTree;
  /** Best outcome per whole-pixel size (key width·KEY + height), filled by the search. */
  memo?: Map<number, Outcome>;
}

interface Outcome {
  /** Largest and summed crop of the tree's photos. */
  worst: number;
  total: number;
  /** The first half's pixels along the cut that give it. */
  first: number;
}

/** Pixels a cut tries beyond the two nearest its ideal: one more each way lets it undo its halves' rounding. */
const REACH = 1;
const KEY = 1 << 16;
/** Crops equal within this count as ties (then the total decides). */
const TIE = 1e-9;
const NO_FIT: Outcome = { worst: Infinity, total: Infinity, first: 0 };

/**
 * Places `tree` in `rect` on whole pixels, pushing its boxes (at their image index) and gutters.
 * Returns false when no choice of pixels gives every photo a pixel.
 */
export function placeOnPixels(tree: PixelTree, rect: Box, gap: number, boxes: PlacedBox[], gaps: Box[]): boolean {
  if (best(tree, rect.width, rect.height, gap).worst === Infinity) return false;
  place(tree, rect, gap, boxes, gaps);
  return true;
}

/** The least (worst, total) crop `tree` can have in a width×height rectangle. */
function best(tree: PixelTree, width: number, height: number, gap: number): Outcome {
  if (width < 1 || height < 1) return NO_FIT;
  if (tree.kind === 'leaf') {
    const crop = coverCropFraction(tree.aspect, width, height);
    return { worst: crop, total: crop, first: 0 };
  }
  tree.memo ??= new Map();
  const key = width * KEY + height;
  const known = tree.memo.get(key);
  if (known) return known;
  const outcome = bestCut(tree, width, height, gap);
  tree.memo.set(key, outcome);
  return outcome;
}

function bestCut(tree: PixelCut, width: number, height: number, gap: number): Outcome {
  const vertical = tree.cut === VERTICAL;
  const available = (vertical ? width : height) - gap;
  if (available < 2) return NO_FIT;
  const ideal = available * tree.fraction;
  const from = Math.max(1, Math.floor(ideal) - REACH);
  const to = Math.min(available - 1, Math.ceil(ideal) + REACH);
  let chosen = NO_FIT;
  for (let first = from; first <= to; first++) {
    const a = vertical ? best(tree.first, first, height, gap) : best(tree.first, width, first, gap);
    if (a.worst >= chosen.worst + TIE) continue;
    const b = vertical ? best(tree.second, available - first, height, gap) : best(tree.second, width, available - first, gap);
    const worst = Math.max(a.worst, b.worst);
    const total = a.total + b.total;
    if (worst < chosen.worst - TIE || (worst < chosen.worst + TIE && total < chosen.total)) chosen = { worst, total, first };
  }
  return chosen;
}

/** Lays the tree out following the search's choices (best() has been called for `rect`). */
function place(tree: PixelTree, rect: Box, gap: number, boxes: PlacedBox[], gaps: Box[]): void {
  if (tree.kind === 'leaf') {
    boxes[tree.index] = { ...rect, index: tree.index, crop: coverCropFraction(tree.aspect, rect.width, rect.height) };
    return;
  }
  const { first } = best(tree, rect.width, rect.height, gap);
  if (tree.cut === VERTICAL) {
    if (gap > 0) gaps.push({ x: rect.x + first, y: rect.y, width: gap, height: rect.height });
    place(tree.first, { ...rect, width: first }, gap, boxes, gaps);
    place(tree.second, { ...rect, x: rect.x + first + gap, width: rect.width - gap - first }, gap, boxes, gaps);
  } else {
    if (gap > 0) gaps.push({ x: rect.x, y: rect.y + first, width: rect.width, height: gap });
    place(tree.first, { ...rect, height: first }, gap, boxes, gaps);
    place(tree.second, { ...rect, y: rect.y + first + gap, height: rect.height - gap - first }, gap, boxes, gaps);
  }
}
