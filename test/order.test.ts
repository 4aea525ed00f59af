/** order: manifest, date (EXIF DateTimeOriginal, undated after, as listed) and shuffle with a seed. */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { beforeEach, describe, expect, it } from 'vitest';
import { build, plan } from '../src/index.js';
import { shuffle, sortByDate } from '../src/layout/order.js';
import { runCli } from './support/cli.js';
import { useTempDirs } from './support/files.js';
import { colorDistance, distinctColor, readPixels } from './support/images.js';

/** Capture times written into photos 0..4 (photo 3 has none). */
const TAKEN = ['2021:05:03 10:00:00', '2020:01:01 08:30:00', '2021:05:03 09:59:59', null, '2019:12:31 23:59:59'];

async function photo(i: number, taken: string | null): Promise<Buffer> {
  const [r, g, b] = distinctColor(i);
  let image = sharp({ create: { width: 300, height: 200, channels: 3, background: { r, g, b } } });
  if (taken) image = image.withExif({ IFD0: { Make: 'collage-test' }, IFD2: { DateTimeOriginal: taken } });
  return image.jpeg({ quality: 95, chromaSubsampling: '4:4:4' }).toBuffer();
}

describe('order', () => {
  const tempDir = useTempDirs();
  let dir: string;
  const images = TAKEN.map((_, i) => `p${i}.jpg`);

  beforeEach(async () => {
    dir = await tempDir();
    for (const [i, taken] of TAKEN.entries()) await writeFile(path.join(dir, `p${i}.jpg`), await photo(i, taken));
  });

  const manifest = (extra: Record<string, unknown>) => ({ size: { width: 500, height: 100 }, layout: { type: 'grid', columns: 5, rows: 1 }, images, ...extra });
  const order = async (extra: Record<string, unknown>) => (await plan(manifest(extra), { output: 'x.png', cwd: dir })).placements.map((p) => p.index);

  it('date: photos take the cells by EXIF capture time; an undated photo comes after, in manifest order', async () => {
    expect(await order({})).toEqual([0, 1, 2, 3, 4]);
    expect(await order({ order: 'manifest' })).toEqual([0, 1, 2, 3, 4]);
    expect(await order({ order: 'date' })).toEqual([4, 1, 2, 0, 3]);
    expect(await order({ order: { type: 'date' }, layout: { type: 'justified' } })).toEqual([4, 1, 2, 0, 3]);

    const output = path.join(dir, 'date.png');
    await build(manifest({ order: 'date' }), { output, cwd: dir });
    const pixels = await readPixels(await readFile(output));
    [4, 1, 2, 0, 3].forEach((index, cell) => {
      expect(colorDistance(pixels.at(cell * 100 + 50, 50), distinctColor(index)), `cell ${cell}`).toBeLessThanOrEqual(6);
    });
  });

  it('shuffle: the same seed gives the same bytes, a different seed a different layout', async () => {
    const one = await order({ order: { type: 'shuffle', seed: 1 } });
    expect([...one].sort()).toEqual([0, 1, 2, 3, 4]);
    expect(await order({ order: 'shuffle', seed: 1 })).toEqual(one);
    const seeds = await Promise.all([2, 3, 4].map((seed) => order({ order: { type: 'shuffle', seed } })));
    expect(seeds.some((other) => other.join() !== one.join())).toBe(true);
    expect(seeds.find((other) => other.join() !== one.join())).not.toEqual(one);

    const file = path.join(dir, 'm.json');
    await writeFile(file, JSON.stringify(manifest({ order: { type: 'shuffle', seed: 1 } })));
    const a = await runCli(['build', file, '-o', 'a.png'], { cwd: dir });
    const b = await runCli(['build', file, '-o', 'b.png'], { cwd: dir });
    expect([a.code, b.code]).toEqual([0, 0]);
    expect((await readFile(path.join(dir, 'a.png'))).equals(await readFile(path.join(dir, 'b.png')))).toBe(true);
    const pixels = await readPixels(await readFile(path.join(dir, 'a.png')));
    one.forEach((index, cell) => expect(colorDistance(pixels.at(cell * 100 + 50, 50), distinctColor(index))).toBeLessThanOrEqual(6));
    const other = seeds.find((s) => s.join() !== one.join())!;
    const seed = [2, 3, 4][seeds.indexOf(other)]!;
    await writeFile(file, JSON.stringify(manifest({ order: { type: 'shuffle', seed } })));
    expect((await runCli(['build', file, '-o', 'c.png'], { cwd: dir })).code).toBe(0);
    expect((await readFile(path.join(dir, 'c.png'))).equals(await readFile(path.join(dir, 'a.png')))).toBe(false);
  });

  it('rejects an unknown order with its path', async () => {
    const file = path.join(dir, 'bad.json');
    await writeFile(file, JSON.stringify(manifest({ order: 'alphabetical' })));
    const bad = await runCli(['validate', file]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/order: invalid order: expected "manifest", "date", "shuffle"/);
  });
});

describe('order (pure)', () => {
  it('sortByDate is stable and puts undated items last, as listed', () => {
    const items = [{ t: 5 }, { t: null }, { t: 1 }, { t: 5 }, { t: null }, { t: 0 }];
    expect(sortByDate(items, (i) => i.t).map((i) => items.indexOf(i))).toEqual([5, 2, 0, 3, 1, 4]);
  });

  it('shuffle is a seeded permutation', () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    expect(shuffle(items, 7)).toEqual(shuffle(items, 7));
    expect(shuffle(items, 7)).not.toEqual(shuffle(items, 8));
    expect([...shuffle(items, 7)].sort((a, b) => a - b)).toEqual(items);
    expect(items[0]).toBe(0);
  });
});
