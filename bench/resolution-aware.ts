/**
 * Resolution-aware sizing (`layout.resolutionAware`), measured: photos under 150 dpi without and
 * with it, per layout, and the worst crop and coverage of each, on the set: 100 photos, 20
 * of them 4× smaller per side (16× fewer pixels), spread through the set or in one run.
 *
 * Run: npx tsx bench/resolution-aware.ts [--page 20x15] [--large 1200x900] (inches; photo pixels)
 */
import { layoutMetrics, layoutPage, type PageLayoutSpec, type PlacedBox } from '../src/layout/index.js';
import { loadManifest } from '../src/manifest/index.js';
import { assessResolution, layoutShapes } from '../src/preflight/index.js';

const arg = (name: string, fallback: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1]! : fallback;
};
const [pageWidth, pageHeight] = arg('page', '20x15').split('x').map(Number) as [number, number];
const [largeWidth, largeHeight] = arg('large', '1200x900').split('x').map(Number) as [number, number];

/** Photo i: a third upright; 20 of the 100 a quarter of the size per side. */
export function photoSize(i: number, clustered: boolean): { width: number; height: number } {
  const small = clustered ? i >= 40 && i < 60 : i % 5 === 2;
  const [w, h] = i % 3 === 0 ? [largeHeight, largeWidth] : [largeWidth, largeHeight];
  return small ? { width: Math.round(w / 4), height: Math.round(h / 4) } : { width: w, height: h };
}

console.log(`page ${pageWidth}×${pageHeight} in at 300 dpi, margin 0.25 in, gap 2 mm; photos ${largeWidth}×${largeHeight} (a third upright), 20 at a quarter per side`);
console.log('| layout | set | under 150 dpi without → with | max crop % without → with | coverage % without → with |');
console.log('|---|---|---|---|---|');
for (const type of ['justified', 'masonry', 'mosaic'] as const) {
  for (const clustered of [false, true]) {
    const sizes = new Map(Array.from({ length: 100 }, (_, i) => [i, photoSize(i, clustered)]));
    const sizeOf = (i: number) => sizes.get(i);
    const rows = [];
    for (const resolutionAware of [false, true]) {
      const spec = await loadManifest(
        {
          size: { width: `${pageWidth}in`, height: `${pageHeight}in`, dpi: 300 },
          margin: '0.25in',
          gap: '2mm',
          layout: { type, resolutionAware },
          images: Array.from({ length: 100 }, (_, i) => `p${i}.jpg`),
        },
        { output: 'x.jpg' },
      );
      const page = layoutPage(spec.layout as PageLayoutSpec, spec, 100, layoutShapes(spec, spec.images, sizeOf));
      const low = assessResolution(spec, spec.images, page.boxes, sizeOf).low.length;
      const metrics = layoutMetrics(page.boxes as PlacedBox[], page.content);
      rows.push({ low, maxCrop: metrics.maxCrop, coverage: (1 - page.unfilled) * 100 });
    }
    const [a, b] = rows as [(typeof rows)[0], (typeof rows)[0]];
    console.log(
      `| ${type} | ${clustered ? 'clustered' : 'spread'} | ${a.low} → ${b.low} | ${a.maxCrop.toFixed(2)} → ${b.maxCrop.toFixed(2)} | ${a.coverage.toFixed(1)} → ${b.coverage.toFixed(1)} |`,
    );
  }
}
