/**
 * Captions in every script, checked in real output. Each caption is drawn in a strip below a
 * photo, black on white, at a known origin, so the strip can be compared with the same string
 * drawn as the engine draws characters it has no glyph for (the .notdef box): a script that
 * falls back to nothing comes out as exactly that. Emoji must have colour; Arabic and Hebrew
 * start at the right edge. Characters no font draws are left out with a warning naming them.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import { beforeEach, describe, expect, it } from 'vitest';
import { build, plan } from '../src/index.js';
import { FontSet } from '../src/render/fonts/index.js';
import { runCli, ROOT } from './support/cli.js';
import { useTempDirs } from './support/files.js';
import { readPixels, solidImage, type Pixels } from './support/images.js';
import { startServer } from './support/server.js';

const CJK_SUBSET = path.join(ROOT, 'test', 'fixtures', 'NotoSansSC-subset.otf');
const WIDTH = 900;
/** Twice the strip and more: a caption below takes at most half the cell. */
const HEIGHT = 200;
const SIZE = 40;
/** What caption.ts makes of SIZE: padding 0.4 × size, one line 1.25 × size, baseline 0.95 × size + half the leading. */
const PADDING = 16;
const STRIP = Math.ceil(1.25 * SIZE + 2 * PADDING);
const BASELINE = PADDING + SIZE * 0.95 + (1.25 * SIZE - SIZE) / 2;

interface Strip {
  /** The caption strip, RGB, WIDTH × STRIP. */
  pixels: Buffer;
  warnings: string[];
}

describe('captions in every script', () => {
  const tempDir = useTempDirs();
  let dir: string;

  beforeEach(async () => {
    dir = await tempDir();
    await writeFile(path.join(dir, 'photo.jpg'), await solidImage([60, 110, 160], 300, 200));
  });

  function manifest(caption: string, style: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
    return {
      size: { width: WIDTH, height: HEIGHT },
      background: '#ffffff',
      style: { caption: { size: SIZE, position: 'below', color: '#000000', background: false, align: 'left', maxLines: 1, ...style } },
      images: [{ src: 'photo.jpg', caption }],
      ...extra,
    };
  }

  let renders = 0;
  async function render(caption: string, style: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Promise<Strip> {
    const file = path.join(dir, `out-${renders++}.png`);
    const m = manifest(caption, style, extra);
    const report = await build(m, { output: file, cwd: dir });
    const cell = (await plan(m, { output: file, cwd: dir })).placements[0]!;
    expect([cell.x, cell.y, cell.width, cell.height]).toEqual([0, 0, WIDTH, HEIGHT]);
    const pixels = strip(await readPixels(await readFile(file)));
    // The strip is the caption's: white paper around the text, the photo above it.
    expect([...pixels.subarray(0, 3)]).toEqual([255, 255, 255]);
    expect(inkCount(pixels)).toBeLessThan((WIDTH * STRIP) / 3);
    return { pixels, warnings: report.warnings.map((w) => w.message) };
  }

  function strip(image: Pixels): Buffer {
    const out = Buffer.alloc(WIDTH * STRIP * 3);
    for (let y = 0; y < STRIP; y++) {
      for (let x = 0; x < WIDTH; x++) out.set(image.at(x, HEIGHT - STRIP + y), (y * WIDTH + x) * 3);
    }
    return out;
  }

  /**
   * `text` as the engine draws it with Inter's Latin file alone, where the caption draws it:
   * every character that file lacks comes out as its .notdef box (what captions looked like
   * before the fallback chain). With `allBoxes`, every character is a box (for Latin text, which
   * that file has).
   */
  function boxes(text: string, allBoxes = false): Buffer {
    expect(FontSet.bundled().chain()!.families('A')).toBe('"Inter #1"'); // registers it
    const canvas = createCanvas(WIDTH, STRIP);
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, WIDTH, STRIP);
    ctx.fillStyle = '#000000';
    ctx.font = `${SIZE}px "Inter #1"`;
    ctx.fillText(allBoxes ? text.replace(/\S/gu, '\u{10FFFF}') : text, PADDING, BASELINE);
    const rgba = ctx.getImageData(0, 0, WIDTH, STRIP).data;
    const rgb = Buffer.alloc(WIDTH * STRIP * 3);
    for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) rgb.set([rgba[i]!, rgba[i + 1]!, rgba[i + 2]!], j);
    return rgb;
  }

  const inked = (rgb: Buffer, i: number) => rgb[i]! < 200 || rgb[i + 1]! < 200 || rgb[i + 2]! < 200;
  function inkCount(rgb: Buffer): number {
    let n = 0;
    for (let i = 0; i < rgb.length; i += 3) if (inked(rgb, i)) n++;
    return n;
  }
  /** Share of pixels inked in either image that differ between them. */
  function difference(a: Buffer, b: Buffer): number {
    let union = 0;
    let differ = 0;
    for (let i = 0; i < a.length; i += 3) {
      if (!inked(a, i) && !inked(b, i)) continue;
      union++;
      if (Math.abs(a[i]! - b[i]!) + Math.abs(a[i + 1]! - b[i + 1]!) + Math.abs(a[i + 2]! - b[i + 2]!) > 60) differ++;
    }
    return differ / Math.max(1, union);
  }
  /** [first, last] inked column. */
  function inkColumns(rgb: Buffer): [number, number] {
    let first = WIDTH;
    let last = -1;
    for (let y = 0; y < STRIP; y++) {
      for (let x = 0; x < WIDTH; x++) {
        if (!inked(rgb, (y * WIDTH + x) * 3)) continue;
        first = Math.min(first, x);
        last = Math.max(last, x);
      }
    }
    return [first, last];
  }

  const SCRIPTS: [string, string][] = [
    ['Latin', 'Day 3 at the lake'],
    ['Vietnamese', 'Đường phố Hội An, Việt Nam'],
    ['Cyrillic', 'Привет из Москвы'],
    ['Greek', 'Καλημέρα Αθήνα'],
    ['Arabic', 'مرحبا بالعالم'],
    ['Hebrew', 'שלום עולם'],
    ['Devanagari', 'नमस्ते दुनिया'],
    ['Thai', 'สวัสดีครับ'],
    ['emoji', '🇬🇷 👨‍👩‍👧 👍🏽 ❤️'],
  ];

  for (const [script, text] of SCRIPTS) {
    it(`${script}: "${text}" is drawn with real glyphs, not boxes, and nothing is left out`, async () => {
      const { pixels, warnings } = await render(text);
      expect(warnings).toEqual([]);
      expect(inkCount(pixels)).toBeGreaterThan(300);
      expect(difference(pixels, boxes(text, script === 'Latin'))).toBeGreaterThan(0.3);
    });
  }

  it('the check can tell boxes: Chinese without a CJK font would be boxes, and is left out instead', async () => {
    // Had the caption been drawn with the .notdef box, it would equal boxes(): it equals the text without it.
    const { pixels, warnings } = await render('你好 Beijing');
    expect(warnings).toEqual(['images[0] (photo.jpg): caption characters no font can draw were left out: U+4F60 U+597D (add a font that has them with "fonts" or --font)']);
    const { pixels: without } = await render('Beijing');
    expect(difference(pixels, without)).toBe(0);
  });

  it('emoji are in colour', async () => {
    const { pixels } = await render('🇬🇷 👍🏽 ❤️ 🌊');
    let coloured = 0;
    for (let i = 0; i < pixels.length; i += 3) {
      const [r, g, b] = [pixels[i]!, pixels[i + 1]!, pixels[i + 2]!];
      if (Math.max(r, g, b) - Math.min(r, g, b) > 80) coloured++;
    }
    expect(coloured).toBeGreaterThan(500);
  });

  it('one caption mixes scripts: each part drawn by its own font', async () => {
    const text = 'Día 3 — Αθήνα 🇬🇷 שלום';
    const { pixels, warnings } = await render(text);
    expect(warnings).toEqual([]);
    expect(difference(pixels, boxes(text))).toBeGreaterThan(0.3);
    // The Hebrew word is at the end of the left-to-right line: on the right, drawn as Hebrew.
    const { pixels: hebrew } = await render('שלום', { align: 'right' });
    const [hebrewStart] = inkColumns(hebrew);
    const [, mixedEnd] = inkColumns(pixels);
    expect(mixedEnd).toBeGreaterThan(hebrewStart - 400);
  });

  for (const [script, text, first] of [
    ['Hebrew', 'שלום עולם!', 'שלום'],
    ['Arabic', 'مرحبا بالعالم!', 'مرحبا'],
  ] as const) {
    for (const align of ['right', 'start'] as const) {
      it(`${script} starts at the right edge with align "${align}" (its direction found from the text)`, async () => {
        const { pixels } = await render(text, { align });
        const { pixels: word } = await render(first, { align: 'right' });
        const [wordStart, wordEnd] = inkColumns(word);
        const [, end] = inkColumns(pixels);
        expect(end).toBe(wordEnd);
        expect(end).toBeGreaterThan(WIDTH - PADDING - 6);
        // The first word's own pixels, at the right edge (left to right, "!" would be there).
        const region = (rgb: Buffer) => Buffer.concat(Array.from({ length: STRIP }, (_, y) => rgb.subarray((y * WIDTH + wordStart) * 3, (y * WIDTH + WIDTH) * 3)));
        expect(difference(region(pixels), region(word))).toBeLessThan(0.25);
      });
    }
  }

  for (const align of ['center', 'start'] as const) {
    it(`right to left by default (align "${align}"): a cut Hebrew line ends in an ellipsis on the left`, async () => {
      const words = 'שלום עולם זהו כיתוב ארוך מאוד שלא נכנס בשורה אחת ולכן נחתך בסוף';
      const { pixels } = await render(words, { align });
      const [start, end] = inkColumns(pixels);
      // The leftmost half em of ink is the ellipsis: three dots on the baseline, nothing taller.
      const rows: number[] = [];
      for (let y = 0; y < STRIP; y++) for (let x = start; x < start + SIZE / 2; x++) if (inked(pixels, (y * WIDTH + x) * 3)) rows.push(y);
      expect(Math.max(...rows) - Math.min(...rows)).toBeLessThan(SIZE / 6);
      expect(Math.max(...rows)).toBeGreaterThan(BASELINE - 3);
      if (align === 'start') {
        // …and the line starts at the right edge with its first word.
        const { pixels: first } = await render('שלום', { align: 'right' });
        expect(end).toBe(inkColumns(first)[1]);
      }
    });
  }

  it("CJK with the job's font file: drawn; an installed family by name: drawn", async () => {
    const { pixels, warnings } = await render('你好 北京', {}, { fonts: [CJK_SUBSET] });
    expect(warnings).toEqual([]);
    expect(inkCount(pixels)).toBeGreaterThan(300);
    expect(difference(pixels, boxes('你好 北京'))).toBeGreaterThan(0.3);
  });

  it('an installed family named by the caption draws what it has (found by drawing, no file)', async () => {
    const { GlobalFonts } = await import('@napi-rs/canvas');
    const key = GlobalFonts.registerFromPath(CJK_SUBSET, 'Installed CJK For Test');
    try {
      const { pixels, warnings } = await render('你好 東京', { font: 'Installed CJK For Test' });
      // 東 is not in the subset; 你好 and 京 are.
      expect(warnings).toEqual(['images[0] (photo.jpg): caption characters no font can draw were left out: U+6771 (add a font that has them with "fonts" or --font)']);
      expect(difference(pixels, boxes('你好 京'))).toBeGreaterThan(0.3);
    } finally {
      if (key) GlobalFonts.remove(key);
    }
  });
});

describe('caption fonts from the command line', () => {
  const tempDir = useTempDirs();

  async function job(caption: string, extra: Record<string, unknown> = {}): Promise<string> {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'photo.jpg'), await solidImage([60, 110, 160], 300, 200));
    const file = path.join(dir, 'm.json');
    await writeFile(
      file,
      JSON.stringify({ size: { width: 600, height: 200 }, output: 'out.png', style: { caption: { position: 'below' } }, images: [{ src: 'photo.jpg', caption }], ...extra }),
    );
    return file;
  }

  it('CJK without a CJK font: one warning line with the U+ codes, exit 0, in the JSON report too', async () => {
    const file = await job('你好 Beijing 你');
    const result = await runCli(['build', file, '--json']);
    expect(result.code).toBe(0);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toEqual([
      'collage: warning: images[0] (photo.jpg): caption characters no font can draw were left out: U+4F60 U+597D (add a font that has them with "fonts" or --font)',
    ]);
    const report = JSON.parse(result.stdout) as { warnings: { kind: string; src: string; characters: string[] }[] };
    expect(report.warnings).toEqual([expect.objectContaining({ kind: 'missing-glyphs', src: 'photo.jpg', characters: ['U+4F60', 'U+597D'] })]);
    // --quiet: no line, the report keeps it.
    expect((await runCli(['build', file, '--quiet'])).stderr).toBe('');
  });

  it('--font adds a font file; the warning goes away', async () => {
    const file = await job('你好 Beijing');
    const result = await runCli(['build', file, '--font', CJK_SUBSET, '--json']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect((JSON.parse(result.stdout) as { warnings: unknown[] }).warnings).toEqual([]);
  });

  it('a font URL is fetched and cached like a photo', async () => {
    const font = await readFile(CJK_SUBSET);
    const server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'font/otf', 'cache-control': 'max-age=3600' }).end(font);
    });
    try {
      const file = await job('你好', { fonts: [`${server.url}/NotoSansSC-subset.otf`] });
      const cache = path.join(path.dirname(file), 'cache');
      for (let run = 0; run < 2; run++) {
        const result = await runCli(['build', file, '--cache-dir', cache]);
        expect(result.code, result.stderr).toBe(0);
        expect(result.stderr).not.toMatch(/warning/);
      }
      expect(server.requests.map((r) => r.path)).toEqual(['/NotoSansSC-subset.otf']);
    } finally {
      await server.close();
    }
  });

  it('a font that cannot be had, or is no font, stops the job (exit 2) naming it; nothing written', async () => {
    const file = await job('hello', { fonts: ['missing.otf'] });
    let result = await runCli(['build', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^collage: font fonts\[0\] \(missing\.otf\): no such file$/m);
    result = await runCli(['build', await job('hello'), '--font', path.join(ROOT, 'package.json')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/font --font \(.*package\.json\): not a font file/);
    // A caption family that no font, bundled, added or installed, has.
    result = await runCli(['build', await job('hello', { fonts: [CJK_SUBSET], style: { caption: { font: 'Nope Sans' } } })]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/style\.caption\.font: font "Nope Sans" is not installed/);
    result = await runCli(['validate', await job('hello', { fonts: [''] })]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/fonts\[0\]: invalid font: the entry is empty/i);
  });

  it('collage fonts lists the chain and the scripts each draws', async () => {
    const result = await runCli(['fonts', '--font', CJK_SUBSET, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const listing = JSON.parse(result.stdout) as { chain: { family: string; kind: string; scripts: { name: string; complete: boolean }[] }[] };
    const complete = (family: string) =>
      listing.chain
        .find((e) => e.family === family)
        ?.scripts.filter((s) => s.complete)
        .map((s) => s.name);
    expect(listing.chain.map((e) => e.family)).toEqual([
      'Inter',
      'Noto Sans Arabic',
      'Noto Sans Hebrew',
      'Noto Sans Devanagari',
      'Noto Sans Thai',
      'Noto Color Emoji',
      'Noto Sans SC Subset',
    ]);
    expect(complete('Inter')).toEqual(['Latin', 'Latin Extended', 'Vietnamese', 'Greek', 'Cyrillic']);
    expect(complete('Noto Sans Arabic')).toEqual(['Arabic']);
    expect(complete('Noto Color Emoji')).toEqual(['Emoji']);
    expect(listing.chain.at(-1)!.scripts.map((s) => s.name)).toContain('Han (CJK)');
    const text = await runCli(['fonts']);
    expect(text.stdout).toMatch(/^ {2}1\. Inter \(bundled, @fontsource\/inter, 7 files\)\n {7}Latin, Latin Extended, Vietnamese, Greek, Cyrillic$/m);
  });

  it('a 1,000,000-character caption is laid out and drawn', async () => {
    const file = await job(`${'x'.repeat(500_000)} ${'中'.repeat(499_999)}`);
    const result = await runCli(['build', file]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/U\+4E2D/);
  });
});
