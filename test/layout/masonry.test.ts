import { describe, expect, it } from 'vitest';
import { masonryLayout } from '../../src/layout/index.js';
import { checkGaps, checkIndices, checkInside, checkNoOverlap, randomCase } from './helpers.js';

describe('masonryLayout properties (seeded random sets)', () => {
  for (let seed = 1; seed <= 25; seed++) {
    const c = randomCase(seed * 15485863, 2000);
    it(`case ${seed}: ${c.images.length} images in ${c.content.width}×${c.content.height}, gap ${c.gap}`, () => {
      const { boxes, columns, columnImages } = masonryLayout({ images: c.images, content: c.content, gap: c.gap });
      expect(checkIndices(boxes, c.images.length)).toEqual([]);
      expect(checkInside(boxes, c.content)).toEqual([]);
      expect(checkNoOverlap(boxes)).toEqual([]);
      expect(checkGaps(boxes, c.gap)).toEqual([]);
      expect(columnImages.length).toBe(columns);
      // Column bottoms meet the content bottom.
      for (const members of columnImages) {
        if (!members.length) continue;
        const last = boxes[members[members.length - 1]!]!;
        expect(last.y + last.height).toBe(c.content.y + c.content.height);
      }
    });
  }
});

describe('masonryLayout behaviour', () => {
  it('uses the given column count and drops images into the shortest column', () => {
    const images = [{ aspect: 0.5 }, { aspect: 2 }, { aspect: 2 }, { aspect: 1 }];
    const { columnImages } = masonryLayout({ images, content: { x: 0, y: 0, width: 1000, height: 1000 }, gap: 0, columns: 2 });
    expect(columnImages).toEqual([[0], [1, 2, 3]]);
  });
});
