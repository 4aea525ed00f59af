import { describe, expect, it } from 'vitest';
import { justifiedLayout, layoutMetrics } from '../../src/layout/index.js';
import { checkGaps, checkIndices, checkInside, checkNoOverlap, randomCase } from './helpers.js';

describe('justifiedLayout properties (seeded random sets)', () => {
  for (let seed = 1; seed <= 25; seed++) {
    const c = randomCase(seed * 104729, 2000);
    it(`case ${seed}: ${c.images.length} images in ${c.content.width}×${c.content.height}, gap ${c.gap}`, () => {
      const result = justifiedLayout({ images: c.images, content: c.content, gap: c.gap });
      const { boxes } = result;
      expect(checkIndices(boxes, c.images.length)).toEqual([]);
      expect(checkInside(boxes, c.content)).toEqual([]);
      expect(checkNoOverlap(boxes)).toEqual([]);
      expect(checkGaps(boxes, c.gap)).toEqual([]);
      // Each row spans the content width (the last may be left-aligned), rows fill the height.
      const rows = result.rowStarts.length;
      result.rowStarts.forEach((start, r) => {
        const end = r + 1 < rows ? result.rowStarts[r + 1]! : boxes.length;
        const row = boxes.slice(start, end);
        expect(new Set(row.map((b) => b.y)).size).toBe(1);
        expect(new Set(row.map((b) => b.height)).size).toBe(1);
        const last = row[row.length - 1]!;
        if (!(r === rows - 1 && result.lastRowLeft)) expect(Math.abs(last.x + last.width - (c.content.x + c.content.width))).toBeLessThanOrEqual(1);
        expect(row[0]!.x).toBe(c.content.x);
      });
      const bottom = boxes[boxes.length - 1]!;
      expect(bottom.y + bottom.height).toBe(c.content.y + c.content.height);
      expect(boxes[0]!.y).toBe(c.content.y);
    });
  }
});

describe('justifiedLayout behaviour', () => {
  it('chooses breaks for the whole set, not greedily', () => {
    // Greedy filling would put 3 squares in the first row and leave 1; optimal balances 2 + 2.
    const images = Array.from({ length: 4 }, () => ({ aspect: 1 }));
    const result = justifiedLayout({ images, content: { x: 0, y: 0, width: 1000, height: 1000 }, gap: 0, rowHeight: 400 });
    expect(result.rowStarts).toEqual([0, 2]);
    expect(result.boxes.every((b) => b.crop < 0.01)).toBe(true);
  });

  it('keeps aspect ratios up to small crops on a typical photo set', () => {
    const images = Array.from({ length: 500 }, (_, i) => ({ aspect: [4 / 3, 3 / 4, 1, 3 / 2][i % 4]! }));
    const content = { x: 50, y: 50, width: 8000, height: 6000 };
    const result = justifiedLayout({ images, content, gap: 12 });
    const m = layoutMetrics(result.boxes, content, { rowHeight: result.targetRowHeight });
    expect(m.meanCrop).toBeLessThan(5);
    expect(m.rowHeightDeviation!.max).toBeLessThan(50);
  });

  it('left-aligns a last row that would be stretched too much', () => {
    const images = [{ aspect: 4 }, { aspect: 4 }, { aspect: 4 }, { aspect: 4 }, { aspect: 0.5 }];
    const content = { x: 0, y: 0, width: 1000, height: 300 };
    const result = justifiedLayout({ images, content, gap: 10, lastRowTolerance: 0 });
    const last = result.boxes[4]!;
    if (result.lastRowLeft) expect(last.x + last.width).toBeLessThan(1000);
    expect(checkInside(result.boxes, content)).toEqual([]);
  });

  it('weights widen an image', () => {
    const images = Array.from({ length: 40 }, (_, i) => ({ aspect: 1.5, weight: i === 10 ? 2 : 1 }));
    const { boxes } = justifiedLayout({ images, content: { x: 0, y: 0, width: 3000, height: 2000 }, gap: 5 });
    expect(boxes[10]!.width * boxes[10]!.height).toBeGreaterThan(1.5 * boxes[11]!.width * boxes[11]!.height);
  });
});
