/** Grid layout and cell fitting: pure functions, no images. */
import { describe, expect, it } from 'vitest';
import { containRect, coverCrop, coverCropFraction, gridLayout, gridShape, splitEvenly, type PlacedBox } from '../../src/layout/index.js';
import { checkGaps, checkInside, checkNoOverlap, randomCase, rowsOf } from './helpers.js';

describe('splitEvenly', () => {
  it('fills the length exactly with gaps of exactly `gap`, spans differing by at most 1 px', () => {
    for (const [length, count, gap] of [
      [3450, 10, 24],
      [1000, 7, 3],
      [101, 3, 0],
      [10, 10, 0],
    ] as const) {
      const spans = splitEvenly(5, length, count, gap);
      expect(spans[0]!.start).toBe(5);
      expect(spans.at(-1)!.start + spans.at(-1)!.size).toBe(5 + length);
      for (let i = 1; i < count; i++) expect(spans[i]!.start - (spans[i - 1]!.start + spans[i - 1]!.size)).toBe(gap);
      const sizes = spans.map((s) => s.size);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
  });
});

describe('gridShape', () => {
  const content = { x: 0, y: 0, width: 3450, height: 2250 };
  it('derives a hole-free shape with cells as square as the page allows when nothing is known of the photos', () => {
    expect(gridShape({ count: 60, content, gap: 24 })).toMatchObject({ columns: 10, rows: 6 });
    expect(gridShape({ count: 1, content, gap: 24 })).toMatchObject({ columns: 1, rows: 1 });
    const poster = gridShape({ count: 1095, content: { x: 0, y: 0, width: 10650, height: 7050 }, gap: 24 });
    expect(poster.rowCounts.reduce((s, c) => s + c, 0)).toBe(1095);
    const cellW = (10650 - (poster.columns - 1) * 24) / poster.columns;
    const cellH = (7050 - (poster.rows - 1) * 24) / poster.rows;
    expect(cellW / cellH).toBeGreaterThan(0.8);
    expect(cellW / cellH).toBeLessThan(1.25);
  });
  it('derives the missing one of columns/rows, keeping their meaning', () => {
    expect(gridShape({ count: 10, content, gap: 0, columns: 3 })).toMatchObject({ columns: 3, rows: 4 });
    expect(gridShape({ count: 10, content, gap: 0, rows: 2 })).toMatchObject({ columns: 5, rows: 2 });
  });
  it('fits the cells to the photos when their shapes are known, or to cellAspect', () => {
    const page = { x: 0, y: 0, width: 10650, height: 7050 };
    const landscapes = Array.from({ length: 1095 }, () => ({ aspect: 4 / 3 }));
    const fitted = gridLayout({ count: 1095, content: page, gap: 24, images: landscapes });
    const crops = (fitted.boxes as PlacedBox[]).map((b) => b.crop);
    expect(crops.reduce((s, c) => s + c, 0) / crops.length).toBeLessThan(0.03);
    // Square cells (the old shape) lost 20–26 % of each 4:3 photo.
    const square = gridLayout({ count: 1095, content: page, gap: 24 });
    const squareCrop = square.boxes.reduce((s, b) => s + coverCropFraction(4 / 3, b.width, b.height), 0) / 1095;
    expect(squareCrop).toBeGreaterThan(0.15);
    const asked = gridLayout({ count: 1095, content: page, gap: 24, cellAspect: 4 / 3 });
    expect(asked.boxes.reduce((s, b) => s + coverCropFraction(4 / 3, b.width, b.height), 0) / 1095).toBeLessThan(0.03);
  });
});

describe('gridLayout properties (seeded random sets)', () => {
  for (let seed = 1; seed <= 25; seed++) {
    const c = randomCase(seed * 7727, 2000);
    const derived = seed % 3 !== 0;
    it(`case ${seed}: ${c.images.length} images in ${c.content.width}×${c.content.height}, gap ${c.gap}${derived ? '' : ', photos known'}`, () => {
      const images = seed % 3 === 1 ? undefined : c.images;
      const { boxes, emptyCells, rowCounts } = gridLayout({ count: c.images.length, content: c.content, gap: c.gap, images });
      expect(boxes).toHaveLength(c.images.length);
      expect(checkInside(boxes, c.content)).toEqual([]);
      expect(checkNoOverlap(boxes)).toEqual([]);
      expect(checkGaps(boxes, c.gap, 0)).toEqual([]);
      // No empty cell: rows of n or n−1 cells, every one spanning the content width.
      expect(emptyCells).toBe(0);
      const n = Math.max(...rowCounts);
      expect(rowCounts.every((count) => count === n || count === n - 1)).toBe(true);
      const rows = rowsOf(boxes);
      expect(rows.map((row) => row.length)).toEqual(rowCounts);
      for (const row of rows) {
        expect(row[0]!.x).toBe(c.content.x);
        expect(row.at(-1)!.x + row.at(-1)!.width).toBe(c.content.x + c.content.width);
      }
      expect(rows[0]![0]!.y).toBe(c.content.y);
      expect(rows.at(-1)![0]!.y + rows.at(-1)![0]!.height).toBe(c.content.y + c.content.height);
      // Long rows (25+ cells, so n and n − 1 differ by under 4.2 % before gutters) keep cell widths within 5 %.
      if (n >= 25) {
        const widths = boxes.map((b) => b.width);
        expect(Math.max(...widths) / Math.min(...widths)).toBeLessThanOrEqual(1.05 + 1 / Math.min(...widths));
      }
    });
  }
});

describe('coverCrop', () => {
  it('takes the largest centred region with the cell aspect by default', () => {
    expect(coverCrop(400, 300, 100, 100, [0.5, 0.5])).toEqual({ x: 50, y: 0, width: 300, height: 300 });
    expect(coverCrop(300, 400, 300, 100, [0.5, 0.5])).toEqual({ x: 0, y: 150, width: 300, height: 100 });
  });
  it('keeps the focus point in view, clamped to the image', () => {
    expect(coverCrop(400, 300, 100, 100, [0, 0.5])).toEqual({ x: 0, y: 0, width: 300, height: 300 });
    expect(coverCrop(400, 300, 100, 100, [1, 0.5])).toEqual({ x: 100, y: 0, width: 300, height: 300 });
    expect(coverCrop(300, 400, 300, 100, [0.5, 0.1])).toEqual({ x: 0, y: 0, width: 300, height: 100 });
    expect(coverCrop(300, 400, 300, 100, [0.5, 0.3])).toEqual({ x: 0, y: 70, width: 300, height: 100 });
  });
});

describe('containRect', () => {
  it('fits the whole image, centred, letterboxed', () => {
    expect(containRect(400, 300, 100, 100)).toEqual({ x: 0, y: 12, width: 100, height: 75 });
    expect(containRect(300, 400, 100, 100)).toEqual({ x: 12, y: 0, width: 75, height: 100 });
  });
});
