import { describe, expect, it } from 'vitest';
import { contentBox, layoutMetrics, layoutPage, splitWeighted, type PageLayoutSpec } from '../../src/layout/index.js';

describe('layoutMetrics', () => {
  it('reports coverage, crop, area ratio and row-height deviation', () => {
    const content = { x: 0, y: 0, width: 100, height: 100 };
    const boxes = [
      { x: 0, y: 0, width: 50, height: 50, index: 0, crop: 0.1 },
      { x: 50, y: 60, width: 50, height: 25, index: 1, crop: 0 },
    ];
    const m = layoutMetrics(boxes, content, { rows: true });
    expect(m.coverage).toBeCloseTo(37.5);
    expect(m.meanCrop).toBeCloseTo(5);
    expect(m.maxCrop).toBeCloseTo(10);
    expect(m.areaRatio).toBeCloseTo(2);
    // Rows of 50 and 25 px against their mean of 37.5.
    expect(m.rowHeightDeviation!.max).toBeCloseTo(100 / 3);
  });

  it('counts the gutters between boxes as covered, the margins a layout leaves empty as not', () => {
    const content = { x: 0, y: 0, width: 110, height: 100 };
    const tiled = [
      { x: 0, y: 0, width: 50, height: 100, index: 0, crop: 0 },
      { x: 60, y: 0, width: 50, height: 100, index: 1, crop: 0 },
    ];
    expect(layoutMetrics(tiled, content, { gap: 10 }).coverage).toBeCloseTo(100);
    const centred = tiled.map((b) => ({ ...b, y: 20, height: 60 }));
    expect(layoutMetrics(centred, content, { gap: 10 }).coverage).toBeCloseTo(70);
  });
});

describe('splitWeighted', () => {
  it('fills the length exactly with exact gaps', () => {
    const spans = splitWeighted(7, 1000, [1, 2, 3.3, 0.4], 9);
    expect(spans[0]!.start).toBe(7);
    const last = spans[spans.length - 1]!;
    expect(last.start + last.size).toBe(1007);
    for (let i = 1; i < spans.length; i++) expect(spans[i]!.start - (spans[i - 1]!.start + spans[i - 1]!.size)).toBe(9);
  });
});

describe('layoutPage', () => {
  const page = { width: 1200, height: 800, margin: 20, gap: 10 };
  it('keeps grid working without aspect ratios', () => {
    const result = layoutPage({ type: 'grid' }, page, 6);
    expect(result.boxes).toHaveLength(6);
    expect(result.columns * result.rows).toBeGreaterThanOrEqual(6);
    expect(result.emptyCells).toBe(0);
  });
  it('runs the aspect-aware types and needs their aspect ratios', () => {
    const images = Array.from({ length: 12 }, (_, i) => ({ aspect: i % 2 ? 1.5 : 0.75 }));
    for (const type of ['justified', 'masonry', 'mosaic'] as const) {
      const result = layoutPage({ type } as PageLayoutSpec, page, 12, images);
      expect(result.content).toEqual(contentBox(page));
      expect(result.boxes).toHaveLength(12);
      expect(() => layoutPage({ type } as PageLayoutSpec, page, 12)).toThrow(/aspect ratio/);
    }
  });
});
