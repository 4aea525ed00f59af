/**
 * Memory from small files (issue 14): a 1.3 MB progressive JPEG of 110 Mpx keeps every DCT
 * coefficient (~650 MB) while it decodes, however small its cell; 16 of them with 16 decoder
 * threads took 10.5 GB. Decodes now wait until the memory their header says they need fits the
 * job's budget (`--max-memory`), and one that never could fails with one line instead of an
 * out-of-memory kill. Peak RSS is the child's own getrusage (bench/rusage.mjs), not a timing.
 */
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readImageHeader } from '../src/decode/index.js';
import { estimateDecodeBytes } from '../src/decode/memory.js';
import type { DecodeFrame } from '../src/decode/frame.js';
import { jobMemoryShare } from '../src/batch/schedule.js';
import { fixedJobBytes, MIN_DECODE_BYTES } from '../src/memory.js';
import { CLI, ROOT, runCli } from './support/cli.js';
import { readPixels, writeProgressiveJpeg } from './support/images.js';

const MiB = 1024 * 1024;
const WIDTH = 12_800;
const HEIGHT = 8_600; // 110 Mpx
const PHOTOS = 16;
const BUDGET_MB = 1_500;

function buildMeasured(dir: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stderr: string; maxRssBytes: number }> {
  const usage = path.join(dir, 'rusage.json');
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', path.join(ROOT, 'bench', 'rusage.mjs'), CLI, ...args],
      { cwd: dir, env: { ...process.env, ...env, BENCH_RUSAGE_FILE: usage }, timeout: 600_000 },
      async (error, _stdout, stderr) => {
        const { maxRssKiB } = JSON.parse(await readFile(usage, 'utf8')) as { maxRssKiB: number };
        resolve({ code: error ? Number(error.code ?? 1) : 0, stderr, maxRssBytes: maxRssKiB * 1024 });
      },
    );
  });
}

describe('progressive 110 Mpx JPEGs of 1.3 MB each', () => {
  let dir: string;
  let photo: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'collage-test-'));
    photo = path.join(dir, 'p0.jpg');
    await writeProgressiveJpeg(photo, WIDTH, HEIGHT);
    for (let i = 1; i < PHOTOS; i++) await copyFile(photo, path.join(dir, `p${i}.jpg`));
  }, 120_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('the estimate from the header counts the coefficients a progressive decode keeps', async () => {
    const bytes = await readFile(photo);
    expect(bytes.length).toBeLessThan(2 * MiB);
    const header = await readImageHeader(bytes, 'p0.jpg');
    expect(header.frame.kind).toBe('progressive JPEG');
    // 2 bytes per sample, 3 samples a pixel (4:4:4): measured 653 MB over the process.
    expect(estimateDecodeBytes(header)).toBeGreaterThan(WIDTH * HEIGHT * 6);
    const baseline = await readImageHeader(
      await sharp({ create: { width: 64, height: 48, channels: 3, background: '#888' } })
        .jpeg()
        .toBuffer(),
      'b.jpg',
    );
    expect(baseline.frame).toMatchObject({ kind: 'JPEG', wholeFrame: 0, shrink: 'jpeg' });
  });

  it(`16 of them with 16 decoder threads build within --max-memory ${BUDGET_MB}`, async () => {
    const manifest = {
      size: { width: 2000, height: 1500 },
      layout: { type: 'grid', columns: 4 },
      images: Array.from({ length: PHOTOS }, (_, i) => `p${i}.jpg`),
    };
    await writeFile(path.join(dir, 'poster.json'), JSON.stringify(manifest));
    const { code, stderr, maxRssBytes } = await buildMeasured(dir, ['build', 'poster.json', '-o', 'poster.jpg', '--quiet', '--max-memory', String(BUDGET_MB)], {
      UV_THREADPOOL_SIZE: '16',
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const pixels = await readPixels(path.join(dir, 'poster.jpg'));
    expect([pixels.width, pixels.height]).toEqual([2000, 1500]);
    // Every cell is the photo's colour (rgb(90, 140, 200)), so every decode was drawn.
    for (const [x, y] of [
      [250, 187],
      [1750, 1312],
      [750, 562],
      [1250, 937],
    ] as const) {
      const [r, g, b] = pixels.at(x, y);
      expect(Math.max(Math.abs(r - 90), Math.abs(g - 140), Math.abs(b - 200))).toBeLessThan(6);
    }
    // Without the budget: ~10 GB (each of 16 decodes at once holds ~650 MB).
    expect(maxRssBytes).toBeLessThanOrEqual(BUDGET_MB * MiB);
  }, 600_000);

  it('batch: each job builds within its share of the batch budget', async () => {
    await writeFile(path.join(dir, 'one.json'), JSON.stringify({ size: { width: 400, height: 300 }, output: 'one.jpg', images: ['p0.jpg'] }));
    const result = await runCli(['batch', 'one.json', '--max-memory', '1024', '--jobs', '2', '--json'], { cwd: dir });
    expect(result.code).toBe(3);
    const [job] = (JSON.parse(result.stdout) as { jobs: { reason: string }[] }).jobs;
    // Two jobs at once: each has 512 MB of the 1,024, too little for this photo.
    expect(job!.reason).toMatch(/p0\.jpg: a 110 Mpx progressive JPEG needs about [\d,]+ MB to decode, over the [\d,]+ MB left for decoding in this job's 512 MB memory budget/);
  });

  it('one that needs more than the whole budget fails with one line naming its Mpx and the budget', async () => {
    await writeFile(path.join(dir, 'one.json'), JSON.stringify({ size: { width: 400, height: 300 }, images: ['p0.jpg'] }));
    const result = await runCli(['build', 'one.json', '-o', 'one.jpg', '--max-memory', '512'], { cwd: dir });
    expect(result.code).toBe(3);
    const lines = result.stderr.trim().split('\n');
    expect(lines.filter((line) => line.includes('p0.jpg'))).toEqual([
      expect.stringMatching(
        /p0\.jpg: a 110 Mpx progressive JPEG needs about [\d,]+ MB to decode, over the [\d,]+ MB left for decoding in this job's 512 MB memory budget \(--max-memory\)/,
      ),
    ]);
    expect(result.stderr).not.toMatch(/at \w+ \(|heap|Error:/);
  });
});

describe('what a decode holds, from the header', () => {
  const create = (width: number, height: number, channels: 3 | 4 = 3) => sharp({ create: { width, height, channels, background: { r: 10, g: 20, b: 30, alpha: 1 } } });
  it('per format: whole frames where the decoder keeps one, rows where it streams', async () => {
    const cases: [string, Promise<Buffer>, Partial<DecodeFrame>][] = [
      ['baseline JPEG', create(64, 48).jpeg().toBuffer(), { kind: 'JPEG', wholeFrame: 0, shrink: 'jpeg' }],
      ['progressive 4:2:0', create(64, 48).jpeg({ progressive: true }).toBuffer(), { kind: 'progressive JPEG', wholeFrame: 2.1 * 1.5 }],
      ['progressive 4:4:4', create(64, 48).jpeg({ progressive: true, chromaSubsampling: '4:4:4' }).toBuffer(), { kind: 'progressive JPEG', wholeFrame: 2.1 * 3 }],
      ['PNG', create(64, 48).png().toBuffer(), { kind: 'PNG', wholeFrame: 0, rowBytes: 3 }],
      ['interlaced PNG', create(64, 48, 4).png({ progressive: true }).toBuffer(), { kind: 'interlaced PNG', rowBytes: 4, wholeFrame: 4.8 }],
      ['16-bit PNG', create(64, 48).toColourspace('rgb16').png().toBuffer(), { kind: 'PNG', rowBytes: 6 }],
      ['lossy WebP', create(64, 48).webp().toBuffer(), { kind: 'WebP', wholeFrame: 0, shrink: 'scale' }],
      ['lossless WebP', create(64, 48).webp({ lossless: true }).toBuffer(), { kind: 'lossless WebP', wholeFrame: 4 }],
      ['tiled TIFF', create(64, 48).tiff({ tile: true, tileWidth: 32, tileHeight: 32 }).toBuffer(), { kind: 'TIFF', wholeFrame: 0, blockRows: 32, rowBytes: 3 }],
      ['GIF', create(64, 48).gif().toBuffer(), { kind: 'GIF' }],
    ];
    for (const [name, bytes, frame] of cases) {
      const header = await readImageHeader(await bytes, name);
      expect(header.frame, name).toMatchObject(frame);
    }
  });

  it('a 110 Mpx baseline JPEG shrinks on load: a few MB for a small cell, the frame for one as large as itself', async () => {
    const header = {
      format: 'jpeg' as const,
      width: WIDTH,
      height: HEIGHT,
      orientation: 1,
      frame: { kind: 'JPEG', wholeFrame: 0, rowBytes: 3, blockRows: 0, shrink: 'jpeg' as const },
    };
    const cell = (width: number, height: number) => ({
      sampling: { scaledWidth: width, scaledHeight: height, region: { left: 0, top: 0, width, height }, offset: { x: 0, y: 0 } },
    });
    expect(estimateDecodeBytes(header, cell(400, 269))).toBeLessThan(32 * MiB);
    expect(estimateDecodeBytes(header, cell(WIDTH, HEIGHT))).toBeGreaterThan(WIDTH * HEIGHT * 4);
  });

  it('an oriented photo cropped to its cell still shrinks on load (was: the whole stored image copied first)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'collage-test-'));
    try {
      const file = path.join(dir, 'portrait.jpg');
      await promisify(execFile)(process.execPath, [
        '-e',
        `require(${JSON.stringify(createRequire(import.meta.url).resolve('sharp'))})({ create: { width: 12800, height: 8600, channels: 3, background: '#5a8' } }).withMetadata({ orientation: 6 }).jpeg().toFile(${JSON.stringify(file)})`,
      ]);
      // Peak RSS over the process before the decode, in a fresh child: the stored frame is 330 MB.
      const script = `
        const { readFileSync } = await import('node:fs');
        const { readImageHeader, decodeForCell } = await import(${JSON.stringify(path.join(ROOT, 'dist', 'decode', 'index.js'))});
        const { cellSampling } = await import(${JSON.stringify(path.join(ROOT, 'dist', 'layout', 'index.js'))});
        const bytes = readFileSync(${JSON.stringify(file)});
        const header = await readImageHeader(bytes, 'portrait.jpg');
        const before = process.resourceUsage().maxRSS;
        const sampling = cellSampling(8600, 12800, 400, 400, 'cover', [0.5, 0.3]);
        const bitmap = await decodeForCell(bytes, header, sampling, { r: 255, g: 255, b: 255, a: 1 }, 'portrait.jpg');
        console.log(JSON.stringify({ width: bitmap.width, height: bitmap.height, grownKiB: process.resourceUsage().maxRSS - before }));`;
      const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]);
      const measured = JSON.parse(stdout) as { width: number; height: number; grownKiB: number };
      expect([measured.width, measured.height]).toEqual([400, 400]);
      expect(measured.grownKiB * 1024).toBeLessThan(100 * MiB);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('memory budget shares', () => {
  it('a batch job builds within an equal share, or what its poster needs, never more than the whole', () => {
    const budget = 8 * 1024 * MiB;
    expect(jobMemoryShare(budget, 4, 1000, 1000)).toBe(2 * 1024 * MiB);
    const poster = { width: 21_600, height: 14_400 }; // 72×48 in at 300 dpi
    expect(jobMemoryShare(budget, 4, poster.width, poster.height)).toBe(fixedJobBytes(poster.width, poster.height, budget) + MIN_DECODE_BYTES);
    expect(jobMemoryShare(budget, 4, 50_000, 30_000)).toBe(budget);
  });

  it('--max-memory refuses less than a job can run in, and NaN, naming the option', async () => {
    for (const value of ['10', 'NaN', 'Infinity', '']) {
      const result = await runCli(['build', 'x.json', '--max-memory', value]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/--max-memory must be a number from 256/);
    }
  });
});
