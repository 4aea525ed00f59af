/**
 * Caption strips for `caption.position: "below"`: the strip under a photo is as tall as the
 * tallest caption among the photos beside it (boxes with the same top edge and height: a row of a
 * justified layout, a line of a grid), so every photo in that row ends on the same pixel row and
 * captions of one and two lines start level.
 */
import type { Box } from '../layout/index.js';
import type { Look } from '../manifest/style.js';
import { captionBlock } from './caption.js';

/** Strip height per box, px (0: the photo fills its cell). `looks[i]` is box i's look. */
export function captionStrips(looks: readonly (Look | undefined)[], boxes: readonly Box[]): number[] {
  const own = boxes.map((box, i) => {
    const caption = looks[i]?.caption;
    if (caption?.position !== 'below') return 0;
    // As the look draws it: at most half the cell, or nothing when not even one line fits.
    return captionBlock(caption, box.width, box.height / 2)?.height ?? 0;
  });
  const tallest = new Map<string, number>();
  boxes.forEach((box, i) => {
    const line = `${box.y}:${box.height}`;
    tallest.set(line, Math.max(tallest.get(line) ?? 0, own[i]!));
  });
  return boxes.map((box) => tallest.get(`${box.y}:${box.height}`)!);
}

/** The part of a cell the photo takes: all of it, less the caption strip at the bottom. */
export function photoBox(cell: Box, strip: number): Box {
  return strip > 0 ? { ...cell, height: cell.height - strip } : cell;
}
