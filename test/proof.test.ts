/**
 * `collage proof`: a small preview with photos under the threshold outlined, the bleed faded,
 * the trim dashed and a legend strip. Checked by pixels at known spots of a small fixture.
 */
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { PROOF_OUTLINE } from '../src/proof/compose.js';
import { runCli } from './support/cli.js';
import { useTempDirs } from './support/files.js';
import { colorDistance, readPixels, solidImage, type Rgb } from './support/images.js';
import { readPngDensity } from './support/metadata.js';

const BLUE: Rgb = [20, 40, 200];
const GREEN: Rgb = [30, 170, 60];
const OUTLINE: Rgb = [PROOF_OUTLINE.r, PROOF_OUTLINE.g, PROOF_OUTLINE.b];

describe('collage proof', () => {
  const tempDir = useTempDirs();

  /**
   * A 4×2 in print at 300 dpi with 0.25 in bleed (1350×750 px), two 2×2 in cells: sharp.jpg
   * (1200 px, 600 dpi) and soft.jpg (150 px, 75 dpi). A 450 px proof is at 100 dpi: bleed 25 px,
   * cells 200×200 at x = 25 and 225.
   */
  async function fixture(extra: Record<string, unknown> = {}): Promise<string> {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'sharp.jpg'), await solidImage(BLUE, 1200, 1200));
    await writeFile(path.join(dir, 'soft.jpg'), await solidImage(GREEN, 150, 150));
    const manifest = {
      output: 'poster.jpg',
      size: { width: '4in', height: '2in', dpi: 300 },
      bleed: '0.25in',
      layout: { type: 'grid', columns: 2 },
      images: ['sharp.jpg', 'soft.jpg'],
      ...extra,
    };
    await writeFile(path.join(dir, 'order.json'), JSON.stringify(manifest));
    return dir;
  }

  it('outlines the photo under the threshold, tags it with its print dpi, fades the bleed and adds a legend', async () => {
    const dir = await fixture();
    const result = await runCli(['proof', 'order.json', '--long-edge', '450', '--json'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.output).toMatchObject({ path: path.join(dir, 'poster.proof.png'), format: 'png', width: 450, dpi: 100 });
    expect(report.output.height).toBeGreaterThan(250); // the legend strip under the page
    expect(report.print).toEqual({ width: 1350, height: 750, dpi: 300, widthIn: 4.5, heightIn: 2.5, bleedIn: 0.25 });
    // Judged at the print's size: 150 px in a 2 in cell.
    expect(report.images.lowResolution).toEqual([{ src: 'soft.jpg', index: 1, dpi: 75, cell: { x: 675, y: 75, width: 600, height: 600, widthIn: 2, heightIn: 2 } }]);
    // Only the proof is written (and never the print).
    expect((await readdir(dir)).sort()).toEqual(['order.json', 'poster.proof.png', 'sharp.jpg', 'soft.jpg']);

    const file = path.join(dir, 'poster.proof.png');
    const pixels = await readPixels(file);
    expect([pixels.width, pixels.height]).toEqual([450, report.output.height]);
    expect(readPngDensity(await readFile(file))).toEqual({ unit: 1, x: 3937, y: 3937 });
    // The soft photo's cell (x 225..424, y 25..224): its frame is the outline colour, its middle the photo.
    expect(pixels.at(225, 125)).toEqual(OUTLINE);
    expect(pixels.at(424, 125)).toEqual(OUTLINE);
    expect(pixels.at(325, 224)).toEqual(OUTLINE);
    expect(colorDistance(pixels.at(325, 180), GREEN)).toBeLessThanOrEqual(4);
    // The sharp photo is not outlined.
    expect(colorDistance(pixels.at(25, 125), BLUE)).toBeLessThanOrEqual(4);
    expect(colorDistance(pixels.at(125, 224), BLUE)).toBeLessThanOrEqual(4);
    // The bleed (extend: the photo continues) is faded 60 % toward white.
    const faded = BLUE.map((c) => Math.round(c * 0.4 + 255 * 0.6)) as Rgb;
    expect(colorDistance(pixels.at(5, 125), faded)).toBeLessThanOrEqual(4);
    // The legend strip, under the page.
    expect(pixels.at(445, report.output.height - 3)).toEqual([243, 243, 241]);
  });

  it('shows a sharp order as such, and writes JPEG when asked', async () => {
    const dir = await fixture({ preflight: { minDpi: 50 } });
    const result = await runCli(['proof', 'order.json', '--long-edge', '450', '-o', 'proof.jpg'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain('warning');
    const pixels = await readPixels(path.join(dir, 'proof.jpg'));
    expect((await sharp(path.join(dir, 'proof.jpg')).metadata()).format).toBe('jpeg');
    expect(colorDistance(pixels.at(325, 125), GREEN)).toBeLessThanOrEqual(8);
    expect(colorDistance(pixels.at(229, 30), GREEN)).toBeLessThanOrEqual(12); // no outline, no tag
  });

  it('lays out shape-aware pages from the same shapes as the print, and warns on stderr', async () => {
    const dir = await fixture({ layout: { type: 'justified' }, bleed: 0 });
    const result = await runCli(['proof', 'order.json', '--long-edge', '400'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^collage: warning: soft\.jpg prints at \d+ dpi in its [\d.]+×[\d.]+ in cell \(minimum 150\)$/m);
    const pixels = await readPixels(path.join(dir, 'poster.proof.png'));
    // Two equal squares side by side on a 2:1 page: the right one is outlined at its left edge.
    expect(pixels.at(200, 100)).toEqual(OUTLINE);
    expect(colorDistance(pixels.at(100, 100), BLUE)).toBeLessThanOrEqual(4);
  });
});
