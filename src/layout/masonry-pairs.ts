/**
 * Resolution-aware masonry: in equal-width columns a photo's width is the column's, so a photo
 * with too few pixels for it cannot get a smaller cell of its own. It shares a slot in its column
 * with a neighbour instead: the two side by side, each at its own aspect, one gap apart, so both
 * take part of the column's width. Columns stay equal and every photo keeps its shape.
 *
 * Photos carry their `sharp` size (the largest cell they print sharp enough in); pairs are made
 * only for photos that the plain columns would make larger than that, with the neighbour in the
 * manifest order (a neighbour that needs it too first). The column counts around the plain one
 * are tried, and the plain layout kept unless pairing puts fewer photos over their size without
 * leaving more of the page empty.
 */
import { apportion } from './apportion.js';
import { masonryLayout, type MasonryOptions, type MasonryResult } from './masonry.js';
import { coverCropFraction, type Box, type ImageShape, type PlacedBox } from './types.js';

/** More of the content box a paired layout may leave background than the plain one. */
const UNFILLED_ROOM = 0.002;

export function sharpMasonryLayout(options: MasonryOptions): MasonryResult {
  const plain = masonryLayout(options);
  const { images, content, gap } = options;
  if (!images.some((image) => image.sharp) || images.length < 2) return plain;
  let best = { result: plain, blurred: countBlurred(plain.boxes, images), score: quality(plain) };
  const counts = options.columns !== undefined ? [options.columns] : [plain.columns - 1, plain.columns, plain.columns + 1].filter((c) => c >= 1);
  for (const columns of counts) {
    const width = (content.width - (columns - 1) * gap) / columns;
    if (!(width - gap >= 2)) continue;
    const pairs = pairBlurred(images, width, gap);
    if (!pairs.size) continue;
    const result = pairedLayout(options, columns, width, pairs);
    if (!result || result.unfilled > plain.unfilled + UNFILLED_ROOM) continue;
    const blurred = countBlurred(result.boxes, images);
    const score = quality(result);
    if (blurred < best.blurred || (blurred === best.blurred && best.result !== plain && score < best.score)) best = { result, blurred, score };
  }
  return best.result;
}

/** Masonry's own preference among fits: white space, then mean and worst crop. */
function quality(result: MasonryResult): number {
  let sum = 0;
  let worst = 0;
  for (const box of result.boxes) {
    sum += box.crop;
    worst = Math.max(worst, box.crop);
  }
  return result.unfilled * 4 + sum / Math.max(1, result.boxes.length) + 0.5 * worst;
}

function countBlurred(boxes: readonly Box[], images: readonly ImageShape[]): number {
  let count = 0;
  boxes.forEach((box, i) => {
    const sharp = images[i]!.sharp;
    if (sharp && (box.width > sharp.width || box.height > sharp.height)) count++;
  });
  return count;
}

/**
 * Pairs (first index → second, the next one) for the photos a column `width` px wide makes
 * larger than their sharp size: each with a neighbour not yet paired, one that needs it too first.
 */
function pairBlurred(images: readonly ImageShape[], width: number, gap: number): Map<number, number> {
  const blurred = images.map((image) => {
    const sharp = image.sharp;
    return !!sharp && (width > sharp.width || width / image.aspect > sharp.height);
  });
  const taken = new Set<number>();
  const pairs = new Map<number, number>();
  images.forEach((_, i) => {
    if (!blurred[i] || taken.has(i)) return;
    const free = [i + 1, i - 1].filter((j) => j >= 0 && j < images.length && !taken.has(j));
    const partner = free.find((j) => blurred[j]) ?? free[0];
    if (partner === undefined) return;
    // The pair must leave the blurred photo sharp: its part of the width, at its own height.
    const share = images[i]!.aspect / (images[i]!.aspect + images[partner]!.aspect);
    const own = (width - gap) * share;
    const sharp = images[i]!.sharp!;
    if (own > sharp.width || own / images[i]!.aspect > sharp.height) return;
    taken.add(i).add(partner);
    pairs.set(Math.min(i, partner), Math.max(i, partner));
  });
  return pairs;
}

/** Masonry with each pair as one slot, the slot's box then split between the two photos. */
function pairedLayout(options: MasonryOptions, columns: number, width: number, pairs: Map<number, number>): MasonryResult | null {
  const { images, gap } = options;
  const slots: number[][] = [];
  for (let i = 0; i < images.length; i++) {
    const second = pairs.get(i);
    slots.push(second === undefined ? [i] : [i, second]);
    if (second !== undefined) i = second;
  }
  // A pair side by side in `width`: height (width − gap)/(a + b), so its slot's aspect.
  const shapes = slots.map((slot) => {
    const sum = slot.reduce((s, i) => s + images[i]!.aspect, 0);
    return { aspect: slot.length === 1 ? sum : (sum * width) / (width - gap) };
  });
  const merged = masonryLayout({ ...options, images: shapes, columns });
  const boxes: PlacedBox[] = new Array(images.length);
  for (const [k, slot] of slots.entries()) {
    const box = merged.boxes[k]!;
    const widths =
      slot.length === 1
        ? [box.width]
        : apportion(
            slot.map((i) => images[i]!.aspect * box.height),
            box.width - gap,
          );
    if (!widths || widths.some((w) => w < 1)) return null;
    let x = box.x;
    slot.forEach((index, s) => {
      boxes[index] = { x, y: box.y, width: widths[s]!, height: box.height, index, crop: coverCropFraction(images[index]!.aspect, widths[s]!, box.height) };
      x += widths[s]! + gap;
    });
  }
  const columnImages = merged.columnImages.map((column) => column.flatMap((k) => slots[k]!));
  return { ...merged, boxes, columnImages };
}
