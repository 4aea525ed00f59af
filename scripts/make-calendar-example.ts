/**
 * Renders the README's calendar example (docs/calendar-example.png): a year of photo-like
 * "photo a day" pictures with EXIF capture dates, a few days missed and a few doubled, as a
 * `calendar` layout, then quantised to a small PNG. Run: npx tsx scripts/make-calendar-example.ts
 */
import { mkdtemp, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { build } from '../src/index.js';
import { mulberry32, paintPhotoLike } from './photo-like.js';

const YEAR = 2024;
const MISSED = new Set(['2024-01-17', '2024-03-02', '2024-03-03', '2024-05-20', '2024-07-09', '2024-08-14', '2024-08-15', '2024-08-16', '2024-10-28', '2024-12-24']);
const DOUBLED = new Set(['2024-04-01', '2024-12-25']);
const OUT = path.join(import.meta.dirname, '..', 'docs', 'calendar-example.png');

/** A hue for the season (blue winter, green spring, golden summer, orange autumn), ±15°. */
function seasonHue(dayOfYear: number): number {
  const stops: [number, number][] = [
    [0, 215],
    [75, 200],
    [120, 110],
    [170, 75],
    [230, 45],
    [290, 25],
    [335, 205],
    [366, 215],
  ];
  const i = stops.findIndex(([d]) => d > dayOfYear);
  const [d0, h0] = stops[i - 1]!;
  const [d1, h1] = stops[i]!;
  return h0 + ((h1 - h0) * (dayOfYear - d0)) / (d1 - d0);
}

/** A seed whose photo-like picture has a hue near `hue` (the painter's first random number picks it). */
function seedNear(hue: number, start: number): number {
  for (let seed = start; ; seed++) {
    const h = Math.floor(mulberry32(seed * 7919 + 17)() * 360);
    if (Math.abs(((h - hue + 540) % 360) - 180) <= 15) return seed;
  }
}

async function photo(seed: number, portrait: boolean, date: string): Promise<Buffer> {
  const [width, height] = portrait ? [300, 400] : [400, 300];
  const data = paintPhotoLike(seed, width, height).getContext('2d').getImageData(0, 0, width, height).data;
  return sharp(Buffer.from(data.buffer, data.byteOffset, data.byteLength), { raw: { width, height, channels: 4 } })
    .removeAlpha()
    .withExif({ IFD0: { Make: 'collage example' }, IFD2: { DateTimeOriginal: `${date.replaceAll('-', ':')} 12:00:00` } })
    .jpeg({ quality: 85 })
    .toBuffer();
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'collage-calendar-example-'));
try {
  const images: string[] = [];
  const random = mulberry32(2024);
  let seed = 1;
  for (let t = Date.UTC(YEAR, 0, 1), i = 0; t < Date.UTC(YEAR + 1, 0, 1); t += 86_400_000, i++) {
    const date = new Date(t).toISOString().slice(0, 10);
    if (MISSED.has(date)) continue;
    for (let copy = 0; copy < (DOUBLED.has(date) ? 2 : 1); copy++) {
      seed = seedNear(seasonHue(i), seed + 1);
      const name = `${String(images.length).padStart(3, '0')}.jpg`;
      await writeFile(path.join(dir, name), await photo(seed, random() < 0.2, date));
      images.push(name);
    }
  }
  const poster = path.join(dir, 'calendar.png');
  const report = await build(
    {
      size: { width: '12in', height: '8in', dpi: 110 },
      background: '#ffffff',
      margin: '0.3in',
      gap: '0.6mm',
      layout: { type: 'calendar', arrange: 'months' },
      images,
    },
    { output: poster, cwd: dir },
  );
  console.log(
    `${images.length} photos, ${report.calendar!.daysWithPhotos} days with a photo, ${report.calendar!.missedDays} missed, ${report.calendar!.duplicates.length} doubled`,
  );
  await mkdir(path.dirname(OUT), { recursive: true });
  // A palette PNG: a tenth of the full-colour file, and the labels stay crisp.
  await sharp(poster).png({ palette: true, colours: 128, dither: 0.5, compressionLevel: 9, effort: 10 }).toFile(OUT);
  console.log(`${path.relative(process.cwd(), OUT)}: ${report.output.width}×${report.output.height}, ${Math.round((await stat(OUT)).size / 1024)} kB`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
