/** The CLI surface: plan, schema, validate, plain-text manifests, progress and quiet output. */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { CLI, ROOT, runCli } from './support/cli.js';
import { useTempDirs } from './support/files.js';
import { readPixels, solidImage } from './support/images.js';

const run = promisify(execFile);
const DEMO = path.join(ROOT, 'examples', 'photo-a-day', 'manifest.json');

describe('collage schema', () => {
  it('prints a JSON Schema that validates the demo manifest and rejects a bad one', async () => {
    const result = await runCli(['schema']);
    expect(result.code).toBe(0);
    const schema = JSON.parse(result.stdout);
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    const ajv = new Ajv.default({ strict: false });
    const check = ajv.compile(schema);
    expect(check(JSON.parse(await readFile(DEMO, 'utf8'))), JSON.stringify(check.errors)).toBe(true);
    expect(check({ size: { width: '12in', height: '8in' }, images: ['a.jpg'], colums: 3 })).toBe(false);
    expect(check({ size: { width: '12 furlongs', height: '8in' }, images: ['a.jpg'] })).toBe(false);
  });

  it('matches the committed collage.schema.json (regenerate: collage schema > collage.schema.json)', async () => {
    const result = await runCli(['schema']);
    expect(JSON.parse(result.stdout)).toEqual(JSON.parse(await readFile(path.join(ROOT, 'collage.schema.json'), 'utf8')));
  });
});

describe('help', () => {
  it('build, batch and worker name the environment variables they read', async () => {
    for (const command of ['build', 'batch', 'worker']) {
      const result = await runCli([command, '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^Environment:\n  COLLAGE_HTTP_HEADERS .+\n  COLLAGE_OUTPUT_ROOT +the --output-root folder\n  UV_THREADPOOL_SIZE +photos decoded at once/m);
    }
  });
});

describe('collage plan', () => {
  it('prints the canvas size and every cell without fetching or writing', async () => {
    const result = await runCli(['plan', DEMO, '--dpi', '100']);
    expect(result.code).toBe(0);
    const plan = JSON.parse(result.stdout);
    expect(plan.canvas).toEqual({ width: 1200, height: 800, dpi: 100, background: 'rgb(244, 241, 234)' });
    expect(plan.placements).toHaveLength(40);
    expect(plan.layout).toMatchObject({ type: 'mosaic', margin: 25, gap: 8, overCrop: [] });
    expect(plan.placements[13]).toMatchObject({ index: 13, src: 'photos/day-014.jpg', fit: 'contain' });
    for (const p of plan.placements) {
      expect(p.x).toBeGreaterThanOrEqual(25);
      expect(p.x + p.width).toBeLessThanOrEqual(1175);
    }
  });
});

describe('collage validate', () => {
  it('says the demo is valid, with its size, and exits 0', async () => {
    const result = await runCli(['validate', DEMO]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/valid — 40 images, 1800×1200 px at 150 dpi/);
  });
});

describe('plain-text manifests', () => {
  const tempDir = useTempDirs();

  it('builds a list of paths with --size, --layout and -o', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'red.png'), await solidImage([230, 20, 20], 40, 40, 'png'));
    await writeFile(path.join(dir, 'blue.png'), await solidImage([20, 20, 230], 40, 40, 'png'));
    await writeFile(path.join(dir, 'list.txt'), '# two squares\nred.png\n\nblue.png\n');
    const result = await runCli(['build', 'list.txt', '--size', '2x1in', '--dpi', '50', '--layout', 'grid', '-o', 'out.png'], { cwd: dir });
    expect(result.code).toBe(0);
    const pixels = await readPixels(path.join(dir, 'out.png'));
    expect([pixels.width, pixels.height]).toEqual([100, 50]);
    expect(pixels.at(25, 25)).toEqual([230, 20, 20]);
    expect(pixels.at(75, 25)).toEqual([20, 20, 230]);
  });

  it('asks for --size when a text manifest has none', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'list.txt'), 'a.jpg\n');
    const result = await runCli(['build', 'list.txt', '-o', 'out.jpg'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('collage: list.txt: --size: a plain-text manifest needs --size, e.g. --size 36x24in');
  });
});

describe('progress output', () => {
  const tempDir = useTempDirs();

  it('prints a few plain lines without a TTY, and nothing with --quiet', async () => {
    const dir = await tempDir();
    const plain = await runCli(['build', DEMO, '-o', path.join(dir, 'a.jpg'), '--dpi', '50']);
    expect(plain.code).toBe(0);
    const lines = plain.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^collage: 40 images → .*a\.jpg \(600×400 px\)$/);
    // The demo's mosaic keeps every photo within maxCrop: the last line says what was written.
    expect(lines.at(-1)).toMatch(/^collage: wrote .*a\.jpg \(\d+ kB\)$/);
    expect(lines.length).toBeLessThanOrEqual(8);
    expect(plain.stderr).not.toMatch(/\x1b|\r/); // no control characters in a log
    // As a grid, its cells (as square as the page allows) crop the 4:3 and 3:4 photos: said once, after the output is written.
    const grid = await runCli(['build', DEMO, '-o', path.join(dir, 'g.jpg'), '--dpi', '50', '--layout', 'grid']);
    expect(grid.code).toBe(0);
    const gridLines = grid.stderr.trim().split('\n');
    expect(gridLines.at(-2)).toMatch(/^collage: wrote .*g\.jpg \(\d+ kB\)$/);
    expect(gridLines.at(-1)).toMatch(/^collage: \d+ photos cropped more than layout\.maxCrop 5 % \(up to [\d.]+ %\); listed in --json \(layout\.overCrop\)$/);
    const quiet = await runCli(['build', DEMO, '-o', path.join(dir, 'b.jpg'), '--dpi', '50', '--quiet']);
    expect(quiet).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });

  it('draws a live bar on a terminal (under script(1), which gives the CLI a pseudo-TTY)', async () => {
    const dir = await tempDir();
    const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} build ${JSON.stringify(DEMO)} -o ${JSON.stringify(path.join(dir, 'c.jpg'))} --dpi 50`;
    const { stdout } = await run('script', ['-qec', command, '/dev/null'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
    expect(stdout).toMatch(/\r\x1b\[2K\[#+\.*\] \d+\/40 images/);
    expect(stdout).toMatch(/wrote .*c\.jpg/);
  });
});
