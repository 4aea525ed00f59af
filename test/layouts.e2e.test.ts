/** Aspect-aware layouts end to end: headers fetched first, boxes follow the photos, pixels land in them. */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { useTempDirs } from './support/files.js';
import { colorDistance, distinctColor, readPixels, solidImage } from './support/images.js';
import { serveFiles, startServer, type TestServer } from './support/server.js';

const SHAPES: [number, number][] = [
  [400, 300], [300, 400], [300, 300], [450, 300], [400, 300], [300, 450],
  [400, 300], [400, 300], [300, 400], [600, 300], [400, 300], [300, 300],
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

  it('skip lays out the remaining photos with a shape-aware layout', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'm.json');
    const images = [`${server.url}/p0.jpg`, `${server.url}/nope.jpg`, `${server.url}/p1.jpg`];
    await writeFile(file, JSON.stringify({ size: { width: 600, height: 300 }, layout: { type: 'justified' }, onError: 'skip', images }));
    const planned = JSON.parse((await runCli(['plan', file])).stdout);
    expect(planned.placements.map((p: { index: number }) => p.index)).toEqual([0, 2]);
    expect(planned.failed).toEqual([{ src: `${server.url}/nope.jpg`, reason: 'HTTP 404' }]);
    const built = await runCli(['build', file, '-o', 'out.png', '--json'], { cwd: dir });
    expect(built.code).toBe(0);
    expect(JSON.parse(built.stdout).images.failed).toHaveLength(1);
  });
});
