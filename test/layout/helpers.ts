import { mulberry32, type Box, type ImageShape, type PlacedBox } from '../../src/layout/index.js';

export interface Case {
  seed: number;
  images: ImageShape[];
  content: Box;
  gap: number;
}

/** A random case: 1..maxCount images of aspect 0.3..4, page aspect 0.5..3, a gap of 0..30 px. */
export function randomCase(seed: number, maxCount: number): Case {
  const random = mulberry32(seed);
  const count = 1 + Math.floor(random() ** 2 * maxCount);
  const images = Array.from({ length: count }, () => ({ aspect: Math.exp(Math.log(0.3) + random() * (Math.log(4) - Math.log(0.3))) }));
  const pageAspect = 0.5 + random() * 2.5;
  const area = Math.max(count * 40_000, 1_000_000) * (1 + random());
  const width = Math.round(Math.sqrt(area * pageAspect));
  const height = Math.round(width / pageAspect);
  const margin = Math.floor(random() * 100);
  const gap = Math.floor(random() * 31);
  return { seed, images, content: { x: margin, y: margin, width, height }, gap };
}

export function checkIndices(boxes: readonly PlacedBox[], count: number): string[] {
  const problems: string[] = [];
  if (boxes.length !== count) problems.push(`${boxes.length} boxes for ${count} images`);
  boxes.forEach((box, i) => {
    if (box.index !== i) problems.push(`box ${i} has index ${box.index}`);
    if (![box.x, box.y, box.width, box.height].every(Number.isInteger)) problems.push(`box ${i} not integer: ${JSON.stringify(box)}`);
    if (!(box.crop >= 0 && box.crop < 1)) problems.push(`box ${i} crop ${box.crop}`);
  });
  return problems;
}

export function checkInside(boxes: readonly Box[], content: Box): string[] {
  return boxes
    .filter((b) => b.width < 1 || b.height < 1 || b.x < content.x || b.y < content.y || b.x + b.width > content.x + content.width || b.y + b.height > content.y + content.height)
    .map((b) => `outside or empty: ${JSON.stringify(b)}`);
}

function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** Pairs that overlap, found with a sweep over x (fast enough for a few thousand rectangles). */
export function checkNoOverlap(rects: readonly Box[]): string[] {
  const order = rects.map((_, i) => i).sort((a, b) => rects[a]!.x - rects[b]!.x);
  const problems: string[] = [];
  const active: number[] = [];
  for (const i of order) {
    const r = rects[i]!;
    for (let k = active.length - 1; k >= 0; k--) {
      const other = rects[active[k]!]!;
      if (other.x + other.width <= r.x) active.splice(k, 1);
      else if (overlaps(r, other)) problems.push(`overlap ${JSON.stringify(r)} ${JSON.stringify(other)}`);
    }
    active.push(i);
    if (problems.length > 5) break;
  }
  return problems;
}

/**
 * For every box, the nearest box to its right whose vertical range overlaps it (and the nearest
 * below, overlapping horizontally) is exactly `gap` px away (±tolerance), when there is one.
 */
export function checkGaps(boxes: readonly Box[], gap: number, tolerance = 1): string[] {
  const problems: string[] = [];
  const byX = [...boxes].sort((a, b) => a.x - b.x);
  const byY = [...boxes].sort((a, b) => a.y - b.y);
  const firstAtOrAfter = (sorted: readonly Box[], key: (b: Box) => number, value: number): number => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (key(sorted[mid]!) < value) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  for (const box of boxes) {
    let right = Infinity;
    for (let k = firstAtOrAfter(byX, (b) => b.x, box.x + box.width); k < byX.length; k++) {
      const other = byX[k]!;
      if (other.x < box.x + box.width) continue;
      if (other.x - (box.x + box.width) >= right) break;
      if (other.y < box.y + box.height && box.y < other.y + other.height) right = other.x - (box.x + box.width);
    }
    if (right !== Infinity && Math.abs(right - gap) > tolerance) problems.push(`right gap ${right} after ${JSON.stringify(box)}`);
    let below = Infinity;
    for (let k = firstAtOrAfter(byY, (b) => b.y, box.y + box.height); k < byY.length; k++) {
      const other = byY[k]!;
      if (other.y < box.y + box.height) continue;
      if (other.y - (box.y + box.height) >= below) break;
      if (other.x < box.x + box.width && box.x < other.x + other.width) below = other.y - (box.y + box.height);
    }
    if (below !== Infinity && Math.abs(below - gap) > tolerance) problems.push(`gap below ${below} under ${JSON.stringify(box)}`);
    if (problems.length > 5) break;
  }
  return problems;
}

export function area(rects: readonly Box[]): number {
  return rects.reduce((s, r) => s + r.width * r.height, 0);
}

/** A block of the content box that the layout fills (ragged: its columns may end short of its bottom): inside it, centred (to a pixel), the content box itself when nothing is left unfilled. */
export function checkBlock(block: Box, content: Box, unfilled: number, { ragged = false, gap = 0 } = {}): string[] {
  const problems: string[] = [];
  if (block.x < content.x || block.y < content.y || block.x + block.width > content.x + content.width || block.y + block.height > content.y + content.height) {
    problems.push(`block ${JSON.stringify(block)} outside ${JSON.stringify(content)}`);
  }
  const left = block.x - content.x;
  const right = content.x + content.width - (block.x + block.width);
  const top = block.y - content.y;
  const bottom = content.y + content.height - (block.y + block.height);
  if (Math.abs(left - right) > 1 || Math.abs(top - bottom) > 1) problems.push(`block not centred: ${left}/${right} ${top}/${bottom}`);
  // Nothing unfilled: the block is the content box, to within the half gutter counted as covered.
  const slack = Math.max(0, Math.floor(gap / 2));
  if (unfilled === 0 && Math.max(left, right, top, bottom) > slack) problems.push('nothing unfilled but the block is not the content box');
  // Ragged (masonry): short columns may leave background inside a full-size block.
  if (!ragged && unfilled > 0 && left + right + top + bottom === 0) problems.push(`unfilled ${unfilled} but the block is the content box`);
  return problems;
}

/**
 * No photo cropped past `maxCrop` by more than pixel rounding allows: half a pixel either way on
 * each side of its box.
 */
export function checkCropBound(boxes: readonly PlacedBox[], maxCrop: number): string[] {
  return boxes
    .filter((b) => b.crop > maxCrop + 1 / b.width + 1 / b.height)
    .slice(0, 5)
    .map((b) => `image ${b.index} cropped ${(100 * b.crop).toFixed(2)} % in ${b.width}×${b.height}`);
}

/** Boxes grouped into rows by their top edge, each row left to right. */
export function rowsOf(boxes: readonly Box[]): Box[][] {
  const rows = new Map<number, Box[]>();
  for (const box of boxes) rows.set(box.y, [...(rows.get(box.y) ?? []), box]);
  return [...rows.entries()].sort((a, b) => a[0] - b[0]).map(([, row]) => row.sort((a, b) => a.x - b.x));
}
