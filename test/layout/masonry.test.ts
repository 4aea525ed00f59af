import { describe, expect, it } from 'vitest';
import { layoutMetrics, masonryLayout, mulberry32, type Box } from '../../src/layout/index.js';
import { checkBlock, checkCropBound, checkGaps, checkIndices, checkInside, checkNoOverlap, randomCase } from './helpers.js';

const flickrMix = (count: number, seed: number) => {
  const random = mulberry32(seed);
  return Array.from({ length: count }, () => {
    const u = random();
    return { aspect: u < 0.7 ? 4 / 3 : u < 0.95 ? 3 / 4 : 1 };
  });
};

describe('masonryLayout properties (seeded random sets)', () => {
  for (let seed = 1; seed <= 25; seed++) {
    const c = randomCase(seed * 15485863, 2000);
    it(`case ${seed}: ${c.images.length} images in ${c.content.width}×${c.content.height}, gap ${c.gap}`, () => {
      const result = masonryLayout({ images: c.images, content: c.content, gap: c.gap });
      const { boxes, columns, columnImages, block } = result;
      expect(checkIndices(boxes, c.images.length)).toEqual([]);
      expect(checkInside(boxes, c.content)).toEqual([]);
      expect(checkNoOverlap(boxes)).toEqual([]);
      expect(checkGaps(boxes, c.gap, 0)).toEqual([]);
      expect(checkBlock(block, c.content, result.unfilled, { ragged: true, gap: c.gap })).toEqual([]);
      expect(checkCropBound(boxes, 0.05)).toEqual([]);
      expect(columnImages.length).toBe(columns);
      // Columns of one width (to a pixel) span the block; each column is one x, photos in order top down.
      const used = columnImages.filter((m) => m.length > 0);
      const columnBoxes: Box[] = used.map((m) => boxes[m[0]!]!);
      expect(Math.max(...columnBoxes.map((b) => b.width)) - Math.min(...columnBoxes.map((b) => b.width))).toBeLessThanOrEqual(1);
      for (const members of used) {
        expect(new Set(members.map((i) => boxes[i]!.x)).size).toBe(1);
        expect(members).toEqual([...members].sort((a, b) => a - b));
        expect(boxes[members[0]!]!.y).toBe(block.y);
        // Filled: every column ends at the block's bottom, the block the content's height to within a gutter
        // (the columns may give up a few pixels, as even white above and below, for a smaller crop).
        if (result.unfilled === 0) {
          expect(boxes[members.at(-1)!]!.y + boxes[members.at(-1)!]!.height).toBe(block.y + block.height);
          expect(block.height).toBeGreaterThanOrEqual(c.content.height - c.gap);
        }
      }
      if (columns === used.length) {
        expect(Math.min(...columnBoxes.map((b) => b.x))).toBe(block.x);
        expect(Math.max(...columnBoxes.map((b) => b.x + b.width))).toBe(block.x + block.width);
      }
    });
  }
});

describe('masonryLayout behaviour', () => {
  it('balances columns beyond shortest-first', () => {
    // Shortest-first puts the tall photo last on a column already level with the other: 5 units
    // against 2. Balanced: 4 against 3.
    const images = [1, 1, 1, 1, 1 / 3].map((aspect) => ({ aspect }));
    const { columnImages } = masonryLayout({ images, content: { x: 0, y: 0, width: 1000, height: 1750 }, gap: 0, columns: 2, maxCrop: 0.5 });
    const heights = columnImages.map((m) => m.reduce((s, i) => s + 1 / images[i]!.aspect, 0));
    expect(Math.max(...heights) - Math.min(...heights)).toBeLessThanOrEqual(1);
  });

  it('stretches every column by about the same factor (one common scale), within the bound', () => {
    const content = { x: 75, y: 75, width: 10650, height: 7050 };
    const result = masonryLayout({ images: flickrMix(1095, 1095), content, gap: 24 });
    const m = layoutMetrics(result.boxes, content, { gap: 24 });
    expect(result.unfilled).toBe(0);
    expect(m.maxCrop).toBeLessThanOrEqual(3);
    expect(Math.max(...result.columnStretch) / Math.min(...result.columnStretch)).toBeLessThan(1.03);
  });

  it('keeps 1,095 mixed photos on A4 (columns 63/64 px) within 3 %, the page covered ≥ 99 %', () => {
    // Balanced on real-valued heights and rounded after: 3.57 % (4:3 photos 47.25 px tall in a 63 px column).
    const content = { x: 75, y: 75, width: 2330, height: 3358 };
    const result = masonryLayout({ images: flickrMix(1095, 1095), content, gap: 24 });
    const m = layoutMetrics(result.boxes, content, { gap: 24 });
    expect(m.maxCrop).toBeLessThanOrEqual(3);
    expect(result.block.height).toBeGreaterThanOrEqual(0.99 * content.height);
    expect(checkCropBound(result.boxes, 0.05)).toEqual([]);
  });

  it('crops 12 photos in 3 columns on a tall page within the bound, where stretching each column alone cropped up to 52 %', () => {
    const content = { x: 0, y: 0, width: 1200, height: 2400 };
    const result = masonryLayout({ images: flickrMix(12, 12), content, gap: 10, columns: 3 });
    expect(checkCropBound(result.boxes, 0.05)).toEqual([]);
    expect(checkBlock(result.block, content, result.unfilled, { ragged: true })).toEqual([]);
  });

  it('picks the column count that fills the page within the bound', () => {
    const content = { x: 0, y: 0, width: 2400, height: 1600 };
    const result = masonryLayout({ images: flickrMix(60, 7), content, gap: 8 });
    expect(result.unfilled).toBeLessThan(0.01);
    expect(checkCropBound(result.boxes, 0.05)).toEqual([]);
  });

  it('refuses a column count that does not fit the width', () => {
    expect(() => masonryLayout({ images: [{ aspect: 1 }], content: { x: 0, y: 0, width: 50, height: 50 }, gap: 10, columns: 10 })).toThrow(/do not fit/);
  });
});
