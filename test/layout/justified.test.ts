import { describe, expect, it } from 'vitest';
import { justifiedLayout, layoutMetrics, mulberry32 } from '../../src/layout/index.js';
import { checkBlock, checkCropBound, checkGaps, checkIndices, checkInside, checkNoOverlap, randomCase, rowsOf } from './helpers.js';

const flickrMix = (count: number, seed: number) => {
  const random = mulberry32(seed);
  return Array.from({ length: count }, () => {
    const u = random();
    return { aspect: u < 0.7 ? 4 / 3 : u < 0.95 ? 3 / 4 : 1 };
  });
};

describe('justifiedLayout properties (seeded random sets)', () => {
  for (let seed = 1; seed <= 25; seed++) {
    const c = randomCase(seed * 104729, 2000);
    it(`case ${seed}: ${c.images.length} images in ${c.content.width}×${c.content.height}, gap ${c.gap}`, () => {
      const result = justifiedLayout({ images: c.images, content: c.content, gap: c.gap });
      const { boxes, block } = result;
      expect(checkIndices(boxes, c.images.length)).toEqual([]);
      expect(checkInside(boxes, c.content)).toEqual([]);
      expect(checkNoOverlap(boxes)).toEqual([]);
      expect(checkGaps(boxes, c.gap, 0)).toEqual([]);
      expect(checkBlock(block, c.content, result.unfilled, { gap: c.gap })).toEqual([]);
      expect(checkCropBound(boxes, 0.05)).toEqual([]);
      // Every row, the last too, spans the block's width exactly: no left-aligned short last row.
      const rows = result.rowStarts.length;
      result.rowStarts.forEach((start, r) => {
        const row = boxes.slice(start, r + 1 < rows ? result.rowStarts[r + 1]! : boxes.length);
        expect(new Set(row.map((b) => b.y)).size).toBe(1);
        expect(new Set(row.map((b) => b.height)).size).toBe(1);
        expect(row[0]!.x).toBe(block.x);
        expect(row.at(-1)!.x + row.at(-1)!.width).toBe(block.x + block.width);
      });
      // Rows fill the block top to bottom.
      expect(boxes[0]!.y).toBe(block.y);
      expect(boxes.at(-1)!.y + boxes.at(-1)!.height).toBe(block.y + block.height);
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

  it('fills a poster with 1,095 mixed photos, rows even and crops small', () => {
    const content = { x: 75, y: 75, width: 10650, height: 7050 };
    const result = justifiedLayout({ images: flickrMix(1095, 1095), content, gap: 24 });
    const m = layoutMetrics(result.boxes, content, { gap: 24, rows: true });
    expect(result.unfilled).toBe(0);
    expect(m.meanCrop).toBeLessThan(1.5);
    // Was 1.79 % with cumulative rounding: whole pixels are now apportioned for the least worst crop.
    expect(m.maxCrop).toBeLessThanOrEqual(1.5);
    expect(m.rowHeightDeviation!.max).toBeLessThan(16);
  });

  it('fills a portrait poster with 1,095 mixed photos within 1.5 %, rows uneven to meet the page', () => {
    // 24×36 in at 300 dpi: even rows miss the page (2.35 % before); rows within ±15 % of their mean meet it.
    const content = { x: 75, y: 75, width: 7050, height: 10650 };
    const result = justifiedLayout({ images: flickrMix(1095, 1095), content, gap: 24 });
    const m = layoutMetrics(result.boxes, content, { gap: 24, rows: true });
    expect(result.unfilled).toBe(0);
    expect(m.maxCrop).toBeLessThanOrEqual(1.5);
    expect(m.rowHeightDeviation!.max).toBeLessThan(16);
  });

  it('keeps 1,095 mixed photos on A4 (rows ~55 px, portraits ~41 px wide) within 1.5 %, rows within ±16 %', () => {
    // Breaks chosen on real-valued heights and rounded after cropped 2.22 % here: a pixel is 2.4 % of a portrait.
    const content = { x: 75, y: 75, width: 2330, height: 3358 };
    const result = justifiedLayout({ images: flickrMix(1095, 1095), content, gap: 24 });
    const m = layoutMetrics(result.boxes, content, { gap: 24 });
    expect(m.maxCrop).toBeLessThanOrEqual(1.5);
    expect(m.coverage).toBeGreaterThanOrEqual(99);
    expect(result.block.width).toBeGreaterThanOrEqual(content.width - 24);
    const mean = result.rowHeights.reduce((s, h) => s + h, 0) / result.rowHeights.length;
    for (const h of result.rowHeights) expect(Math.abs(h / mean - 1)).toBeLessThanOrEqual(0.16);
  });

  it('keeps maxCrop after rounding to whole pixels: 100 mixed photos on 12×12 in', () => {
    // Was 5.14 % for one photo, over the 5 % bound, silently.
    const content = { x: 75, y: 75, width: 3450, height: 3450 };
    const result = justifiedLayout({ images: flickrMix(100, 100), content, gap: 24 });
    expect(checkCropBound(result.boxes, 0.05)).toEqual([]);
  });

  it('meets the page by choosing breaks, not by cropping: 36 photos on 3000×2000 px lose little', () => {
    // Before: one stretch for every row cost each photo 15.8–16.3 %.
    const content = { x: 40, y: 40, width: 2920, height: 1920 };
    const result = justifiedLayout({ images: flickrMix(36, 36), content, gap: 16, rowHeight: 300 });
    const m = layoutMetrics(result.boxes, content, { gap: 16 });
    expect(m.maxCrop).toBeLessThanOrEqual(5.5);
    expect(m.coverage).toBeGreaterThan(95);
  });

  it('leaves even white space, rows centred, rather than crop past maxCrop', () => {
    // Two panoramas cannot fill a square page without heavy crops.
    const images = Array.from({ length: 2 }, () => ({ aspect: 3 }));
    const content = { x: 0, y: 0, width: 1200, height: 1200 };
    const result = justifiedLayout({ images, content, gap: 10, maxCrop: 0.05 });
    expect(result.unfilled).toBeGreaterThan(0.2);
    expect(checkBlock(result.block, content, result.unfilled)).toEqual([]);
    expect(checkCropBound(result.boxes, 0.05)).toEqual([]);
    // With no crop allowed at all, every photo is whole.
    const whole = justifiedLayout({ images, content, gap: 10, maxCrop: 0 });
    expect(checkCropBound(whole.boxes, 0)).toEqual([]);
  });

  it('spans a last row of panoramas across the width like the others', () => {
    const images = Array.from({ length: 12 }, () => ({ aspect: 3 }));
    const content = { x: 0, y: 0, width: 3000, height: 2000 };
    const { boxes, block } = justifiedLayout({ images, content, gap: 12 });
    for (const row of rowsOf(boxes)) expect(row.at(-1)!.x + row.at(-1)!.width).toBe(block.x + block.width);
  });

  it('weights widen an image', () => {
    const images = Array.from({ length: 40 }, (_, i) => ({ aspect: 1.5, weight: i === 10 ? 2 : 1 }));
    const { boxes } = justifiedLayout({ images, content: { x: 0, y: 0, width: 3000, height: 2000 }, gap: 5 });
    expect(boxes[10]!.width * boxes[10]!.height).toBeGreaterThan(1.5 * boxes[11]!.width * boxes[11]!.height);
  });
});
