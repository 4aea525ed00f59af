/** Downscaling must not alias: 1-px black/white stripes at 1/5 size are an even mid-grey. */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { useTempDirs } from './support/files.js';
import { rawImage, readPixels } from './support/images.js';

describe('downscale quality', () => {
  const tempDir = useTempDirs();

  it('renders 1-px stripes drawn at 1/5 size as mid-grey without moiré', async () => {
    const dir = await tempDir();
    const size = 500;
    const stripes = Buffer.alloc(size * size * 3);
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) stripes.fill(x % 2 === 0 ? 0 : 255, (y * size + x) * 3, (y * size + x) * 3 + 3);
    await writeFile(path.join(dir, 'stripes.png'), await rawImage(stripes, size, size, 'png'));
    const manifest = { size: { width: 100, height: 100 }, output: 'out.png', images: ['stripes.png'] };
    await writeFile(path.join(dir, 'm.json'), JSON.stringify(manifest));
    expect((await runCli(['build', 'm.json', '-q'], { cwd: dir })).code).toBe(0);

    const pixels = await readPixels(await readFile(path.join(dir, 'out.png')));
    const values: number[] = [];
    for (let y = 2; y < 98; y++) for (let x = 2; x < 98; x++) values.push(pixels.at(x, y)[0]);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const spread = Math.max(...values) - Math.min(...values);
    // An aliased (nearest-neighbour) downscale gives pure black or white columns.
    expect(mean).toBeGreaterThan(108);
    expect(mean).toBeLessThan(148);
    expect(spread).toBeLessThan(24);
  });
});
