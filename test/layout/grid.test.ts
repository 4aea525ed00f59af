/** Grid layout and cell fitting: pure functions, no images. */
import { describe, expect, it } from 'vitest';
import { containRect, coverCrop, gridLayout, gridShape, LayoutError, splitEvenly } from '../../src/layout/index.js';

describe('splitEvenly', () => {
  it('fills the length exactly with gaps of exactly `gap`, spans differing by at most 1 px', () => {
    for (const [length, count, gap] of [[3450, 10, 24], [1000, 7, 3], [101, 3, 0], [10, 10, 0]] as const) {
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
  it('derives columns and rows so all images fit in cells as large and square as possible', () => {
    expect(gridShape({ count: 60, content, gap: 24 })).toEqual({ columns: 10, rows: 6 });
    expect(gridShape({ count: 1, content, gap: 24 })).toEqual({ columns: 1, rows: 1 });
    const poster = gridShape({ count: 1095, content: { x: 0, y: 0, width: 10650, height: 7050 }, gap: 24 });
    expect(poster.columns * poster.rows).toBeGreaterThanOrEqual(1095);
    const cellW = (10650 - (poster.columns - 1) * 24) / poster.columns;
    const cellH = (7050 - (poster.rows - 1) * 24) / poster.rows;
    expect(cellW / cellH).toBeGreaterThan(0.8);
    expect(cellW / cellH).toBeLessThan(1.25);
  });
  it('derives the missing one of columns/rows', () => {
    expect(gridShape({ count: 10, content, gap: 0, columns: 3 })).toEqual({ columns: 3, rows: 4 });
    expect(gridShape({ count: 10, content, gap: 0, rows: 2 })).toEqual({ columns: 5, rows: 2 });
  });
});

describe('gridLayout', () => {
  it('places images row-major in equal cells with exact gaps', () => {
    const { boxes, columns, rows } = gridLayout({ count: 5, content: { x: 10, y: 20, width: 300, height: 200 }, gap: 10, columns: 3 });
    expect([columns, rows]).toEqual([3, 2]);
    expect(boxes[0]).toEqual({ x: 10, y: 20, width: 93, height: 95 });
    expect(boxes[1]).toEqual({ x: 113, y: 20, width: 93, height: 95 });
    expect(boxes[3]).toEqual({ x: 10, y: 125, width: 93, height: 95 });
    expect(boxes[2]!.x + boxes[2]!.width).toBe(310);
  });
  it('refuses a grid too small for the images, or cells under a pixel', () => {
    expect(() => gridLayout({ count: 7, content: { x: 0, y: 0, width: 100, height: 100 }, gap: 0, columns: 2, rows: 3 })).toThrow(LayoutError);
    expect(() => gridLayout({ count: 7, content: { x: 0, y: 0, width: 100, height: 100 }, gap: 0, columns: 2, rows: 3 })).toThrow(
      'a 2×3 grid has 6 cells but there are 7 images',
    );
    expect(() => gridLayout({ count: 50, content: { x: 0, y: 0, width: 100, height: 100 }, gap: 10, columns: 50 })).toThrow(/do not fit/);
  });
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
