/**
 * Every number a manifest or command line gives is hostile until bounded (issue 14):
 * `layout.columns: 100000000` made `validate` run out of memory, `1e400` (JSON's Infinity) and
 * 100,000 nested `[` exited 1 with internal messages, `--dpi 30.5` was written as 31. Each now
 * exits 2 with one line naming the field or option, before anything is fetched or allocated.
 */
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadManifest, ManifestError } from '../src/index.js';
import { gridLayout } from '../src/layout/grid.js';
import { masonryLayout } from '../src/layout/masonry.js';
import { LayoutError } from '../src/layout/types.js';
import { runCli, type CliResult } from './support/cli.js';
import { useTempDirs } from './support/files.js';
import { startServer, type TestServer } from './support/server.js';

const valid = { size: { width: '12in', height: '8in' }, images: ['a.jpg'] };

async function problems(manifest: Record<string, unknown>, overrides: Record<string, unknown> = {}): Promise<string[]> {
  try {
    await loadManifest(manifest, { output: 'x.jpg', ...overrides });
  } catch (error) {
    if (error instanceof ManifestError) return error.problems.map((p) => `${p.path}: ${p.message}`);
    throw error;
  }
  return [];
}

function expectOneLine(result: CliResult, pattern: RegExp): void {
  expect(result.code).toBe(2);
  expect(result.stderr.trim()).toMatch(pattern);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr).not.toMatch(/\bat .*\.js:\d+|Maximum call stack|heap|RangeError|TypeError/);
}

describe('every number in the schema is bounded, and named when it is not', () => {
  const style = (extra: Record<string, unknown>) => ({ ...valid, style: extra });
  const cases: [string, Record<string, unknown>][] = [
    ['layout.columns', { ...valid, layout: { type: 'grid', columns: 100_000_000 } }],
    ['layout.rows', { ...valid, layout: { type: 'grid', rows: 1e9 } }],
    ['layout.columns', { ...valid, layout: { type: 'masonry', columns: 1e400 } }],
    ['layout.seed', { ...valid, layout: { type: 'mosaic', seed: 1e300 } }],
    ['layout.rowHeight', { ...valid, layout: { type: 'justified', rowHeight: '1e400in' } }],
    ['seed', { ...valid, seed: 2 ** 40 }],
    ['order.seed', { ...valid, order: { type: 'shuffle', seed: -1 } }],
    ['size.width', { ...valid, size: { width: 1e400, height: '8in' } }],
    ['size.height', { ...valid, size: { width: '8in', height: `${'9'.repeat(400)}in` } }],
    ['size.width', { ...valid, size: { width: '20000in', height: '8in' } }],
    ['size.width', { ...valid, size: { width: 2_000_000, height: 100 } }],
    ['size.dpi', { ...valid, size: { width: '12in', height: '8in', dpi: 30.5 } }],
    ['size.dpi', { ...valid, size: { width: '12in', height: '8in', dpi: 1e400 } }],
    ['margin', { ...valid, margin: 1e400 }],
    ['gap', { ...valid, gap: '1e400px' }],
    ['bleed', { ...valid, bleed: 1e400 }],
    ['bleed.size', { ...valid, bleed: { size: '1000000in' } }],
    ['quality', { ...valid, quality: 1e400 }],
    ['images', { ...valid, images: Array.from({ length: 10_001 }, (_, i) => `${i}.jpg`) }],
    ['images[0].weight', { ...valid, images: [{ src: 'a.jpg', weight: 1e400 }] }],
    ['images[0].focus[1]', { ...valid, images: [{ src: 'a.jpg', focus: [0.5, -1e400] }] }],
    ['style.radius', style({ radius: 1e400 })],
    ['style.border', style({ border: '1e400mm' })],
    ['style.border.width', style({ border: { width: 1e400 } })],
    ['style.shadow.offset[0]', style({ shadow: { offset: [-1e400, 0] } })],
    ['style.shadow.blur', style({ shadow: { blur: '99999in' } })],
    ['style.caption.size', style({ caption: { size: 1e400 } })],
    ['style.caption.padding', style({ caption: { padding: '1e400pt' } })],
    ['style.caption.maxLines', style({ caption: { maxLines: 1e400 } })],
    ['images[0].style.radius', { ...valid, images: [{ src: 'a.jpg', style: { radius: 1e400 } }] }],
  ];
  for (const [where, manifest] of cases) {
    it(`${where}: ${JSON.stringify(manifest, (_k, value) => (Array.isArray(value) && value.length > 3 ? `[${value.length} items]` : typeof value === 'number' && !Number.isFinite(value) ? String(value) : value)).slice(0, 120)}`, async () => {
      const found = await problems(manifest);
      expect(found).toHaveLength(1);
      expect(found[0]!.startsWith(`${where}: `)).toBe(true);
    });
  }

  it('keeps what a real poster uses', async () => {
    expect(
      await problems({
        ...valid,
        size: { width: '60in', height: '40in', dpi: 300 },
        margin: '0.25in',
        bleed: { size: '2in', mode: 'mirror' },
        layout: { type: 'grid', columns: 100, rows: 100 },
        seed: 4_294_967_295,
        images: Array.from({ length: 10_000 }, (_, i) => ({ src: `${i}.jpg`, weight: 0.5 })),
        style: { radius: '3mm', shadow: { offset: ['-1mm', '1mm'], blur: '1.5mm' }, caption: { size: '9pt', maxLines: 20 } },
      }),
    ).toEqual([]);
  });

  it('reports at most 50 problems and counts the rest', async () => {
    const found = await problems({ ...valid, images: Array.from({ length: 2_000 }, () => 42) });
    expect(found).toHaveLength(51);
    expect(found[50]).toBe(': and 1,950 more problems');
  });

  it('--dpi and --max-output-pixels from the library are checked like the manifest', async () => {
    expect(await problems(valid, { dpi: 30.5 })).toEqual(['--dpi: must be a whole number from 1 to 10000']);
    expect(await problems(valid, { maxOutputPixels: Infinity })).toEqual(['--max-output-pixels: must be more than 0 and at most 1400 Mpx']);
    expect(await problems(valid, { maxOutputPixels: 5_000_000 })).toEqual([
      'size: 3600×2400 px (12×8 in at 300 dpi) is 8.64 Mpx, over the 5 Mpx --max-output-pixels limit; lower the dpi or the size',
    ]);
    expect(await problems(valid, { maxOutputPixels: 9_000_000 })).toEqual([]);
  });
});

describe('layouts check sizes before making per-column arrays', () => {
  const content = { x: 0, y: 0, width: 1000, height: 800 };
  it('a grid of 100,000,000 columns is refused from arithmetic', () => {
    expect(() => gridLayout({ count: 1, content, gap: 0, columns: 100_000_000, rows: 1 })).toThrow(LayoutError);
    expect(() => gridLayout({ count: 1, content, gap: 0, columns: 1, rows: 100_000_000 })).toThrow(/do not fit/);
  });
  it('so is masonry', () => {
    expect(() => masonryLayout({ images: [{ aspect: 1, weight: 1 }], content, gap: 0, columns: 100_000_000 })).toThrow(/do not fit/);
  });
});

describe('collage with hostile numbers (CLI)', () => {
  const tempDir = useTempDirs();
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer((_req, res) => void res.writeHead(404).end());
  });
  afterAll(() => server.close());

  async function manifestFile(dir: string, text: string): Promise<string> {
    await writeFile(path.join(dir, 'm.json'), text);
    return 'm.json';
  }

  it('validate and build: 100,000,000 columns, 1e400, "1e400in" and dpi 30.5 exit 2 naming the field, nothing fetched or written', async () => {
    const dir = await tempDir();
    const image = `${server.url}/a.jpg`;
    const cases: [string, RegExp][] = [
      [JSON.stringify({ ...valid, images: [image], layout: { type: 'grid', columns: 100_000_000 } }), /^collage: m\.json: layout\.columns: columns must be at most 10,000$/],
      [`{"size": {"width": 1e400, "height": "8in"}, "images": ["${image}"]}`, /^collage: m\.json: size\.width: invalid length: Infinity is too large/],
      [JSON.stringify({ ...valid, images: [image], margin: '1e400in' }), /^collage: m\.json: margin: invalid length/],
      [JSON.stringify({ ...valid, images: [image], margin: `${'9'.repeat(400)}in` }), /^collage: m\.json: margin: invalid length: "9+…" is too large/],
      [JSON.stringify({ size: { width: '12in', height: '8in', dpi: 30.5 }, images: [image] }), /^collage: m\.json: size\.dpi: dpi must be a whole number$/],
    ];
    for (const [text, expected] of cases) {
      await manifestFile(dir, text);
      for (const command of ['validate', 'build']) expectOneLine(await runCli([command, 'm.json', '-o', 'out.jpg'], { cwd: dir }), expected);
    }
    await writeFile(path.join(dir, 'list.txt'), `${image}\n`);
    expectOneLine(await runCli(['validate', 'list.txt', '--size', `${'9'.repeat(400)}x2in`], { cwd: dir }), /^collage: list\.txt: size\.width: invalid length: "9+…" is too large/);
    expect(server.requests).toHaveLength(0);
    expect((await readdir(dir)).sort()).toEqual(['list.txt', 'm.json']);
  });

  it('100,000 nested brackets: exit 2, one line with where, no stack overflow', async () => {
    const dir = await tempDir();
    for (const text of ['['.repeat(100_000), `{"images": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`]) {
      await manifestFile(dir, text);
      expectOneLine(await runCli(['validate', 'm.json'], { cwd: dir }), /^collage: m\.json:1:\d+: invalid JSON: nested more than 64 levels deep$/);
    }
  });

  it('--max-output-pixels refuses a giant poster up front, naming size (exit 2, nothing fetched)', async () => {
    const dir = await tempDir();
    await manifestFile(dir, JSON.stringify({ size: { width: '36in', height: '24in', dpi: 300 }, images: [`${server.url}/a.jpg`] }));
    for (const command of ['validate', 'build']) {
      expectOneLine(
        await runCli([command, 'm.json', '-o', 'out.jpg', '--max-output-pixels', '50'], { cwd: dir }),
        /^collage: m\.json: size: 10800×7200 px \(36×24 in at 300 dpi\) is 78 Mpx, over the 50 Mpx --max-output-pixels limit; lower the dpi or the size$/,
      );
    }
    expect(server.requests).toHaveLength(0);
    const fits = await runCli(['validate', 'm.json', '--max-output-pixels', '80'], { cwd: dir });
    expect(fits.code).toBe(0);
  });

  it('numeric options refuse NaN, Infinity and absurd values, naming the option', async () => {
    const cases: [string[], RegExp][] = [
      [['--dpi', '30.5'], /--dpi must be a whole number from 1 to 10,000/],
      [['--dpi', 'Infinity'], /--dpi must be a whole number/],
      [['--columns', '100000000'], /--columns must be a whole number from 1 to 10,000/],
      [['--rows', '1e400'], /--rows must be a whole number/],
      [['--quality', 'NaN'], /--quality must be a whole number from 1 to 100/],
      [['--concurrency', 'Infinity'], /--concurrency must be a whole number/],
      [['--timeout', '0.0001'], /--timeout must be a number of seconds from 1 to 3600/],
      [['--timeout', 'Infinity'], /--timeout must be a number/],
      [['--download-timeout', '1e400'], /--download-timeout must be a number/],
      [['--retry-delay', 'NaN'], /--retry-delay must be a number over 0 up to 60/],
      [['--max-download', 'Infinity'], /--max-download must be a number over 0 up to 4,096/],
      [['--max-pixels', '-1'], /--max-pixels must be a number over 0/],
      [['--max-output-pixels', '5000'], /--max-output-pixels must be a number over 0 up to 1,400/],
      [['--max-memory', '1e400'], /--max-memory must be a number from 256/],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli(['build', 'x.json', ...args])));
    results.forEach((result, i) => {
      expect(result.code, cases[i]![0].join(' ')).toBe(2);
      expect(result.stderr).toMatch(cases[i]![1]);
      expect(result.stderr).not.toMatch(/\bat .*\.js:\d+/);
    });
  });
});
