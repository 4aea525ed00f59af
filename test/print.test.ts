/** Bleed (mirror, extend, color), crop marks, and the PDF page boxes, checked on pixels and bytes. */
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { build, plan } from '../src/index.js';
import { useTempDirs } from './support/files.js';
import { colorDistance, readPixels, type Pixels } from './support/images.js';

const DPI = 100;
const BLEED = 25; // 0.25 in at 100 dpi
const W = 300; // 3 in
const H = 200; // 2 in

/** A photo with a diagonal gradient, so mirrored and continued pixels can be told apart. */
async function gradient(width: number, height: number): Promise<Buffer> {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set([(x * 255) / width, (y * 255) / height, ((x + y) * 255) / (width + height)], (y * width + x) * 3);
  return sharp(data, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

function same(a: Pixels, ax: number, ay: number, b: Pixels, bx: number, by: number): boolean {
  return colorDistance(a.at(ax, ay), b.at(bx, by)) === 0;
}

describe('bleed and print output', () => {
  const tempDir = useTempDirs();

  async function render(dir: string, extra: Record<string, unknown>, output = 'out.png'): Promise<Pixels> {
    const manifest = {
      size: { width: '3in', height: '2in', dpi: DPI },
      background: '#ffffff',
      layout: { type: 'grid', columns: 2 },
      images: ['a.png', 'b.png'],
      ...extra,
    };
    const report = await build(manifest, { output: path.join(dir, output), cwd: dir });
    expect([report.output.width, report.output.height]).toEqual([W + (extra.bleed ? 2 * BLEED : 0), H + (extra.bleed ? 2 * BLEED : 0)]);
    return output.endsWith('.png') ? readPixels(path.join(dir, output)) : (undefined as unknown as Pixels);
  }

  async function photos(dir: string): Promise<void> {
    // 3:1 photos in 150×200 cells: a cover crop keeps their middle, so real pixels lie beyond the cell edges.
    await writeFile(path.join(dir, 'a.png'), await gradient(600, 200));
    await writeFile(path.join(dir, 'b.png'), await gradient(200, 600));
  }

  it('mirror: the pixel d outside each trim edge equals the pixel d inside it; the trim area is unchanged', async () => {
    const dir = await tempDir();
    await photos(dir);
    const trim = await render(dir, {});
    const out = await render(dir, { bleed: { size: '0.25in', mode: 'mirror' } }, 'mirror.png');
    expect([out.width, out.height]).toEqual([350, 250]);
    let checked = 0;
    for (let d = 0; d < BLEED; d++) {
      for (let t = 0; t < H; t += 7) {
        const y = BLEED + t;
        expect(same(out, BLEED - 1 - d, y, out, BLEED + d, y), `left d=${d} y=${y}`).toBe(true);
        expect(same(out, BLEED + W + d, y, out, BLEED + W - 1 - d, y), `right d=${d}`).toBe(true);
        checked += 2;
      }
      for (let t = 0; t < W; t += 7) {
        const x = BLEED + t;
        expect(same(out, x, BLEED - 1 - d, out, x, BLEED + d), `top d=${d} x=${x}`).toBe(true);
        expect(same(out, x, BLEED + H + d, out, x, BLEED + H - 1 - d), `bottom d=${d}`).toBe(true);
        checked += 2;
      }
      expect(same(out, BLEED - 1 - d, BLEED - 1 - d, out, BLEED + d, BLEED + d), `corner d=${d}`).toBe(true);
    }
    expect(checked).toBeGreaterThan(3000);
    for (let y = 0; y < H; y += 5) for (let x = 0; x < W; x += 5) expect(same(out, BLEED + x, BLEED + y, trim, x, y)).toBe(true);
  });

  it('extend: edge photos continue into the bleed with their own (previously cropped) pixels; the trim area is unchanged', async () => {
    const dir = await tempDir();
    await photos(dir);
    const trim = await render(dir, {});
    const out = await render(dir, { bleed: '0.25in' }, 'extend.png');
    for (let y = 0; y < H; y += 5) for (let x = 0; x < W; x += 5) expect(same(out, BLEED + x, BLEED + y, trim, x, y)).toBe(true);
    // Photo a (600×200, cover in 150×200 → 600×200 scaled, middle 150 kept): the left bleed shows
    // the 25 columns of the photo just left of the crop, i.e. the same photo re-sampled wider.
    const wide = await readPixels(
      await sharp(await readFile(path.join(dir, 'a.png')))
        .resize(600, 200, { kernel: 'lanczos3' })
        .extract({ left: 225 - BLEED, top: 0, width: 150 + BLEED, height: 200 })
        .png()
        .toBuffer(),
    );
    let close = 0;
    for (let y = 10; y < H; y += 10) for (let x = 0; x < BLEED; x += 3) if (colorDistance(out.at(x, BLEED + y), wide.at(x, y)) <= 3) close++;
    expect(close).toBeGreaterThan(0.9 * 19 * 9);
    // It is not a mirror: a continued gradient differs from its reflection.
    expect(colorDistance(out.at(0, 100), out.at(2 * BLEED - 1, 100))).toBeGreaterThan(10);
    // The top bleed over photo a continues it too (here the photo runs out, so its edge is mirrored).
    expect(colorDistance(out.at(BLEED + 75, 0), [255, 255, 255])).toBeGreaterThan(10);
  });

  it('color: the bleed is background only', async () => {
    const dir = await tempDir();
    await photos(dir);
    const out = await render(dir, { bleed: { size: '0.25in', mode: 'color' }, background: '#123456' }, 'color.png');
    for (let x = 0; x < out.width; x += 4) {
      expect(out.at(x, 3)).toEqual([0x12, 0x34, 0x56]);
      expect(out.at(x, out.height - 4)).toEqual([0x12, 0x34, 0x56]);
    }
  });

  it('crop marks are drawn only in the bleed', async () => {
    const dir = await tempDir();
    await photos(dir);
    const plain = await render(dir, { bleed: { size: '0.25in', mode: 'color' } }, 'plain.png');
    const marked = await render(dir, { bleed: { size: '0.25in', mode: 'color' }, cropMarks: true }, 'marked.png');
    let inBleed = 0;
    for (let y = 0; y < marked.height; y++) {
      for (let x = 0; x < marked.width; x++) {
        if (same(plain, x, y, marked, x, y)) continue;
        const inside = x >= BLEED && x < BLEED + W && y >= BLEED && y < BLEED + H;
        expect(inside, `mark pixel at ${x},${y} inside the trim box`).toBe(false);
        inBleed++;
      }
    }
    expect(inBleed).toBeGreaterThan(8 * 10);
    // A mark on the left trim line, above the page.
    expect(marked.at(BLEED, 5)).toEqual([0, 0, 0]);
  });

  it('plan reports the output size, the trim box and placements in output pixels', async () => {
    const result = await plan({ size: { width: '3in', height: '2in', dpi: DPI }, bleed: '0.25in', cropMarks: true, images: ['a.png', 'b.png'] }, { output: 'x.png' });
    expect(result.canvas).toMatchObject({ width: 350, height: 250 });
    expect(result.trim).toEqual({ x: 25, y: 25, width: 300, height: 200 });
    expect(result.placements[0]).toMatchObject({ x: 25, y: 25 });
  });

  it('rejects cropMarks without a bleed, and names bleed keys', async () => {
    await expect(plan({ size: { width: 100, height: 100 }, cropMarks: true, images: ['a.png'] }, { output: 'x.png' })).rejects.toThrow(
      /cropMarks: crop marks are drawn in the bleed/,
    );
    await expect(plan({ size: { width: 100, height: 100 }, bleed: { size: 10, mod: 'mirror' }, images: ['a.png'] }, { output: 'x.png' })).rejects.toThrow(
      /bleed\.mod: unknown key "mod"; did you mean "mode"\?/,
    );
  });

  it('PDF: one page, MediaBox = trim + bleed, TrimBox and BleedBox exact in points; poppler opens it at that size', async () => {
    const dir = await tempDir();
    await photos(dir);
    await render(dir, { bleed: { size: '0.25in', mode: 'mirror' } }, 'mirror.png');
    await render(dir, { bleed: { size: '0.25in', mode: 'mirror' } }, 'out.pdf');
    const pdf = await readFile(path.join(dir, 'out.pdf'));
    const text = pdf.toString('latin1');
    const box = (name: string) => {
      const match = new RegExp(`/${name}\\s*\\[\\s*([-\\d.\\s]+)\\]`).exec(text);
      return match![1]!.trim().split(/\s+/).map(Number);
    };
    // 3.5 × 2.5 in page = 252 × 180 pt; 0.25 in bleed = 18 pt.
    expect(box('MediaBox')).toEqual([0, 0, 252, 180]);
    expect(box('BleedBox')).toEqual([0, 0, 252, 180]);
    expect(box('TrimBox')).toEqual([18, 18, 234, 162]);
    expect(text.match(/\/Type\s*\/Page\b/g)).toHaveLength(1);
    expect(text).toMatch(/\/ICCBased/);
    expect(text).toMatch(/\/OutputIntents/);
    expect(text).not.toMatch(/CreationDate|ModDate/);

    const info = execFileSync('pdfinfo', ['-box', path.join(dir, 'out.pdf')], { encoding: 'utf8' });
    expect(info).toMatch(/Pages:\s+1/);
    expect(info).toMatch(/Page size:\s+252 x 180 pts/);
    expect(info).toMatch(/TrimBox:\s+18\.00\s+18\.00\s+234\.00\s+162\.00/);
    // Rendered at the file's DPI, the page is the poster, pixel for pixel away from hard edges.
    execFileSync('pdftoppm', ['-r', String(DPI), '-png', '-singlefile', path.join(dir, 'out.pdf'), path.join(dir, 'page')]);
    const page = await readPixels(path.join(dir, 'page.png'));
    const poster = await readPixels(path.join(dir, 'mirror.png'));
    expect([page.width, page.height]).toEqual([350, 250]);
    let worst = 0;
    for (let y = 10; y < 240; y += 9) for (let x = 10; x < 340; x += 9) worst = Math.max(worst, colorDistance(page.at(x, y), poster.at(x, y)));
    expect(worst).toBeLessThanOrEqual(8);
  });
});
