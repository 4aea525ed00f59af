/** focus "auto": a face-like (skin-tone, detailed) region off-centre stays in the cover crop; the centre default cuts it off. */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { build, plan } from '../src/index.js';
import { useTempDirs } from './support/files.js';
import { rawImage, readPixels, type Pixels } from './support/images.js';

const WIDTH = 900;
const HEIGHT = 300;
const BLOB = { x: 780, y: 150, r: 70 };

/** A flat, dull background with a textured skin-tone disc near the right edge. */
async function portrait(): Promise<Buffer> {
  const pixels = Buffer.alloc(WIDTH * HEIGHT * 3);
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      const i = (y * WIDTH + x) * 3;
      const inBlob = (x - BLOB.x) ** 2 + (y - BLOB.y) ** 2 < BLOB.r ** 2;
      const detail = ((x >> 2) + (y >> 2)) % 2 === 0 ? 0 : 30;
      const [r, g, b] = inBlob ? [225 - detail, 172 - detail, 140 - detail] : [96, 104, 100];
      pixels[i] = r;
      pixels[i + 1] = g;
      pixels[i + 2] = b;
    }
  }
  return rawImage(pixels, WIDTH, HEIGHT, 'jpeg');
}

/** Skin-tone pixels (red well above blue, warm) in a box. */
function skinPixels(pixels: Pixels, box: { x: number; y: number; width: number; height: number }): number {
  let count = 0;
  for (let y = box.y; y < box.y + box.height; y++) {
    for (let x = box.x; x < box.x + box.width; x++) {
      const [r, g, b] = pixels.at(x, y);
      if (r > 150 && r - b > 50 && g > 100) count++;
    }
  }
  return count;
}

describe('focus auto', () => {
  const tempDir = useTempDirs();
  let dir: string;

  beforeEach(async () => {
    dir = await tempDir();
    await writeFile(path.join(dir, 'p.jpg'), await portrait());
  });

  async function render(manifest: Record<string, unknown>): Promise<{ pixels: Pixels; box: { x: number; y: number; width: number; height: number } }> {
    const full = { size: { width: 200, height: 200 }, layout: { type: 'grid', columns: 1, fit: 'cover' }, ...manifest };
    const output = path.join(dir, 'out.png');
    await build(full, { output, cwd: dir });
    const placed = await plan(full, { output, cwd: dir });
    return { pixels: await readPixels(await readFile(output)), box: placed.placements[0]! };
  }

  it('keeps the salient region inside the cover crop; the centre default crops it out', async () => {
    const centre = await render({ images: ['p.jpg'] });
    expect(skinPixels(centre.pixels, centre.box)).toBe(0);

    const auto = await render({ images: [{ src: 'p.jpg', focus: 'auto' }] });
    // The disc is 140 px across in a 300 px tall photo shown 200 px tall: ~93 px across, ~6,800 px² (half of it textured darker).
    expect(skinPixels(auto.pixels, auto.box)).toBeGreaterThan(2500);
    // The whole disc is inside: no skin at the cell's right edge column would mean it is cut.
    const [r, g, b] = auto.pixels.at(auto.box.x + Math.round(((BLOB.x - 600) * 200) / 300), 100);
    expect(r - b).toBeGreaterThan(50);
    expect(g).toBeGreaterThan(100);
  });

  it('applies to every image from the top level; an image\'s own focus wins; plan says "auto"', async () => {
    const all = await render({ focus: 'auto', images: ['p.jpg'] });
    expect(skinPixels(all.pixels, all.box)).toBeGreaterThan(2500);
    const own = await render({ focus: 'auto', images: [{ src: 'p.jpg', focus: [0.5, 0.5] }] });
    expect(skinPixels(own.pixels, own.box)).toBe(0);
    const placed = await plan({ size: { width: 200, height: 200 }, focus: 'auto', images: ['p.jpg'] }, { output: 'x.png', cwd: dir });
    expect(placed.placements[0]!.focus).toBe('auto');
  });
});
