/** Aspect-aware layouts end to end: headers fetched first, boxes follow the photos, pixels land in them. */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { useTempDirs } from './support/files.js';
import { colorDistance, distinctColor, readPixels, solidImage } from './support/images.js';
import { serveFiles, startServer, type TestServer } from './support/server.js';

const SHAPES: [number, number][] = [
  [400, 300],
  [300, 400],
  [300, 300],
  [450, 300],
  [400, 300],
  [300, 450],
  [400, 300],
  [400, 300],
  [300, 400],
  [600, 300],
  [400, 300],
  [300, 300],
];

describe('justified, masonry and mosaic layouts', () => {
  const tempDir = useTempDirs();
  let server: TestServer;

  beforeAll(async () => {
    const files = new Map<string, Buffer>();
    for (const [i, [w, h]] of SHAPES.entries()) files.set(`/p${i}.jpg`, await solidImage(distinctColor(i), w, h));
    server = await startServer(serveFiles(files));
  });
  afterAll(() => server.close());

  async function manifest(dir: string, layout: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<string> {
    const file = path.join(dir, 'm.json');
    const images = SHAPES.map((_, i) => `${server.url}/p${i}.jpg`);
    await writeFile(file, JSON.stringify({ size: { width: 1200, height: 800 }, margin: 10, gap: 6, layout, images, ...extra }));
    return file;
  }

  for (const type of ['justified', 'masonry', 'mosaic'] as const) {
    it(`${type}: plan reports crops and coverage; build paints each photo in its box`, async () => {
      const dir = await tempDir();
      const file = await manifest(dir, { type });
      const planned = await runCli(['plan', file]);
      expect(planned.code, planned.stderr).toBe(0);
      const plan = JSON.parse(planned.stdout);
      expect(plan.layout.type).toBe(type);
      expect(plan.placements).toHaveLength(SHAPES.length);
      expect(plan.metrics.maxCrop).toBeLessThan(25);
      for (const p of plan.placements) {
        expect(p.x).toBeGreaterThanOrEqual(10);
        expect(p.y).toBeGreaterThanOrEqual(10);
        expect(p.x + p.width).toBeLessThanOrEqual(1190);
        expect(p.y + p.height).toBeLessThanOrEqual(790);
        expect(p.crop).toBeGreaterThanOrEqual(0);
      }

      const built = await runCli(['build', file, '-o', 'out.png', '--json'], { cwd: dir });
      expect(built.code, built.stderr).toBe(0);
      const pixels = await readPixels(await readFile(path.join(dir, 'out.png')));
      for (const p of plan.placements) {
        const centre = pixels.at(p.x + Math.floor(p.width / 2), p.y + Math.floor(p.height / 2));
        expect(colorDistance(centre, distinctColor(p.index)), `${type} photo ${p.index}`).toBeLessThanOrEqual(6);
      }
    });
  }

  it('grid: a derived shape has no empty cell and needs no header (plan reads them for dpi); given columns report their empty cells', async () => {
    const dir = await tempDir();
    const before = server.requests.length;
    const derived = JSON.parse((await runCli(['plan', await manifest(dir, { type: 'grid' })])).stdout);
    // The layout needs no header; plan reads the photos' headers only for their dpi (a range first).
    expect(server.requests.length).toBeGreaterThan(before);
    for (const p of derived.placements) expect(p.dpi).toBeGreaterThan(0);
    expect(derived.layout.emptyCells).toBe(0);
    // Rows of n or n−1 cells, each spanning the content width (10..1190).
    const rows = new Map<number, { x: number; width: number }[]>();
    for (const p of derived.placements) rows.set(p.y, [...(rows.get(p.y) ?? []), p]);
    for (const row of rows.values()) {
      expect(Math.min(...row.map((p) => p.x))).toBe(10);
      expect(Math.max(...row.map((p) => p.x + p.width))).toBe(1190);
    }
    const given = JSON.parse((await runCli(['plan', await manifest(dir, { type: 'grid', columns: 5 })])).stdout);
    expect([given.layout.columns, given.layout.rows, given.layout.emptyCells]).toEqual([5, 3, 3]);
  });

  it('grid cellAspect "auto" reads the headers first and fits the cells to the photos', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'm.json');
    // Nine 4:3 photos: 3 × 3 cells of 392×292 px fit them; the square default does not.
    const landscapes = [0, 4, 6, 7, 10].flatMap((i) => [`${server.url}/p${i}.jpg`, `${server.url}/p${i}.jpg?again`]).slice(0, 9);
    const write = (layout: Record<string, unknown>, height = 910) =>
      writeFile(file, JSON.stringify({ size: { width: 1210, height }, margin: 10, gap: 6, layout, images: landscapes }));
    await write({ type: 'grid', cellAspect: 'auto' });
    const before = server.requests.length;
    const fitted = JSON.parse((await runCli(['plan', file, '--no-cache'])).stdout);
    expect(server.requests.length).toBeGreaterThan(before);
    expect(Math.max(...fitted.placements.map((p: { crop: number }) => p.crop))).toBeLessThan(5);
    expect(fitted.layout.overCrop).toEqual([]);
    // Square cells on a square page (drawn as the photos arrive) crop every 4:3 photo by a quarter: the build report lists them.
    await write({ type: 'grid', cellAspect: '1:1' }, 1210);
    const built = await runCli(['build', file, '-o', 'out.png', '--json'], { cwd: dir });
    expect(built.code, built.stderr).toBe(0);
    const report = JSON.parse(built.stdout);
    expect(report.layout).toMatchObject({ type: 'grid', maxCrop: 5, emptyCells: 0 });
    expect(report.layout.overCrop).toHaveLength(9);
    expect(report.layout.overCrop[0].src).toBe(landscapes[0]);
    expect(report.layout.overCrop.every((o: { crop: number }) => o.crop > 5 && o.crop < 40)).toBe(true);
    await write({ type: 'grid', cellAspect: 1, maxCrop: 40 }, 1210);
    const allowed = JSON.parse((await runCli(['build', file, '-o', 'out2.png', '--json'], { cwd: dir })).stdout);
    expect(allowed.layout.overCrop).toEqual([]);
  });

  it('leaves the page background where it cannot be filled within maxCrop, and says so', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'm.json');
    // Three 2:1 photos on a square page: every arrangement is far from square.
    const wide = [`${server.url}/p9.jpg`, `${server.url}/p9.jpg?b`, `${server.url}/p9.jpg?c`];
    await writeFile(file, JSON.stringify({ size: { width: 800, height: 800 }, background: '#ffffff', layout: { type: 'mosaic' }, images: wide }));
    const planned = await runCli(['plan', file]);
    const plan = JSON.parse(planned.stdout);
    expect(plan.layout.unfilled).toBeGreaterThan(20);
    expect(planned.stderr).toMatch(/of the page left as background/);
    expect(plan.layout.overCrop).toEqual([]);
    const built = await runCli(['build', file, '-o', 'out.png', '--json'], { cwd: dir });
    const report = JSON.parse(built.stdout);
    expect(report.layout.unfilled).toBe(plan.layout.unfilled);
    const pixels = await readPixels(await readFile(path.join(dir, 'out.png')));
    const top = Math.min(...plan.placements.map((p: { y: number }) => p.y));
    const bottom = Math.max(...plan.placements.map((p: { y: number; height: number }) => p.y + p.height));
    expect(top + (800 - bottom)).toBeGreaterThan(100);
    // Above and below the photos: background.
    expect(pixels.at(400, Math.floor(top / 2))).toEqual([255, 255, 255]);
    expect(pixels.at(400, Math.floor((bottom + 800) / 2))).toEqual([255, 255, 255]);
    expect(colorDistance(pixels.at(400, Math.floor((top + bottom) / 2)), [255, 255, 255])).toBeGreaterThan(30);
  });

  it('skip lays out the remaining photos with a shape-aware layout', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'm.json');
    const images = [`${server.url}/p0.jpg`, `${server.url}/nope.jpg`, `${server.url}/p1.jpg`];
    await writeFile(file, JSON.stringify({ size: { width: 600, height: 300 }, layout: { type: 'justified' }, onError: 'skip', images }));
    const planned = JSON.parse((await runCli(['plan', file])).stdout);
    expect(planned.placements.map((p: { index: number }) => p.index)).toEqual([0, 2]);
    expect(planned.failed).toEqual([{ src: `${server.url}/nope.jpg`, code: 'E_HTTP_404', reason: 'HTTP 404' }]);
    const built = await runCli(['build', file, '-o', 'out.png', '--json'], { cwd: dir });
    expect(built.code).toBe(0);
    expect(JSON.parse(built.stdout).images.failed).toHaveLength(1);
  });
});
