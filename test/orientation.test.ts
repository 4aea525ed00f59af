/** All 8 EXIF orientations land upright: quadrant colours checked by pixel. */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { useTempDirs } from './support/files.js';
import { colorDistance, readPixels, type Rgb } from './support/images.js';

const RED: Rgb = [220, 30, 30];
const GREEN: Rgb = [30, 200, 30];
const BLUE: Rgb = [30, 30, 220];
const YELLOW: Rgb = [230, 220, 30];

/** 80×60 upright: red top-left, green top-right, blue bottom-left, yellow bottom-right. */
function uprightPixels(): Buffer {
  const width = 80;
  const height = 60;
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const color = y < height / 2 ? (x < width / 2 ? RED : GREEN) : x < width / 2 ? BLUE : YELLOW;
      pixels.set(color, (y * width + x) * 3);
    }
  }
  return pixels;
}

/** Stores the upright image so that applying EXIF `orientation` shows it upright again. */
async function storedWithOrientation(orientation: number): Promise<Buffer> {
  const step = async (input: Buffer, op: (s: Sharp) => Sharp) => op(sharp(input)).png().toBuffer();
  let image = await sharp(uprightPixels(), { raw: { width: 80, height: 60, channels: 3 } })
    .png()
    .toBuffer();
  // The inverse of each orientation's display transform (2, 4, 5, 7 are their own inverses).
  if (orientation === 2) image = await step(image, (s) => s.flop());
  if (orientation === 3) image = await step(image, (s) => s.rotate(180));
  if (orientation === 4) image = await step(image, (s) => s.flip());
  if (orientation === 5) image = await step(await step(image, (s) => s.rotate(90)), (s) => s.flop()); // transpose
  if (orientation === 6) image = await step(image, (s) => s.rotate(270));
  if (orientation === 7) image = await step(await step(image, (s) => s.rotate(90)), (s) => s.flip()); // transverse
  if (orientation === 8) image = await step(image, (s) => s.rotate(90));
  return sharp(image).withMetadata({ orientation }).jpeg({ quality: 95, chromaSubsampling: '4:4:4' }).toBuffer();
}

describe('EXIF orientation', () => {
  const tempDir = useTempDirs();

  it('applies all 8 orientations', async () => {
    const dir = await tempDir();
    const images: string[] = [];
    for (let orientation = 1; orientation <= 8; orientation++) {
      const bytes = await storedWithOrientation(orientation);
      expect((await sharp(bytes).metadata()).orientation).toBe(orientation);
      await writeFile(path.join(dir, `o${orientation}.jpg`), bytes);
      images.push(`o${orientation}.jpg`);
    }
    // 8 cells of 160×120 (the upright 4:3 aspect), so cover crops nothing.
    const manifest = { size: { width: 1280, height: 120 }, layout: { type: 'grid', columns: 8, rows: 1 }, output: 'out.png', images };
    await writeFile(path.join(dir, 'm.json'), JSON.stringify(manifest));
    const result = await runCli(['build', 'm.json', '-q'], { cwd: dir });
    expect(result).toMatchObject({ code: 0, stderr: '' });

    const pixels = await readPixels(await readFile(path.join(dir, 'out.png')));
    for (let i = 0; i < 8; i++) {
      const x0 = i * 160;
      const seen = [pixels.at(x0 + 40, 30), pixels.at(x0 + 120, 30), pixels.at(x0 + 40, 90), pixels.at(x0 + 120, 90)];
      [RED, GREEN, BLUE, YELLOW].forEach((expected, q) => {
        expect(colorDistance(seen[q]!, expected), `orientation ${i + 1}, quadrant ${q}: ${seen[q]}`).toBeLessThanOrEqual(12);
      });
    }
  });
});
