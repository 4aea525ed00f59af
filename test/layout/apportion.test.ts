import { describe, expect, it } from 'vitest';
import { apportion, leastWorstCrop, spanCrop } from '../../src/layout/apportion.js';
import { mulberry32, splitWeighted } from '../../src/layout/index.js';

const worst = (sizes: readonly number[], ideals: readonly number[]) => Math.max(...sizes.map((s, i) => spanCrop(s, ideals[i]!)));

describe('apportion', () => {
  it('fills the total exactly with the least worst crop, never worse than cumulative rounding and often better', () => {
    // Rows of small cells at 55 px: 4:3 photos (73.3 px wide) and 3:4 ones (41.25 px), the row a little off its natural width.
    const random = mulberry32(11);
    let better = 0;
    for (let c = 0; c < 50; c++) {
      const ideals = Array.from({ length: 25 }, () => (random() < 0.7 ? 55 * (4 / 3) : 55 * 0.75));
      const total = Math.round(ideals.reduce((s, v) => s + v, 0) * (1 + (random() - 0.5) * 0.02));
      const sizes = apportion(ideals, total)!;
      expect(sizes.reduce((s, v) => s + v, 0)).toBe(total);
      expect(sizes.every(Number.isInteger)).toBe(true);
      expect(worst(sizes, ideals)).toBeCloseTo(leastWorstCrop(ideals, total), 6);
      const cumulative = splitWeighted(0, total, ideals, 0).map((s) => s.size);
      expect(worst(sizes, ideals)).toBeLessThanOrEqual(worst(cumulative, ideals) + 1e-12);
      if (worst(sizes, ideals) < worst(cumulative, ideals) - 0.002) better++;
    }
    expect(better).toBeGreaterThan(10);
  });

  it('is optimal on small cases (brute force over every split)', () => {
    const random = mulberry32(5);
    for (let c = 0; c < 40; c++) {
      const ideals = Array.from({ length: 3 }, () => 5 + random() * 20);
      const total = Math.round(ideals.reduce((s, v) => s + v, 0) + (random() - 0.5) * 6);
      let best = Infinity;
      for (let a = 1; a < total; a++) for (let b = 1; a + b < total; b++) best = Math.min(best, worst([a, b, total - a - b], ideals));
      const sizes = apportion(ideals, total)!;
      expect(sizes.reduce((s, v) => s + v, 0)).toBe(total);
      expect(worst(sizes, ideals)).toBeLessThanOrEqual(best + 1e-8);
    }
  });

  it('refuses a total smaller than the count', () => {
    expect(apportion([1, 1, 1], 2)).toBeNull();
  });
});
