/** Captions below the photos: photos side by side keep one height, the strip is the row's tallest caption. */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { build, plan } from '../src/index.js';
import { useTempDirs } from './support/files.js';
import { colorDistance, readPixels, solidImage, type Pixels, type Rgb } from './support/images.js';

const BACKGROUND: Rgb = [250, 250, 250];
const COLOURS: Rgb[] = [
  [200, 40, 40],
  [40, 160, 60],
  [40, 80, 200],
];

interface Cell {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The last pixel row, scanning down the cell's centre column, that is still the photo's colour. */
function photoBottom(pixels: Pixels, cell: Cell, colour: Rgb): number {
  const x = cell.x + Math.floor(cell.width / 2);
  let bottom = -1;
  for (let y = cell.y; y < cell.y + cell.height; y++) if (colorDistance(pixels.at(x, y), colour) <= 12) bottom = y;
  return bottom;
}

describe('caption position "below"', () => {
  const tempDir = useTempDirs();
  let dir: string;

  beforeEach(async () => {
    dir = await tempDir();
    for (const [i, colour] of COLOURS.entries()) await writeFile(path.join(dir, `p${i}.jpg`), await solidImage(colour, 400, 300));
  });

  it('ends every photo of a justified row on the same pixel row when captions run to 1 and 2 lines', async () => {
    const images = [{ src: 'p0.jpg', caption: 'Day 1' }, { src: 'p1.jpg', caption: 'A longer caption that has to wrap onto a second line here' }, { src: 'p2.jpg' }];
    const manifest = {
      size: { width: 1240, height: 400 },
      margin: 10,
      gap: 10,
      background: 'rgb(250, 250, 250)',
      layout: { type: 'justified' },
      style: { caption: { position: 'below', size: 20, maxLines: 2 } },
      images,
    };
    const output = path.join(dir, 'row.png');
    await build(manifest, { output, cwd: dir });
    const { placements } = await plan(manifest, { output, cwd: dir });
    // One row: the three cells share their top and height.
    expect(new Set(placements.map((p) => `${p.y}:${p.height}`)).size).toBe(1);
    const pixels = await readPixels(await readFile(output));
    const bottoms = placements.map((p) => photoBottom(pixels, p, COLOURS[p.index]!));
    const cell = placements[0]!;
    // A two-line strip (20 px type, 1.25 line height, 8 px padding each side: 66 px) under every photo.
    expect(bottoms.every((b) => b === bottoms[0])).toBe(true);
    expect(cell.y + cell.height - 1 - bottoms[0]!).toBeGreaterThanOrEqual(60);
    // Below the photo without a caption: background all the way down.
    const bare = placements[2]!;
    for (let y = bottoms[0]! + 1; y < bare.y + bare.height; y++) expect(pixels.at(bare.x + Math.floor(bare.width / 2), y)).toEqual(BACKGROUND);
    // Ink of the one-line caption starts right under its photo, as the two-line one does.
    const ink = (p: Cell) => {
      for (let y = bottoms[0]! + 1; y < p.y + p.height; y++) {
        for (let x = p.x; x < p.x + p.width; x++) if (colorDistance(pixels.at(x, y), BACKGROUND) > 60) return y;
      }
      return -1;
    };
    const first = ink(placements[0]!);
    const second = ink(placements[1]!);
    expect(first).toBeGreaterThan(bottoms[0]!);
    expect(Math.abs(first - second)).toBeLessThanOrEqual(3);
  });
});
