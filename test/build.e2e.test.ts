/**
 * The foundation end to end: a manifest of photos served over loopback HTTP, built by the
 * real CLI, checked by pixels and bytes.
 */
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { useTempDirs } from './support/files.js';
import { colorDistance, distinctColor, readPixels, solidImage, type Rgb } from './support/images.js';
import { readJfifDensity, readPngDensity } from './support/metadata.js';
import { serveFiles, startServer, type TestServer } from './support/server.js';

const PHOTOS = 60;
const WHITE: Rgb = [255, 255, 255];

describe('collage build: 60 photos over HTTP onto a 12×8 in, 300 dpi grid', () => {
  const tempDir = useTempDirs();
  let server: TestServer;

  beforeAll(async () => {
    const files = new Map<string, Buffer>();
    for (let i = 0; i < PHOTOS; i++) {
      // Landscape and portrait photos alike: cover must fill every cell.
      files.set(`/photo-${i}.jpg`, await solidImage(distinctColor(i), i % 3 === 0 ? 150 : 200, i % 3 === 0 ? 200 : 150));
    }
    server = await startServer(serveFiles(files));
  });
  afterAll(() => server.close());

  async function writeManifest(dir: string, extra: Record<string, unknown> = {}, images?: string[]): Promise<string> {
    const manifest = {
      size: { width: '12in', height: '8in', dpi: 300 },
      background: 'white',
      margin: '0.25in',
      gap: '2mm',
      layout: { type: 'grid' },
      images: images ?? Array.from({ length: PHOTOS }, (_, i) => `${server.url}/photo-${i}.jpg`),
      ...extra,
    };
    const file = path.join(dir, 'manifest.json');
    await writeFile(file, JSON.stringify(manifest, null, 2));
    return file;
  }

  it('writes exactly 3600×2400 px with 300 dpi recorded, every cell its photo, gaps and margins background', async () => {
    const dir = await tempDir();
    const manifest = await writeManifest(dir, { output: 'poster.jpg' });

    const planned = await runCli(['plan', manifest]);
    expect(planned.code).toBe(0);
    const plan = JSON.parse(planned.stdout);
    expect(plan.canvas).toMatchObject({ width: 3600, height: 2400, dpi: 300 });
    expect(plan.placements).toHaveLength(PHOTOS);

    const built = await runCli(['build', manifest, '--json']);
    expect(built.code).toBe(0);
    const report = JSON.parse(built.stdout);
    // Nothing on stderr but one warning per photo under 150 dpi (150-200 px photos in ~1.1 in cells).
    const lines = built.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(report.images.lowResolution.length);
    for (const line of lines) expect(line).toMatch(/^collage: warning: \S+\/photo-\d+\.jpg prints at \d+ dpi in its [\d.]+×[\d.]+ in cell \(minimum 150\)$/);
    expect(report.output).toMatchObject({ format: 'jpeg', width: 3600, height: 2400, dpi: 300 });
    expect(report.images).toMatchObject({ total: PHOTOS, fetched: PHOTOS, failed: [] });

    const output = path.join(dir, 'poster.jpg');
    const bytes = await readFile(output);
    expect(report.output.bytes).toBe(bytes.length);
    expect(readJfifDensity(bytes)).toEqual({ units: 1, x: 300, y: 300 });

    const pixels = await readPixels(bytes);
    expect([pixels.width, pixels.height]).toEqual([3600, 2400]);
    for (const cell of plan.placements) {
      const centre = pixels.at(cell.x + Math.floor(cell.width / 2), cell.y + Math.floor(cell.height / 2));
      expect(colorDistance(centre, distinctColor(cell.index)), `cell ${cell.index}`).toBeLessThanOrEqual(6);
      // Cover fills the cell to its corners (12 px in, past the 8×8 JPEG blocks that ring at the hard edge).
      for (const [dx, dy] of [
        [12, 12],
        [cell.width - 13, 12],
        [12, cell.height - 13],
        [cell.width - 13, cell.height - 13],
      ]) {
        const corner = pixels.at(cell.x + dx!, cell.y + dy!);
        expect(
          colorDistance(corner, distinctColor(cell.index)),
          `cell ${cell.index} corner ${dx},${dy} ${corner} vs ${distinctColor(cell.index)} centre ${centre}`,
        ).toBeLessThanOrEqual(10);
      }
    }
    // Margins (75 px = 0.25 in) and gaps (24 px = 2 mm) hold the background.
    expect(plan.content).toEqual({ x: 75, y: 75, width: 3450, height: 2250 });
    expect(colorDistance(pixels.at(37, 37), WHITE)).toBeLessThanOrEqual(2);
    expect(colorDistance(pixels.at(3562, 2362), WHITE)).toBeLessThanOrEqual(2);
    const [first, second] = plan.placements;
    expect(second.x - (first.x + first.width)).toBe(24);
    expect(colorDistance(pixels.at(first.x + first.width + 12, first.y + 50), WHITE)).toBeLessThanOrEqual(3);
    const below = plan.placements.find((p: { x: number; y: number }) => p.x === first.x && p.y > first.y);
    expect(below.y - (first.y + first.height)).toBe(24);
  });

  it('writes PNG with pHYs at 300 dpi and the same layout', async () => {
    const dir = await tempDir();
    const manifest = await writeManifest(dir, { output: 'poster.png' });
    const built = await runCli(['build', manifest, '--quiet']);
    expect(built).toMatchObject({ code: 0, stderr: '' });
    const bytes = await readFile(path.join(dir, 'poster.png'));
    expect(readPngDensity(bytes)).toEqual({ unit: 1, x: 11811, y: 11811 });
    const pixels = await readPixels(bytes);
    expect([pixels.width, pixels.height, pixels.channels]).toEqual([3600, 2400, 3]);
  });

  it('gives byte-identical output on a second run', async () => {
    const dir = await tempDir();
    const manifest = await writeManifest(dir);
    expect((await runCli(['build', manifest, '-o', 'a.jpg', '-q'], { cwd: dir })).code).toBe(0);
    expect((await runCli(['build', manifest, '-o', 'b.jpg', '-q'], { cwd: dir })).code).toBe(0);
    const [a, b] = await Promise.all([readFile(path.join(dir, 'a.jpg')), readFile(path.join(dir, 'b.jpg'))]);
    expect(a.length).toBeGreaterThan(100_000);
    expect(a.equals(b)).toBe(true);
  });

  it('exits 3 naming the failed URL, keeps an existing output byte-identical, leaves no temp file', async () => {
    const dir = await tempDir();
    const images = [`${server.url}/photo-0.jpg`, `${server.url}/missing.jpg`, `${server.url}/photo-2.jpg`];
    const manifest = await writeManifest(dir, { output: 'poster.jpg' }, images);
    const previous = Buffer.from('the print shop already has this file');
    await writeFile(path.join(dir, 'poster.jpg'), previous);

    const result = await runCli(['build', manifest]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`${server.url}/missing.jpg: HTTP 404`);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect((await readFile(path.join(dir, 'poster.jpg'))).equals(previous)).toBe(true);
    expect((await readdir(dir)).sort()).toEqual(['manifest.json', 'poster.jpg']);
  });

  it('reports the failure as JSON with --json', async () => {
    const dir = await tempDir();
    const manifest = await writeManifest(dir, {}, [`${server.url}/photo-1.jpg`, `${server.url}/gone.jpg`]);
    const result = await runCli(['build', manifest, '--json']);
    expect(result.code).toBe(3);
    const report = JSON.parse(result.stdout);
    expect(report.images.failed).toEqual([expect.objectContaining({ src: `${server.url}/gone.jpg`, reason: 'HTTP 404', attempts: 1 })]);
    expect(await readdir(dir)).toEqual(['manifest.json']);
  });
});
