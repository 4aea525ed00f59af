/** Looks: circle, rounded corners, border, shadow and captions, checked pixel by pixel in real output. */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { build, plan, loadManifest, ManifestError } from '../src/index.js';
import { useTempDirs } from './support/files.js';
import { colorDistance, readPixels, solidImage, type Pixels, type Rgb } from './support/images.js';

const BACKGROUND: Rgb = [240, 240, 240];
const PHOTO: Rgb = [40, 90, 200];
const OTHER: Rgb = [200, 60, 60];

interface Cell {
  x: number;
  y: number;
  width: number;
  height: number;
}

describe('looks', () => {
  const tempDir = useTempDirs();
  let dir: string;

  beforeEach(async () => {
    dir = await tempDir();
    await writeFile(path.join(dir, 'a.jpg'), await solidImage(PHOTO, 400, 300));
    await writeFile(path.join(dir, 'b.jpg'), await solidImage(OTHER, 400, 300));
  });

  /** Two cells side by side, 170×160 px, 30 px apart; renders and returns the pixels and cells. */
  async function render(extra: Record<string, unknown>, images: unknown[] = ['a.jpg', 'b.jpg'], name = 'out.png'): Promise<{ pixels: Pixels; cells: Cell[]; file: string }> {
    const manifest = { size: { width: 420, height: 220 }, margin: 30, gap: 30, background: 'rgb(240, 240, 240)', layout: { type: 'grid', columns: 2 }, images, ...extra };
    const file = path.join(dir, name);
    await build(manifest, { output: file, cwd: dir });
    const placed = await plan(manifest, { output: file, cwd: dir });
    return { pixels: await readPixels(await readFile(file)), cells: placed.placements, file };
  }

  /** Cells with an even width and height, so centres are whole pixels. */
  const whole = (c: Cell): Cell => ({ ...c, width: c.width - (c.width % 2), height: c.height - (c.height % 2) });
  const near = (a: Rgb, b: Rgb, tolerance = 8) => colorDistance(a, b) <= tolerance;

  it('circle: the cell corners are background, the centre and the inscribed circle are photo', async () => {
    const { pixels, cells } = await render({ style: { shape: 'circle' } });
    const c = cells[0]!;
    expect([c.width, c.height]).toEqual([165, 160]);
    const cx = c.x + c.width / 2;
    const cy = c.y + c.height / 2;
    for (const [x, y] of [
      [c.x + 2, c.y + 2],
      [c.x + c.width - 3, c.y + 2],
      [c.x + 2, c.y + c.height - 3],
      [c.x + c.width - 3, c.y + c.height - 3],
    ]) {
      expect(pixels.at(x!, y!), `corner ${x},${y}`).toEqual(BACKGROUND);
    }
    expect(near(pixels.at(Math.floor(cx), Math.floor(cy)), PHOTO)).toBe(true);
    // Just inside the circle on each axis (radius 80) is photo; just outside the diagonal is not.
    for (const [x, y] of [
      [cx - 76, cy],
      [cx + 75, cy],
      [cx, cy - 76],
      [cx, cy + 75],
    ])
      expect(near(pixels.at(Math.floor(x!), Math.floor(y!)), PHOTO), `${x},${y}`).toBe(true);
    expect(pixels.at(Math.floor(cx + 60), Math.floor(cy + 60))).toEqual(BACKGROUND);
  });

  it('radius: a corner pixel is background while a pixel just inside the straight edge is photo', async () => {
    const { pixels, cells } = await render({ style: { radius: '20px' } });
    for (const c of cells.map(whole).slice(0, 1)) {
      expect(pixels.at(c.x + 1, c.y + 1)).toEqual(BACKGROUND);
      expect(pixels.at(c.x + c.width - 2, c.y + c.height - 2)).toEqual(BACKGROUND);
      expect(near(pixels.at(c.x + 1, c.y + c.height / 2), PHOTO)).toBe(true);
      expect(near(pixels.at(c.x + c.width / 2, c.y + 1), PHOTO)).toBe(true);
      expect(near(pixels.at(c.x + c.width - 2, c.y + c.height / 2), PHOTO)).toBe(true);
      // The arc: 20 px radius leaves (6, 6) inside it.
      expect(near(pixels.at(c.x + 7, c.y + 7), PHOTO)).toBe(true);
    }
  });

  it('border: pixels along every edge have the border colour, inside is photo, outside background', async () => {
    const { pixels, cells } = await render({ style: { border: { width: 6, color: '#00ff00' } } });
    const c = cells[0]!;
    const green: Rgb = [0, 255, 0];
    for (const [x, y] of [
      [c.x + 2, c.y + 80],
      [c.x + c.width - 3, c.y + 80],
      [c.x + 80, c.y + 2],
      [c.x + 80, c.y + c.height - 3],
      [c.x, c.y],
      [c.x + 5, c.y + 5],
    ]) {
      expect(near(pixels.at(x!, y!), green), `${x},${y}`).toBe(true);
    }
    expect(near(pixels.at(c.x + 8, c.y + 80), PHOTO)).toBe(true);
    expect(pixels.at(c.x - 1, c.y + 80)).toEqual(BACKGROUND);
    // A length alone is a white border.
    const plain = await render({ style: { border: '2mm' }, size: { width: 420, height: 220, dpi: 254 } }, ['a.jpg', 'b.jpg'], 'white.png');
    const p = plain.cells[0]!;
    expect(plain.pixels.at(p.x + 19, p.y + 80)).toEqual([255, 255, 255]);
    expect(near(plain.pixels.at(p.x + 21, p.y + 80), PHOTO)).toBe(true);
  });

  it('shadow darkens the background on the offset side only, within half the gap', async () => {
    const { pixels, cells } = await render({ style: { shadow: { offset: [8, 8], blur: 2, color: 'rgba(0,0,0,0.6)' } } });
    const c = whole(cells[0]!);
    const dark = (rgb: Rgb) => rgb[0] < BACKGROUND[0] - 40;
    expect(dark(pixels.at(c.x + c.width + 4, c.y + c.height / 2)), 'right').toBe(true);
    expect(dark(pixels.at(c.x + c.width / 2, c.y + c.height + 4)), 'below').toBe(true);
    expect(pixels.at(c.x - 4, c.y + c.height / 2), 'left').toEqual(BACKGROUND);
    expect(pixels.at(c.x + c.width / 2, c.y - 4), 'above').toEqual(BACKGROUND);
    // Never past half the gap (15 px): the neighbour's side of the gap is untouched.
    expect(pixels.at(c.x + c.width + 16, c.y + c.height / 2)).toEqual(BACKGROUND);
    expect(near(pixels.at(c.x + c.width / 2, c.y + c.height / 2), PHOTO)).toBe(true);
  });

  it('is deterministic: the same manifest twice gives the same bytes, whatever order the photos arrive in', async () => {
    const style = { shadow: { offset: [12, 12], blur: 10 }, radius: 12, caption: { size: 14 } };
    const images = [
      { src: 'a.jpg', caption: 'One' },
      { src: 'b.jpg', caption: 'Two' },
    ];
    const first = await render({ style, gap: 4 }, images, 'one.png');
    const second = await render({ style, gap: 4 }, images, 'two.png');
    expect((await readFile(first.file)).equals(await readFile(second.file))).toBe(true);
  });

  describe('captions', () => {
    /** Pixels that differ between two renders, as [x, y]. */
    function changed(a: Pixels, b: Pixels): [number, number][] {
      const out: [number, number][] = [];
      for (let y = 0; y < a.height; y++) for (let x = 0; x < a.width; x++) if (colorDistance(a.at(x, y), b.at(x, y)) > 0) out.push([x, y]);
      return out;
    }
    const inside = (c: Cell, [x, y]: [number, number]) => x >= c.x && x < c.x + c.width && y >= c.y && y < c.y + c.height;

    for (const position of ['bottom', 'top', 'below'] as const) {
      it(`${position}: text draws ink inside the cell and nothing outside it, even when far too long`, async () => {
        const style = { caption: { position, size: 16, color: '#ffff00', background: false } };
        const long = 'Supercalifragilisticexpialidocious-and-then-some words words words words words words words words words';
        const without = await render({ style }, ['a.jpg', 'b.jpg'], 'plain.png');
        const withCaption = await render(
          { style },
          [
            { src: 'a.jpg', caption: long },
            { src: 'b.jpg', caption: 'Day 2' },
          ],
          'captioned.png',
        );
        const diff = changed(without.pixels, withCaption.pixels);
        const [c0, c1] = withCaption.cells as [Cell, Cell];
        expect(diff.filter((p) => !inside(c0, p) && !inside(c1, p))).toEqual([]);
        // Yellow ink (not the photo's colour) inside each cell.
        const ink = (c: Cell) => diff.filter((p) => inside(c, p) && withCaption.pixels.at(p[0], p[1])[0] > 150 && withCaption.pixels.at(p[0], p[1])[1] > 150).length;
        expect(ink(c0)).toBeGreaterThan(80);
        expect(ink(c1)).toBeGreaterThan(40);
        if (position === 'below') {
          // The photo is shortened: the bottom rows of the cell are no longer photo.
          expect(near(withCaption.pixels.at(c0.x + 2, c0.y + c0.height - 2), PHOTO)).toBe(false);
          expect(near(withCaption.pixels.at(c0.x + 2, c0.y + 2), PHOTO)).toBe(true);
        }
      });
    }

    it('stays inside a circle cell and over a band by default', async () => {
      const images = [{ src: 'a.jpg', caption: 'A caption much wider than the circle it sits in, twice over' }, 'b.jpg'];
      const style = { shape: 'circle', caption: { size: '10px' } };
      const without = await render({ style }, ['a.jpg', 'b.jpg'], 'plain.png');
      const withCaption = await render({ style }, images, 'captioned.png');
      const c = withCaption.cells[0]!;
      const diff = changed(without.pixels, withCaption.pixels);
      expect(diff.length).toBeGreaterThan(100);
      const cx = c.x + c.width / 2;
      const cy = c.y + c.height / 2;
      expect(diff.filter(([x, y]) => Math.hypot(x + 0.5 - cx, y + 0.5 - cy) > 81)).toEqual([]);
    });
  });

  it('per-image style overrides the manifest style; plain cells keep the plain path', async () => {
    const { pixels, cells } = await render({ style: { shape: 'circle', border: { width: 4, color: 'black' } } }, [
      'a.jpg',
      { src: 'b.jpg', style: { shape: 'rect', border: false } },
    ]);
    const [a, b] = cells as [Cell, Cell];
    expect(pixels.at(a.x + 1, a.y + 1)).toEqual(BACKGROUND);
    expect(near(pixels.at(b.x + 1, b.y + 1), OTHER)).toBe(true);
    const spec = await loadManifest({ size: { width: 100, height: 100 }, style: { radius: 0 }, images: ['a.jpg', { src: 'b.jpg', caption: ' ' }] }, { output: 'x.png' });
    expect(spec.images.map((image) => image.look)).toEqual([undefined, undefined]);
  });

  it('validates looks with paths and suggestions', async () => {
    const problems = async (manifest: Record<string, unknown>) => {
      try {
        await loadManifest({ size: { width: 100, height: 100 }, ...manifest }, { output: 'x.png' });
        return [];
      } catch (error) {
        if (error instanceof ManifestError) return error.problems.map((p) => `${p.path}: ${p.message}`);
        throw error;
      }
    };
    expect(await problems({ style: { bordr: 2 }, images: ['a.jpg'] })).toEqual(['style.bordr: unknown key "bordr"; did you mean "border"?']);
    expect(await problems({ images: [{ src: 'a.jpg', style: { shadow: { blurr: 2 } } }] })).toEqual(['images[0].style.shadow.blurr: unknown key "blurr"; did you mean "blur"?']);
    expect(await problems({ style: { caption: { font: 'No Such Font' } }, images: ['a.jpg'] })).toEqual([
      'style.caption.font: font "No Such Font" is not installed; use a bundled one (Inter, Noto Sans Arabic, Noto Sans Hebrew, Noto Sans Devanagari, Noto Sans Thai, Noto Color Emoji), add its file to "fonts", or install it',
    ]);
    expect(await problems({ style: { shape: 'star', radius: '3 furlongs' }, images: ['a.jpg'] })).toHaveLength(2);
    expect(await problems({ style: { caption: { position: 'left' } }, images: [{ src: 'a.jpg', caption: 7 }] })).toHaveLength(2);
  });
});
