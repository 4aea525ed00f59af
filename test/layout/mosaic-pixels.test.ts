import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/layout/index.js';
import { placeOnPixels, type PixelTree } from '../../src/layout/mosaic-pixels.js';
import { HORIZONTAL, VERTICAL } from '../../src/layout/slicing.js';
import { coverCropFraction, type Box, type PlacedBox } from '../../src/layout/types.js';
import { area, checkGaps, checkInside, checkNoOverlap } from './helpers.js';

/** A random slicing tree over `count` photos (4:3, 3:4 or square) with random cut shares. */
function randomTree(random: () => number, first: number, count: number): PixelTree {
  if (count === 1) return { kind: 'leaf', index: first, aspect: [4 / 3, 3 / 4, 1][Math.floor(random() * 3)]! };
  const split = 1 + Math.floor(random() * (count - 1));
  return {
    kind: 'cut',
    cut: random() < 0.5 ? VERTICAL : HORIZONTAL,
    fraction: 0.3 + 0.4 * random(),
    first: randomTree(random, first, split),
    second: randomTree(random, first + split, count - split),
  };
}

/** The same tree with each cut rounded to its nearest pixel on its own: the worst crop. */
function roundedWorst(tree: PixelTree, width: number, height: number, gap: number): number {
  if (tree.kind === 'leaf') return coverCropFraction(tree.aspect, width, height);
  const vertical = tree.cut === VERTICAL;
  const available = (vertical ? width : height) - gap;
  const first = Math.round(available * tree.fraction);
  return vertical
    ? Math.max(roundedWorst(tree.first, first, height, gap), roundedWorst(tree.second, available - first, height, gap))
    : Math.max(roundedWorst(tree.first, width, first, gap), roundedWorst(tree.second, width, available - first, gap));
}

describe('placeOnPixels', () => {
  it('tiles the rectangle exactly and never crops worse than rounding each cut on its own', () => {
    const random = mulberry32(7);
    let better = 0;
    for (let trial = 0; trial < 200; trial++) {
      const count = 2 + Math.floor(random() * 7);
      const tree = randomTree(random, 0, count);
      const rect: Box = { x: 5, y: 7, width: 240 + Math.floor(random() * 200), height: 240 + Math.floor(random() * 200) };
      const boxes: PlacedBox[] = [];
      const gaps: Box[] = [];
      expect(placeOnPixels(tree, rect, 6, boxes, gaps)).toBe(true);
      expect(boxes.filter(Boolean)).toHaveLength(count);
      expect(checkInside([...boxes, ...gaps], rect)).toEqual([]);
      expect(checkNoOverlap([...boxes, ...gaps])).toEqual([]);
      expect(area(boxes) + area(gaps)).toBe(rect.width * rect.height);
      expect(checkGaps(boxes, 6, 0)).toEqual([]);
      const worst = Math.max(...boxes.map((b) => b.crop));
      const rounded = roundedWorst(tree, rect.width, rect.height, 6);
      expect(worst).toBeLessThanOrEqual(rounded + 1e-12);
      if (worst < rounded - 1e-6) better++;
    }
    // The joint choice matters: on small cells it beats independent rounding often.
    expect(better).toBeGreaterThan(20);
  });

  it('reports no fit when a cut leaves a half without a pixel', () => {
    const tree = randomTree(mulberry32(3), 0, 4);
    expect(placeOnPixels(tree, { x: 0, y: 0, width: 20, height: 20 }, 12, [], [])).toBe(false);
  });
});
