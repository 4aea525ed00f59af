/** Preflight's pure parts: effective dpi, the check, resolution-aware weights, JPEG header length, job failure class. */
import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { LowResolutionError } from '../src/errors.js';
import { jpegHeadLength } from '../src/decode/jpeg-header.js';
import { layoutMetrics, layoutPage, sharpMasonryLayout, type PageLayoutSpec, type PlacedBox } from '../src/layout/index.js';
import { loadManifest } from '../src/manifest/index.js';
import { assessResolution, checkResolution, effectiveDpi, layoutShapes, resolutionAwareWeights, summarizeResolution } from '../src/preflight/index.js';
import { classifyFailure, jobError } from '../src/queue/jobs.js';
import { UnrecoverableError } from 'bullmq';

describe('effective dpi', () => {
  it('is source pixels shown per inch of the cell: cover by the shorter side, contain by the whole photo', () => {
    // 640 px wide in a 5 in (1500 px at 300 dpi) cell: 128 dpi.
    expect(effectiveDpi({ width: 640, height: 480 }, { width: 1500, height: 1125 }, 'cover', 300)).toBeCloseTo(128, 5);
    // Cover crops the sides of a wide photo in a square cell: its height spans the cell.
    expect(effectiveDpi({ width: 2000, height: 1000 }, { width: 600, height: 600 }, 'cover', 300)).toBeCloseTo(500, 5);
    // Contain shows the whole width in the cell's width.
    expect(effectiveDpi({ width: 2000, height: 1000 }, { width: 600, height: 600 }, 'contain', 300)).toBeCloseTo(1000, 5);
    // Independent of the output's own dpi: the same cell in inches at 150 dpi.
    expect(effectiveDpi({ width: 640, height: 480 }, { width: 750, height: 563 }, 'cover', 150)).toBeCloseTo(128, 0);
  });

  it('checks every placement: rounded dpi, min, median, the ones under the threshold with their cells', () => {
    const cell = (x: number) => ({ x, y: 30, width: 600, height: 600 });
    const check = checkResolution(
      [
        { index: 4, src: 'd.jpg', fit: 'cover', cell: cell(0), size: { width: 300, height: 300 } },
        { index: 1, src: 'a.jpg', fit: 'cover', cell: cell(600), size: { width: 1200, height: 1200 } },
        { index: 2, src: 'b.jpg', fit: 'cover', cell: cell(1200) },
        { index: 3, src: 'c.jpg', fit: 'cover', cell: cell(1800), size: { width: 250, height: 400 }, photo: { x: 1800, y: 30, width: 600, height: 400 } },
      ],
      300,
      150,
    );
    expect(check.dpi).toEqual([150, 600, null, 125]);
    expect(check.min).toBe(125);
    expect(check.median).toBe(150);
    expect(check.low).toEqual([{ src: 'c.jpg', index: 3, dpi: 125, cell: { x: 1800, y: 30, width: 600, height: 600, widthIn: 2, heightIn: 2 } }]);
  });
});

describe('resolution-aware weights', () => {
  const options = { area: 100 * 90_000, dpi: 300, minDpi: 150, floor: 1 / 16, headroom: 1 };

  it('leave a set that is sharp enough as it is', () => {
    const photos = Array.from({ length: 100 }, () => ({ weight: 1, pixels: 2000 * 1500 }));
    expect(resolutionAwareWeights(photos, options)).toEqual(photos.map(() => 1));
  });

  it('give a photo too small for an average cell the area at which it prints at minDpi, and the rest to the others', () => {
    // An average cell: 90,000 px² (1 in² at 300 dpi); at 150 dpi it needs 22,500 source pixels.
    const photos = [{ weight: 1, pixels: 150 * 75 }, ...Array.from({ length: 99 }, () => ({ weight: 1, pixels: 4000 * 3000 }))];
    const weights = resolutionAwareWeights(photos, options);
    const total = weights.reduce((s, w) => s + w, 0);
    const area = (weights[0]! / total) * options.area;
    // 11,250 px at (300 / 150)² = 45,000 px² of cell: half an average one.
    expect(area).toBeCloseTo(45_000, -1);
    expect(weights.slice(1).every((w) => w === 1)).toBe(true);
    // Manifest weights keep their proportions among the photos with room to spare; a photo of unknown size keeps its share.
    const mixed = resolutionAwareWeights([{ weight: 2, pixels: 1e8 }, { weight: 1 }, { weight: 1, pixels: 100 }], options);
    expect(mixed[0]! / mixed[1]!).toBeCloseTo(2, 5);
    expect(mixed[2]).toBeCloseTo(1 / 16, 5);
  });

  it('share the page by pixels when no photo can reach minDpi', () => {
    const weights = resolutionAwareWeights(
      [
        { weight: 1, pixels: 100 },
        { weight: 1, pixels: 400 },
      ],
      { ...options, area: 1e9 },
    );
    expect(weights[0]! / weights[1]!).toBeCloseTo(0.25, 5);
  });
});

describe('resolution-aware layout: 100 photos, 20 of them 4× smaller', () => {
  /**
   * A photo-a-day page: 80 phone photos of 1200×900 (a third upright) and 20 downloads at a
   * quarter of that per side (16× fewer pixels), on a 20×15 in page at 300 dpi, where the small
   * ones print around 150 dpi in a plain layout's cells.
   */
  const size = (i: number, clustered: boolean) => {
    const small = clustered ? i >= 40 && i < 60 : i % 5 === 2;
    const [w, h] = i % 3 === 0 ? [900, 1200] : [1200, 900];
    return small ? { width: w / 4, height: h / 4 } : { width: w, height: h };
  };

  for (const type of ['mosaic', 'justified', 'masonry'] as const) {
    it(`${type}: fewer photos under 150 dpi, the crop within 5 %, the page covered as much as without it`, async () => {
      const figures: string[] = [];
      for (const clustered of [false, true]) {
        const sizes = new Map(Array.from({ length: 100 }, (_, i) => [i, size(i, clustered)]));
        const sizeOf = (i: number) => sizes.get(i);
        const results = [];
        for (const resolutionAware of [false, true]) {
          const spec = await loadManifest(
            {
              size: { width: '20in', height: '15in', dpi: 300 },
              margin: '0.25in',
              gap: '2mm',
              layout: { type, resolutionAware },
              images: Array.from({ length: 100 }, (_, i) => `p${i}.jpg`),
            },
            { output: 'x.jpg' },
          );
          const page = layoutPage(spec.layout as PageLayoutSpec, spec, 100, layoutShapes(spec, spec.images, sizeOf));
          const check = assessResolution(spec, spec.images, page.boxes, sizeOf);
          const metrics = layoutMetrics(page.boxes as PlacedBox[], page.content, { gap: spec.gap });
          results.push({ low: check.low.length, maxCrop: metrics.maxCrop, coverage: metrics.coverage, summary: summarizeResolution(spec, spec.images, check, sizeOf) });
        }
        const [plain, aware] = results as [(typeof results)[0], (typeof results)[0]];
        figures.push(`${clustered ? 'clustered' : 'spread'}: ${plain.low} → ${aware.low} under 150 dpi, max crop ${plain.maxCrop.toFixed(1)} → ${aware.maxCrop.toFixed(1)} %`);
        expect(plain.low).toBeGreaterThan(0);
        expect(aware.low).toBeLessThan(plain.low);
        expect(aware.maxCrop).toBeLessThanOrEqual(5);
        expect(aware.coverage).toBeGreaterThanOrEqual(plain.coverage - 0.2);
        expect(aware.summary.resolutionAware).toEqual({ lowWithout: plain.low, saved: plain.low - aware.low });
      }
      console.log(`resolutionAware ${type}: ${figures.join('; ')}`);
    });
  }

  it('masonry pairs a photo too large for its column with a neighbour: equal columns, both at their own shape', () => {
    // Two columns 1,000 px wide: 4:3 photos 0–2 and a tall one; photo 1 has pixels for a cell 600 px wide at most.
    const images = [{ aspect: 4 / 3 }, { aspect: 4 / 3, sharp: { width: 600, height: 450 } }, { aspect: 4 / 3 }, { aspect: 1000 / 1137.5 }];
    const content = { x: 0, y: 0, width: 2020, height: 1138 };
    const plain = sharpMasonryLayout({ images: images.map(({ aspect }) => ({ aspect })), content, gap: 20, columns: 2 });
    expect(plain.boxes[1]!.width).toBeGreaterThan(600);
    const paired = sharpMasonryLayout({ images, content, gap: 20, columns: 2 });
    const [photo, partner] = [paired.boxes[1]!, paired.boxes[2]!];
    expect(photo.width).toBeLessThanOrEqual(600);
    expect(photo.y).toBe(partner.y);
    expect(photo.height).toBe(partner.height);
    expect(partner.x).toBe(photo.x + photo.width + 20);
    expect(photo.width + 20 + partner.width).toBe(paired.boxes[0]!.width);
    expect(paired.unfilled).toBeLessThan(plain.unfilled);
    for (const box of paired.boxes) expect(box.crop).toBeLessThanOrEqual(0.05);
  });
});

describe('JPEG header length', () => {
  it('is the end of the start-of-scan header, or a lower bound on what to fetch', async () => {
    const bytes = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#369' } })
      .withMetadata({ orientation: 6 })
      .jpeg()
      .toBuffer();
    const sos = bytes.indexOf(Buffer.from([0xff, 0xda]));
    const scanHeaderEnd = sos + 2 + bytes.readUInt16BE(sos + 2);
    expect(jpegHeadLength(bytes)).toBe(scanHeaderEnd);
    expect(jpegHeadLength(bytes.subarray(0, 10))).toBeGreaterThan(10);
    expect(jpegHeadLength(bytes.subarray(0, scanHeaderEnd - 5))).toBeGreaterThan(scanHeaderEnd - 5);
    expect(jpegHeadLength(Buffer.from('<html>'))).toBeNull();
  });
});

describe('job failure class', () => {
  it('photos under the threshold fail a job for good, with exit 4 and the first photo named', () => {
    const error = new LowResolutionError([{ src: 'http://x/1.jpg', index: 0, dpi: 120, cell: { x: 0, y: 0, width: 1500, height: 1200, widthIn: 5, heightIn: 4 } }], 3, 150);
    const failure = classifyFailure(error, 3);
    expect(failure).toEqual({
      exitCode: 4,
      permanent: true,
      reason: '1 of 3 photos print under 150 dpi, nothing written: http://x/1.jpg prints at 120 dpi in its 5.0×4.0 in cell (minimum 150)',
    });
    expect(jobError(failure)).toBeInstanceOf(UnrecoverableError);
  });
});
