/**
 * The calendar end to end: three years of a photo a day with EXIF dates (some days missed, some
 * doubled) over HTTP, 36 month blocks on a 36×24 in page; dates from file names and the manifest
 * without EXIF; photos without a date.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Ajv from 'ajv';
import { plan } from '../src/index.js';
import { runCli } from './support/cli.js';
import { useTempDirs } from './support/files.js';
import { colorDistance, distinctColor, readPixels, solidImage, type Pixels, type Rgb } from './support/images.js';
import { serveFiles, startServer, type TestServer } from './support/server.js';

const LEAP: Rgb = [255, 0, 0];
const MISSED = ['2022-03-15', '2022-11-02', '2023-06-14', '2024-01-09', '2024-08-21'];
const DOUBLED = ['2022-07-04', '2023-12-25', '2024-02-14', '2024-10-31'];

interface Photo {
  file: string;
  date: string;
  color: Rgb;
}

/** Every day of 2022–2024 but the missed ones, plus a second photo on the doubled days (listed after the first). */
function photoList(): Photo[] {
  const photos: Photo[] = [];
  const doubles: Photo[] = [];
  for (let t = Date.UTC(2022, 0, 1), i = 0; t <= Date.UTC(2024, 11, 31); t += 86_400_000, i++) {
    const date = new Date(t).toISOString().slice(0, 10);
    if (MISSED.includes(date)) continue;
    photos.push({ file: `/p${i}.jpg`, date, color: date === '2024-02-29' ? LEAP : distinctColor(i) });
    if (DOUBLED.includes(date)) doubles.push({ file: `/p${i}-again.jpg`, date, color: [20, 20, 20] });
  }
  return [...photos, ...doubles];
}

async function datedPhoto(color: Rgb, date: string | null, width = 48, height = 36): Promise<Buffer> {
  let image = sharp({ create: { width, height, channels: 3, background: { r: color[0], g: color[1], b: color[2] } } });
  if (date) image = image.withExif({ IFD0: { Make: 'collage-test' }, IFD2: { DateTimeOriginal: `${date.replaceAll('-', ':')} 09:30:00` } });
  return image.jpeg({ quality: 95, chromaSubsampling: '4:4:4' }).toBuffer();
}

async function writeJson(dir: string, name: string, value: unknown): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, JSON.stringify(value));
  return file;
}

/** Pixels in `box` (x0, y0, x1, y1 exclusive) that are not white. */
function ink(pixels: Pixels, x0: number, y0: number, x1: number, y1: number): { x: number; y: number }[] {
  const found: { x: number; y: number }[] = [];
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (colorDistance(pixels.at(x, y), [255, 255, 255]) > 40) found.push({ x, y });
  return found;
}

describe('calendar: a photo a day for three years', () => {
  const tempDir = useTempDirs();
  let server: TestServer;
  const photos = photoList();

  beforeAll(async () => {
    const files = new Map<string, Buffer>();
    for (const photo of photos) files.set(photo.file, await datedPhoto(photo.color, photo.date));
    server = await startServer(serveFiles(files));
  });
  afterAll(() => server.close());

  it('36 month blocks on a 36×24 in page: the leap day in its cell, missed days show their number only, headings drawn, duplicates reported', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'm.json');
    // 60 dpi keeps the test quick; the layout is the same at 300.
    const manifest = {
      size: { width: '36in', height: '24in', dpi: 60 },
      margin: '0.25in',
      gap: '1mm',
      layout: { type: 'calendar' },
      images: photos.map((p) => `${server.url}${p.file}`),
    };
    await writeFile(file, JSON.stringify(manifest));

    const planned = await runCli(['plan', file]);
    expect(planned.code, planned.stderr).toBe(0);
    const layout = JSON.parse(planned.stdout);
    expect(layout.calendar.span).toEqual({ from: '2022-01-01', to: '2024-12-31', days: 1096 });
    expect(layout.calendar.missed).toEqual(MISSED);
    expect(layout.calendar.daysWithPhotos).toBe(1096 - MISSED.length);
    expect(layout.calendar.duplicates.map((d: { date: string }) => d.date)).toEqual(DOUBLED);
    expect(layout.layout).toMatchObject({ type: 'calendar', columns: 6, rows: 6 });
    expect(layout.placements).toHaveLength(1096 - MISSED.length);

    const built = await runCli(['build', file, '-o', 'out.png', '--json'], { cwd: dir });
    expect(built.code, built.stderr).toBe(0);
    const report = JSON.parse(built.stdout);
    expect(report.output).toMatchObject({ width: 2160, height: 1440 });
    expect(report.calendar.duplicates).toEqual(
      DOUBLED.map((date) => {
        const [kept, dropped] = photos.filter((p) => p.date === date);
        return { date, kept: `${server.url}${kept!.file}`, dropped: [`${server.url}${dropped!.file}`] };
      }),
    );
    expect(report.calendar.missed).toEqual(MISSED);

    const pixels = await readPixels(await readFile(path.join(dir, 'out.png')));
    const boxOf = (date: string) => {
      const src = `${server.url}${photos.find((p) => p.date === date)!.file}`;
      return layout.placements.find((p: { src: string }) => p.src === src) as { x: number; y: number; width: number; height: number };
    };
    const centre = (box: { x: number; y: number; width: number; height: number }) => pixels.at(box.x + Math.floor(box.width * 0.6), box.y + Math.floor(box.height * 0.7));
    const gap = boxOf('2024-02-28').y === boxOf('2024-02-29').y ? boxOf('2024-02-29').x - boxOf('2024-02-28').x - boxOf('2024-02-28').width : NaN;

    // 2024-02-29, a Thursday: right of Wednesday the 28th, a week under the 22nd; red.
    const leap = boxOf('2024-02-29');
    expect(leap.y).toBe(boxOf('2024-02-28').y);
    expect(leap.x).toBe(boxOf('2024-02-28').x + leap.width + gap);
    expect(leap.x).toBe(boxOf('2024-02-22').x);
    expect(leap.y).toBe(boxOf('2024-02-22').y + leap.height + gap);
    expect(colorDistance(centre(leap), LEAP)).toBeLessThanOrEqual(8);
    // The first photo of a doubled day is shown, not the second (near black).
    expect(colorDistance(centre(boxOf('2023-12-25')), photos.find((p) => p.date === '2023-12-25')!.color)).toBeLessThanOrEqual(8);

    // 2023-06-14, a missed Wednesday: the cell right of Tuesday the 13th holds its day number, nothing else.
    const tuesday = boxOf('2023-06-13');
    const missed = { x: tuesday.x + tuesday.width + gap, y: tuesday.y, width: tuesday.width, height: tuesday.height };
    expect(boxOf('2023-06-15').x).toBe(missed.x + missed.width + gap);
    const marks = ink(pixels, missed.x, missed.y, missed.x + missed.width, missed.y + missed.height);
    expect(marks.length).toBeGreaterThan(3);
    // All of it in the top-left corner, where the number goes.
    expect(Math.max(...marks.map((m) => m.x)) - missed.x).toBeLessThan(missed.width / 2);
    expect(Math.max(...marks.map((m) => m.y)) - missed.y).toBeLessThan(missed.height / 2);

    // January 2022's heading: ink in the band above its weekday initials and first week.
    const first = boxOf('2022-01-03');
    const blockTop = layout.content.y;
    const heading = ink(pixels, first.x, blockTop, first.x + 7 * (first.width + gap), blockTop + Math.floor((first.y - blockTop) / 2));
    expect(heading.length).toBeGreaterThan(50);
  });
});

describe('calendar: dates without EXIF', () => {
  const tempDir = useTempDirs();

  it('from file names and from the manifest; dateFrom chooses which comes first', async () => {
    const dir = await tempDir();
    const files: [string, Rgb, string | null][] = [
      ['2024-03-04.jpg', [200, 30, 30], null],
      ['IMG_20240305_081500.jpg', [30, 200, 30], null],
      ['holiday.jpg', [30, 30, 200], null],
      // EXIF says the 7th, the name the 8th.
      ['PXL_20240308_1.jpg', [200, 200, 30], '2024-03-07'],
    ];
    for (const [name, color, exif] of files) await writeFile(path.join(dir, name), await datedPhoto(color, exif));
    const images = [files[0]![0], files[1]![0], { src: files[2]![0], date: '2024-03-06' }, files[3]![0]];
    const manifest = (layout: Record<string, unknown>) => ({ size: { width: 700, height: 500 }, layout: { type: 'calendar', cellAspect: '4:3', ...layout }, images });
    const daysOf = async (layout: Record<string, unknown>) => {
      const result = await plan(manifest(layout), { output: 'x.png', cwd: dir });
      return { span: result.calendar!.span, placed: result.placements.map((p) => p.src), missed: result.calendar!.missed };
    };
    expect(await daysOf({})).toEqual({ span: { from: '2024-03-04', to: '2024-03-07', days: 4 }, placed: images.map((i) => (typeof i === 'string' ? i : i.src)), missed: [] });
    const byName = await daysOf({ dateFrom: 'name' });
    expect(byName.span).toEqual({ from: '2024-03-04', to: '2024-03-08', days: 5 });
    expect(byName.missed).toEqual(['2024-03-07']);

    // Built: each photo's colour in the cell for its day (Monday the 4th first, in a row).
    const output = path.join(dir, 'out.png');
    const file = path.join(dir, 'm.json');
    await writeFile(file, JSON.stringify({ ...manifest({ dateFrom: 'name' }), output: 'out.png' }));
    const built = await runCli(['build', file, '--json']);
    expect(built.code, built.stderr).toBe(0);
    const placements = (await plan(file)).placements;
    const pixels = await readPixels(await readFile(output));
    placements.forEach((p, i) => {
      const color = files.find(([name]) => name === p.src)![1];
      expect(colorDistance(pixels.at(p.x + Math.floor(p.width * 0.6), p.y + Math.floor(p.height * 0.7)), color), p.src).toBeLessThanOrEqual(8);
      if (i > 0) expect(p.x).toBeGreaterThan(placements[i - 1]!.x);
    });

    // With a bleed (the poster is held whole until the bleed is drawn), every label and cell
    // moves by the bleed and nothing else changes.
    await writeFile(file, JSON.stringify({ ...manifest({ dateFrom: 'name' }), output: 'bled.png', bleed: { size: 12, mode: 'color' } }));
    expect((await runCli(['build', file])).code).toBe(0);
    const bled = await readPixels(await readFile(path.join(dir, 'bled.png')));
    expect([bled.width, bled.height]).toEqual([pixels.width + 24, pixels.height + 24]);
    let differing = 0;
    for (let y = 0; y < pixels.height; y += 2) for (let x = 0; x < pixels.width; x += 2) if (colorDistance(pixels.at(x, y), bled.at(x + 12, y + 12)) > 2) differing++;
    expect(differing).toBe(0);
    expect(ink(bled, 12, 12, bled.width - 12, placements[0]!.y + 12).length).toBeGreaterThan(100);
  });

  it('a photo without any date fails (exit 3) under fail, and is left out and reported under skip', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, '2024-05-01.jpg'), await solidImage([200, 30, 30], 40, 30));
    await writeFile(path.join(dir, 'nodate.jpg'), await solidImage([30, 30, 200], 40, 30));
    const file = path.join(dir, 'm.json');
    const manifest = { size: { width: 400, height: 300 }, layout: { type: 'calendar' }, images: ['2024-05-01.jpg', 'nodate.jpg'], output: 'out.png' };
    await writeFile(file, JSON.stringify(manifest));
    const failed = await runCli(['build', file]);
    expect(failed.code).toBe(3);
    expect(failed.stderr).toMatch(/nodate\.jpg: no date: no EXIF capture time, no "date" in the manifest and no date in the file name/);
    const skipped = await runCli(['build', file, '--on-error', 'skip', '--json']);
    expect(skipped.code, skipped.stderr).toBe(0);
    const report = JSON.parse(skipped.stdout);
    expect(report.images.failed).toEqual([expect.objectContaining({ src: 'nodate.jpg' })]);
    expect(report.calendar.span).toEqual({ from: '2024-05-01', to: '2024-05-01', days: 1 });
  });

  it('--layout calendar on a list of dated file names; photos on fewer days than expected get larger cells, decoded from the file; no spool is left behind', async () => {
    const dir = await tempDir();
    // Ten photos on two days: the cells are larger than one-photo-a-day predicts.
    const lines: string[] = [];
    for (let i = 0; i < 10; i++) {
      const name = `IMG_2024060${1 + (i % 2)}_${i}.jpg`;
      await writeFile(path.join(dir, name), await datedPhoto(distinctColor(i), null, 400, 300));
      lines.push(name);
    }
    await writeFile(path.join(dir, 'list.txt'), `# two days\n${lines.join('\n')}\n`);
    const tmp = path.join(dir, 'tmp');
    await mkdir(tmp);
    const built = await runCli(['build', 'list.txt', '--size', '8x4in', '--dpi', '50', '--layout', 'calendar', '-o', 'out.png', '--json'], { cwd: dir, env: { TMPDIR: tmp } });
    expect(built.code, built.stderr).toBe(0);
    const report = JSON.parse(built.stdout);
    expect(report.calendar).toMatchObject({ span: { from: '2024-06-01', to: '2024-06-02', days: 2 }, missedDays: 0 });
    expect(report.calendar.duplicates.map((d: { dropped: string[] }) => d.dropped.length)).toEqual([4, 4]);
    expect(await readdir(tmp)).toEqual([]);
    const placements = (await plan(path.join(dir, 'list.txt'), { size: '8x4in', dpi: 50, layout: 'calendar', output: 'x.png' })).placements;
    const pixels = await readPixels(await readFile(path.join(dir, 'out.png')));
    expect(placements.map((p) => p.src)).toEqual([lines[0], lines[1]]);
    placements.forEach((p, i) => expect(colorDistance(pixels.at(p.x + Math.floor(p.width * 0.6), p.y + Math.floor(p.height * 0.7)), distinctColor(i))).toBeLessThanOrEqual(8));
  });

  it('days and cell shape from the manifest: plan fetches nothing; build draws photos as they arrive and still checks those it does not show', async () => {
    const dir = await tempDir();
    const files = new Map<string, Buffer>();
    const days = ['2024-01-01', '2024-01-02', '2024-01-02', '2024-01-04', '2023-12-31'];
    for (const [i] of days.entries()) files.set(`/q${i}.jpg`, await datedPhoto(distinctColor(i), '2020-01-01', 300, 200));
    const server = await startServer(serveFiles(files));
    try {
      const images = days.map((date, i) => ({ src: `${server.url}/q${i}.jpg`, date }));
      const manifest = { size: { width: 800, height: 500 }, layout: { type: 'calendar', dateFrom: 'manifest', cellAspect: '3:2', from: '2024-01-01' }, images, output: 'out.png' };
      const file = path.join(dir, 'm.json');
      await writeFile(file, JSON.stringify(manifest));
      // Without the resolution check plan fetches nothing; with it, the headers (a range first).
      const planned = await plan(file, { preflight: false });
      expect(server.requests).toHaveLength(0);
      const checked = await plan(file);
      expect(checked.placements).toEqual(planned.placements.map((p, j) => ({ ...p, dpi: checked.placements[j]!.dpi })));
      expect(server.requests.length).toBeGreaterThan(0);
      expect(server.requests.some((request) => /^bytes=0-\d+$/.test(String(request.headers.range)))).toBe(true);
      server.requests.length = 0;
      expect(planned.calendar).toMatchObject({
        span: { from: '2024-01-01', to: '2024-01-04', days: 4 },
        missed: ['2024-01-03'],
        outOfRange: [{ src: images[4]!.src, date: '2023-12-31' }],
      });
      expect(planned.calendar!.duplicates).toEqual([{ date: '2024-01-02', kept: images[1]!.src, dropped: [images[2]!.src] }]);
      expect(planned.placements.map((p) => p.src)).toEqual([images[0]!.src, images[1]!.src, images[3]!.src]);
      expect(planned.placements[0]!.width / planned.placements[0]!.height).toBeCloseTo(1.5, 1);

      const built = await runCli(['build', file, '--json']);
      expect(built.code, built.stderr).toBe(0);
      expect(server.requests.map((r) => r.path).sort()).toEqual(['/q0.jpg', '/q1.jpg', '/q2.jpg', '/q3.jpg', '/q4.jpg']);
      expect(JSON.parse(built.stdout).calendar.duplicates).toEqual(planned.calendar!.duplicates);
      const pixels = await readPixels(await readFile(path.join(dir, 'out.png')));
      planned.placements.forEach((p) =>
        expect(colorDistance(pixels.at(p.x + Math.floor(p.width * 0.6), p.y + Math.floor(p.height * 0.7)), distinctColor(p.index))).toBeLessThanOrEqual(8),
      );
    } finally {
      await server.close();
    }
  });

  it('refuses bad calendar keys with their paths', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'm.json');
    await writeFile(
      file,
      JSON.stringify({
        size: { width: 400, height: 300 },
        layout: { type: 'calendar', from: '2024-02-30', to: '2023-01-01', weekStart: 'mon', locale: 'not a locale', labels: { dayNumber: false } },
        images: [{ src: 'a.jpg', date: '2024-13-01' }],
      }),
    );
    const result = await runCli(['validate', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/layout\.from: invalid date: "2024-02-30" is not a real date/);
    expect(result.stderr).toMatch(/layout\.weekStart: /);
    expect(result.stderr).toMatch(/layout\.locale: invalid locale/);
    expect(result.stderr).toMatch(/layout\.labels\.dayNumber: unknown key "dayNumber"; did you mean "dayNumbers"\?/);
    expect(result.stderr).toMatch(/images\[0\]\.date: invalid date/);

    // The JSON Schema editors use knows the calendar too.
    const schema = JSON.parse((await runCli(['schema'])).stdout);
    const check = new Ajv.default({ strict: false }).compile(schema);
    const good = {
      size: { width: '36in', height: '24in' },
      layout: {
        type: 'calendar',
        arrange: 'weeks',
        dateFrom: 'name',
        from: '2022-01-01',
        to: '2024-12-31',
        weekStart: 'sunday',
        locale: 'de',
        pick: 'largest',
        cellAspect: '4:3',
        missing: 'placeholder',
        missingColor: '#eee',
        labels: {
          font: 'Inter',
          color: '#222',
          labelColor: '#999',
          headingSize: '18pt',
          labelSize: '7pt',
          weekdays: false,
          dayNumbers: { size: '6pt', color: 'white', position: 'bottom-right' },
        },
      },
      images: ['IMG_20240307_1.jpg', { src: 'b.jpg', date: '2024-03-08' }],
    };
    expect(check(good), JSON.stringify(check.errors)).toBe(true);
    expect(check({ ...good, layout: { type: 'calendar', arrange: 'days' } })).toBe(false);
    expect(check({ ...good, images: [{ src: 'b.jpg', date: '8 March 2024' }] })).toBe(false);
    expect((await runCli(['validate', await writeJson(dir, 'good.json', good)])).code).toBe(0);
  });
});
