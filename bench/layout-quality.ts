/**
 * Layout quality on a flickr-like mix (70 % 4:3, 25 % 3:4, 5 % square), 1,095 photos on a
 * 36×24 in page at 300 dpi (10800×7200 px), margin 75 px, gap 24 px, equal weights.
 * Run: npx tsx bench/layout-quality.ts
 */
import { contentBox, justifiedLayout, layoutMetrics, masonryLayout, mosaicLayout, mulberry32, type PlacedBox } from '../src/layout/index.js';

const random = mulberry32(1095);
const images = Array.from({ length: 1095 }, () => {
  const u = random();
  return { aspect: u < 0.7 ? 4 / 3 : u < 0.95 ? 3 / 4 : 1 };
});
const content = contentBox({ width: 10800, height: 7200, margin: 75, gap: 24 });
const gap = 24;

function report(name: string, run: () => { boxes: PlacedBox[]; rowHeight?: number }): void {
  run(); // warm up the JIT once; the timed run is the second
  const started = performance.now();
  const { boxes, rowHeight } = run();
  const ms = performance.now() - started;
  const m = layoutMetrics(boxes, content, rowHeight === undefined ? {} : { rowHeight });
  const rows = m.rowHeightDeviation ? `  row-height dev mean ${m.rowHeightDeviation.mean.toFixed(1)} % max ${m.rowHeightDeviation.max.toFixed(1)} %` : '';
  console.log(
    `${name.padEnd(9)} ${ms.toFixed(0).padStart(4)} ms  coverage ${m.coverage.toFixed(1)} %  crop mean ${m.meanCrop.toFixed(2)} % max ${m.maxCrop.toFixed(2)} %  area max/min ${m.areaRatio.toFixed(2)}${rows}`,
  );
}

console.log(`${images.length} photos, content ${content.width}×${content.height} px, gap ${gap} px`);
report('mosaic', () => mosaicLayout({ images, content, gap }));
report('justified', () => {
  const result = justifiedLayout({ images, content, gap });
  return { boxes: result.boxes, rowHeight: result.targetRowHeight };
});
report('masonry', () => masonryLayout({ images, content, gap }));

// Small sets, where a fixed page is hardest to fill: 12–96 photos of the same mix on landscape
// (12×8 in at 150 dpi), portrait and square pages, three draws each.
console.log('\nmosaic, small sets (3 draws × 3 pages each): mean crop (mean of the 9 / worst), largest area ratio, slowest plan');
for (const count of [12, 20, 40, 60, 96]) {
  const crops: number[] = [];
  let ratio = 0;
  let slowest = 0;
  for (const seed of [1, 2, 3]) {
    const draw = mulberry32(seed * 1000 + count);
    const photos = Array.from({ length: count }, () => {
      const u = draw();
      return { aspect: u < 0.7 ? 4 / 3 : u < 0.95 ? 3 / 4 : 1 };
    });
    for (const [width, height] of [[1740, 1140], [7140, 10740], [2940, 2940]] as const) {
      const page = { x: 30, y: 30, width, height };
      const started = performance.now();
      const { boxes } = mosaicLayout({ images: photos, content: page, gap: 12 });
      slowest = Math.max(slowest, performance.now() - started);
      const m = layoutMetrics(boxes, page);
      crops.push(m.meanCrop);
      ratio = Math.max(ratio, m.areaRatio);
    }
  }
  const mean = crops.reduce((s, c) => s + c, 0) / crops.length;
  console.log(`${String(count).padStart(4)} photos  crop ${mean.toFixed(2)} % / ${Math.max(...crops).toFixed(2)} %  area max/min ${ratio.toFixed(2)}  ${slowest.toFixed(0)} ms`);
}
