/**
 * Layout quality, per layout × photo set × page: mean and max crop (% of a photo hidden), area
 * ratio (largest/smallest photo), coverage (% of the content box covered by photos and the
 * gutters between them; the rest is left background because maxCrop could not fill it), row
 * deviation (justified: largest row height off the mean, %) or column deviation (masonry: spread
 * of the columns' stretch, %), empty cells (grid) and plan time (CPU ms, after a warm-up run).
 *
 * Pages: 36×24 in, 24×36 in, A4 and 12×12 in at 300 dpi, margin 0.25 in, gap 2 mm; the default
 * maxCrop (5 %) and maxAreaRatio (4). Photo sets: the flickr-like mix (70 % 4:3, 25 % 3:4, 5 %
 * square) at 12, 36, 100 and 1,095 photos, 12 panoramas (3:1), 12 tall (1:3), and a phone set
 * (1,095 photos: 55 % 3:4, 35 % 4:3, 10 % 16:9 and 9:16) and 1,095 photos all 4:3. Then the mosaic on a poster wall of
 * 20,000 photos.
 *
 * Run: npx tsx bench/layout-quality.ts [--only grid,mosaic] [--sets 1095,36] [--no-wall] [--bounds]
 *
 * --bounds adds, for the 1,095 mix, a lower bound on justified's worst crop on whole pixels (rows
 * within ±16 % of their mean; pixelrows.ts) and on masonry's (equal whole-pixel columns filling
 * the page: some photo is stretched at least by the page's total over the photos' natural total).
 * The grid is given the photos' shapes (cellAspect "auto").
 */
import os from 'node:os';
import { reachableTotals } from '../src/layout/pixelrows.js';
import { contentBox, gridLayout, justifiedLayout, layoutMetrics, masonryLayout, mosaicLayout, mulberry32, type Box, type ImageShape, type PlacedBox } from '../src/layout/index.js';

const DPI = 300;
const MARGIN = Math.round(0.25 * DPI);
const GAP = Math.round((2 / 25.4) * DPI);
const PAGES: Record<string, [number, number]> = {
  '36×24 in': [36 * DPI, 24 * DPI],
  '24×36 in': [24 * DPI, 36 * DPI],
  A4: [Math.round((210 / 25.4) * DPI), Math.round((297 / 25.4) * DPI)],
  '12×12 in': [12 * DPI, 12 * DPI],
};

function mix(count: number, seed: number, shares: [number, number][]): ImageShape[] {
  const random = mulberry32(seed);
  return Array.from({ length: count }, () => {
    let u = random();
    for (const [aspect, share] of shares) {
      if (u < share) return { aspect };
      u -= share;
    }
    return { aspect: shares.at(-1)![0] };
  });
}
const flickr = (count: number) =>
  mix(count, count, [
    [4 / 3, 0.7],
    [3 / 4, 0.25],
    [1, 0.05],
  ]);
const SETS: Record<string, () => ImageShape[]> = {
  '12 mix': () => flickr(12),
  '36 mix': () => flickr(36),
  '100 mix': () => flickr(100),
  '1095 mix': () => flickr(1095),
  '12 panoramas 3:1': () => Array.from({ length: 12 }, () => ({ aspect: 3 })),
  '12 tall 1:3': () => Array.from({ length: 12 }, () => ({ aspect: 1 / 3 })),
  '1095 phone': () =>
    mix(1095, 7, [
      [3 / 4, 0.55],
      [4 / 3, 0.35],
      [16 / 9, 0.05],
      [9 / 16, 0.05],
    ]),
  '1095 all 4:3': () => Array.from({ length: 1095 }, () => ({ aspect: 4 / 3 })),
};

interface Outcome {
  boxes: PlacedBox[];
  /** Row or column deviation, %, when the layout has rows or columns. */
  deviation?: string;
  emptyCells?: number;
}

const LAYOUTS: Record<string, (images: ImageShape[], content: Box) => Outcome> = {
  grid: (images, content) => {
    const result = gridLayout({ count: images.length, content, gap: GAP, images });
    return { boxes: result.boxes as PlacedBox[], emptyCells: result.emptyCells };
  },
  justified: (images, content) => {
    const result = justifiedLayout({ images, content, gap: GAP });
    const mean = result.rowHeights.reduce((s, h) => s + h, 0) / result.rowHeights.length;
    return { boxes: result.boxes, deviation: `rows ±${(100 * Math.max(...result.rowHeights.map((h) => Math.abs(h / mean - 1)))).toFixed(1)}` };
  },
  masonry: (images, content) => {
    const result = masonryLayout({ images, content, gap: GAP });
    const stretch = result.columnStretch.filter((_, c) => result.columnImages[c]!.length > 0);
    return { boxes: result.boxes, deviation: `${result.columns} cols ${(100 * (Math.max(...stretch) / Math.min(...stretch) - 1)).toFixed(1)}` };
  },
  mosaic: (images, content) => ({ boxes: mosaicLayout({ images, content, gap: GAP }).boxes }),
};

function cpuMs(run: () => void): number {
  const started = process.cpuUsage();
  run();
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1000;
}

const args = process.argv.slice(2);
const option = (name: string) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1]!.split(',') : null;
};
const onlyLayouts = option('--only') ?? Object.keys(LAYOUTS);
const onlySets = option('--sets');

console.log(
  `layout quality: ${os.cpus().length} cores, load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} (times are CPU ms after a warm-up)`,
);
console.log(`pages at ${DPI} dpi, margin ${MARGIN} px, gap ${GAP} px; maxCrop 5 %, maxAreaRatio 4\n`);
const header = ['layout', 'set', 'page', 'crop mean %', 'crop max %', 'area ratio', 'coverage %', 'rows/cols dev %', 'empty', 'ms'];
const rows: string[][] = [];
for (const layout of onlyLayouts) {
  for (const [set, make] of Object.entries(SETS)) {
    if (onlySets && !onlySets.some((s) => set.startsWith(s))) continue;
    const images = make();
    for (const [page, [width, height]] of Object.entries(PAGES)) {
      const content = contentBox({ width, height, margin: MARGIN, gap: GAP });
      const run = () => LAYOUTS[layout]!(images, content);
      run();
      let outcome: Outcome = run();
      const ms = cpuMs(() => (outcome = run()));
      const m = layoutMetrics(outcome.boxes, content, { gap: GAP });
      rows.push([
        layout,
        set,
        page,
        m.meanCrop.toFixed(2),
        m.maxCrop.toFixed(2),
        m.areaRatio.toFixed(2),
        m.coverage.toFixed(1),
        outcome.deviation ?? '',
        outcome.emptyCells === undefined ? '' : String(outcome.emptyCells),
        ms.toFixed(0),
      ]);
    }
  }
}
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
console.log(line(header));
for (const row of rows) console.log(line(row));

if (!args.includes('--no-wall') && onlyLayouts.includes('mosaic')) {
  // A poster wall: 20,000 photos on 150×100 in (45,000×30,000 px), the same cell size as 1,095 on 36×24 in.
  const images = flickr(20000);
  const content = contentBox({ width: 150 * DPI, height: 100 * DPI, margin: MARGIN, gap: GAP });
  const wall = () => mosaicLayout({ images, content, gap: GAP });
  const startedWall = performance.now();
  let boxes: PlacedBox[] = [];
  const ms = cpuMs(() => (boxes = wall().boxes));
  const m = layoutMetrics(boxes, content, { gap: GAP });
  console.log(
    `\nmosaic, 20,000 photos on 150×100 in: ${ms.toFixed(0)} ms CPU (${(performance.now() - startedWall).toFixed(0)} ms wall, no warm-up), crop mean ${m.meanCrop.toFixed(2)} % max ${m.maxCrop.toFixed(2)} %, area ratio ${m.areaRatio.toFixed(2)}, coverage ${m.coverage.toFixed(1)} %`,
  );
}

if (args.includes('--bounds')) {
  const aspects = flickr(1095).map((image) => image.aspect);
  console.log('\nlower bounds on the worst crop, 1,095 mix (no layout of that kind can do better):');
  for (const [page, [width, height]] of Object.entries(PAGES)) {
    const content = contentBox({ width, height, margin: MARGIN, gap: GAP });
    // Justified: for each row count K, rows within ±16 % of the mean (H − (K−1)·gap)/K.
    let justified = Infinity;
    for (let rows = 2; rows <= 200; rows++) {
      const mean = (content.height - (rows - 1) * GAP) / rows;
      if (mean < 4) break;
      const reaches = (crop: number) => {
        const totals = reachableTotals(aspects, content.width, GAP, Math.ceil(mean * 0.84), Math.floor(mean * 1.16), crop);
        return !!totals && totals.least[aspects.length]! <= content.height + GAP && content.height + GAP <= totals.most[aspects.length]!;
      };
      if (!reaches(0.05)) continue;
      let low = 0;
      let high = 0.05;
      for (let step = 0; step < 12; step++) {
        const middle = (low + high) / 2;
        if (reaches(middle)) high = middle;
        else low = middle;
      }
      justified = Math.min(justified, low);
    }
    // Masonry: C equal columns (whole px, widths differing by at most 1) filling the height.
    let masonry = Infinity;
    const inverse = aspects.reduce((s, a) => s + 1 / a, 0);
    for (let columns = 1; columns <= aspects.length; columns++) {
      const room = content.width - (columns - 1) * GAP;
      if (room < columns) break;
      const photos = columns * content.height - (aspects.length - columns) * GAP;
      const [narrow, wide] = [Math.floor(room / columns), Math.ceil(room / columns)];
      // The photos' natural total lies between all-narrow and all-wide columns; the fill needs the rest.
      const stretch = photos / (wide * inverse) > 1 ? photos / (wide * inverse) : Math.min(photos / (narrow * inverse), 1);
      masonry = Math.min(masonry, stretch >= 1 ? 1 - 1 / stretch : 1 - stretch);
    }
    console.log(`  ${page.padEnd(9)} justified ≥ ${(100 * justified).toFixed(2)} %   masonry ≥ ${(100 * masonry).toFixed(2)} %`);
  }
}
