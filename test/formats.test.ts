/** Input formats by bytes (each decodes from a small fixture), corrupt files fail only their image, output formats carry DPI and sRGB. */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { build } from '../src/index.js';
import { runCli } from './support/cli.js';
import { useTempDirs } from './support/files.js';
import { bmp, colorDistance, readPixels, type Rgb } from './support/images.js';
import { jpegSegments, pngChunks, readJfifDensity, readPngDensity } from './support/metadata.js';

const C: Rgb = [200, 60, 30];
const bg = { r: C[0], g: C[1], b: C[2] };
const solid = (channels: 3 | 4 = 3) => sharp({ create: { width: 64, height: 48, channels, background: channels === 4 ? { ...bg, alpha: 1 } : bg } });

/** Every input kind the issue lists, each a small solid image of colour C (grey ones of grey). */
async function inputs(): Promise<Record<string, { bytes: Buffer; color: Rgb }>> {
  const grey: Rgb = [128, 128, 128];
  const greyBg = { r: 128, g: 128, b: 128 };
  return {
    'baseline.jpg': { bytes: await solid().jpeg({ quality: 95, chromaSubsampling: '4:4:4' }).toBuffer(), color: C },
    'progressive.jpg': { bytes: await solid().jpeg({ quality: 95, progressive: true }).toBuffer(), color: C },
    'grey.jpg': {
      bytes: await sharp({ create: { width: 64, height: 48, channels: 3, background: greyBg } })
        .grayscale()
        .jpeg()
        .toBuffer(),
      color: grey,
    },
    'rgb8.png': { bytes: await solid().png().toBuffer(), color: C },
    'rgb16.png': { bytes: await solid().toColourspace('rgb16').png().toBuffer(), color: C },
    'palette-trns.png': { bytes: await solid(4).png({ palette: true }).toBuffer(), color: C },
    'interlaced.png': { bytes: await solid().png({ progressive: true }).toBuffer(), color: C },
    'webp.webp': { bytes: await solid().webp({ lossless: true }).toBuffer(), color: C },
    'gif.gif': { bytes: await solid().gif().toBuffer(), color: C },
    'avif.avif': { bytes: await solid().avif({ quality: 90, chromaSubsampling: '4:4:4' }).toBuffer(), color: C },
    'tiff.tif': { bytes: await solid().tiff().toBuffer(), color: C },
    'bmp.bmp': { bytes: bmp(64, 48, C), color: C },
    'heic.heic': { bytes: await readFile(path.join(import.meta.dirname, 'fixtures', 'red-64x48.heic')), color: C },
  };
}

describe('input formats', () => {
  const tempDir = useTempDirs();

  it('decodes every input format from its bytes (names lie: all are saved as .img)', async () => {
    const dir = await tempDir();
    const files = await inputs();
    const names = Object.keys(files);
    await Promise.all(names.map((name, i) => writeFile(path.join(dir, `${i}.img`), files[name]!.bytes)));
    const output = path.join(dir, 'out.png');
    await build({ size: { width: 32 * names.length, height: 32 }, layout: { type: 'grid', columns: names.length }, images: names.map((_, i) => `${i}.img`) }, { output, cwd: dir });
    const pixels = await readPixels(output);
    names.forEach((name, i) => {
      const got = pixels.at(i * 32 + 16, 16);
      expect(colorDistance(got, files[name]!.color), `${name}: ${got}`).toBeLessThanOrEqual(6);
    });
  });

  it('composites grey + alpha PNG over the background', async () => {
    const dir = await tempDir();
    const half = Buffer.alloc(40 * 40 * 2);
    for (let i = 0; i < 40 * 40; i++) half.set([100, i % 40 < 20 ? 255 : 0], i * 2);
    await writeFile(
      path.join(dir, 'ga.png'),
      await sharp(half, { raw: { width: 40, height: 40, channels: 2 } })
        .toColourspace('b-w')
        .png()
        .toBuffer(),
    );
    expect((await sharp(path.join(dir, 'ga.png')).metadata()).channels).toBe(2);
    const output = path.join(dir, 'out.png');
    await build({ size: { width: 40, height: 40 }, background: '#0000ff', images: ['ga.png'] }, { output, cwd: dir });
    const pixels = await readPixels(output);
    expect(pixels.at(5, 20)).toEqual([100, 100, 100]);
    expect(pixels.at(35, 20)).toEqual([0, 0, 255]);
  });

  it('fails corrupt and truncated files (and unknown bytes) with a reason, only those images', async () => {
    const dir = await tempDir();
    const jpeg = await solid().jpeg().toBuffer();
    const png = await solid().png().toBuffer();
    const files: Record<string, Buffer> = {
      'good.jpg': jpeg,
      'truncated.jpg': jpeg.subarray(0, Math.floor(jpeg.length * 0.5)),
      'corrupt.png': Buffer.concat([png.subarray(0, 40), Buffer.alloc(200, 0x55)]),
      'truncated.heic': (await readFile(path.join(import.meta.dirname, 'fixtures', 'red-64x48.heic'))).subarray(0, 200),
      'garbage.bin': Buffer.from('not an image at all, just some text'),
    };
    for (const [name, bytes] of Object.entries(files)) await writeFile(path.join(dir, name), bytes);
    const manifest = { size: { width: '100px', height: '20px' }, onError: 'placeholder', images: Object.keys(files), output: 'out.png' };
    await writeFile(path.join(dir, 'm.json'), JSON.stringify(manifest));
    const result = await runCli(['build', 'm.json', '--json'], { cwd: dir });
    // Nothing on stderr but the warning, one line per failed photo (no decoder noise, no stack).
    const lines = result.stderr.split('\n').filter(Boolean);
    expect(lines[0]).toBe('collage: 4 of 5 images failed (manifest onError)');
    expect(
      lines
        .slice(1)
        .map((line) => line.split(':')[0])
        .sort(),
    ).toEqual(['  corrupt.png', '  garbage.bin', '  truncated.heic', '  truncated.jpg']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { images: { failed: { src: string; reason: string }[] } };
    const reasons = Object.fromEntries(report.images.failed.map((f) => [f.src, f.reason]));
    expect(Object.keys(reasons).sort()).toEqual(['corrupt.png', 'garbage.bin', 'truncated.heic', 'truncated.jpg']);
    expect(reasons['truncated.jpg']).toMatch(/JPEG/);
    expect(reasons['corrupt.png']).toMatch(/PNG/);
    expect(reasons['truncated.heic']).toMatch(/HEIC/);
    expect(reasons['garbage.bin']).toMatch(/not a supported image/);
  });
});

/** TIFF tags (IFD 0) from the bytes: tag → values. */
function tiffTags(tiff: Buffer): Map<number, { type: number; count: number; value: Buffer }> {
  const le = tiff.toString('latin1', 0, 2) === 'II';
  const u16 = (o: number) => (le ? tiff.readUInt16LE(o) : tiff.readUInt16BE(o));
  const u32 = (o: number) => (le ? tiff.readUInt32LE(o) : tiff.readUInt32BE(o));
  const ifd = u32(4);
  const tags = new Map<number, { type: number; count: number; value: Buffer }>();
  const sizes: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1 };
  for (let i = 0; i < u16(ifd); i++) {
    const e = ifd + 2 + i * 12;
    const type = u16(e + 2);
    const count = u32(e + 4);
    const size = (sizes[type] ?? 1) * count;
    const at = size <= 4 ? e + 8 : u32(e + 8);
    tags.set(u16(e), { type, count, value: tiff.subarray(at, at + size) });
  }
  return tags;
}

describe('output formats', () => {
  const tempDir = useTempDirs();

  async function render(format: string): Promise<Buffer> {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'a.jpg'), await solid().jpeg({ quality: 95 }).toBuffer());
    const manifest = { size: { width: '2in', height: '1in', dpi: 150 }, images: ['a.jpg', 'a.jpg'] };
    await writeFile(path.join(dir, 'm.json'), JSON.stringify(manifest));
    const result = await runCli(['build', 'm.json', '-o', `out.${format}`, '-q'], { cwd: dir });
    expect(result.stderr).toBe('');
    return readFile(path.join(dir, `out.${format}`));
  }

  it('TIFF: 8-bit RGB, LZW, 150 dpi resolution tags, sRGB ICC (tag 34675)', async () => {
    const tiff = await render('tif');
    const tags = tiffTags(tiff);
    expect(tags.get(256)!.value.readUInt16LE(0)).toBe(300); // width
    expect(tags.get(259)!.value.readUInt16LE(0)).toBe(5); // LZW
    expect(tags.get(277)!.value.readUInt16LE(0)).toBe(3); // samples per pixel: RGB, no alpha
    expect(tags.get(258)!.value.readUInt16LE(0)).toBe(8);
    const rational = (tag: number) => tags.get(tag)!.value.readUInt32LE(0) / tags.get(tag)!.value.readUInt32LE(4);
    expect(rational(282)).toBeCloseTo(150, 3);
    expect(rational(283)).toBeCloseTo(150, 3);
    expect(tags.get(296)!.value.readUInt16LE(0)).toBe(2); // inch
    const icc = tags.get(34675)!.value;
    expect(icc.toString('latin1', 36, 40)).toBe('acsp');
    expect(icc.toString('latin1', 16, 20)).toBe('RGB ');
    expect(colorDistance((await readPixels(tiff)).at(50, 50), C)).toBeLessThanOrEqual(4);
  });

  it('WebP: RIFF WEBP with an ICCP chunk, exact size', async () => {
    const webp = await render('webp');
    expect(webp.toString('latin1', 8, 12)).toBe('WEBP');
    expect(webp.includes(Buffer.from('ICCP'))).toBe(true);
    const meta = await sharp(webp).metadata();
    expect([meta.width, meta.height, meta.hasAlpha]).toEqual([300, 150, false]);
  });

  it('PNG and JPEG keep their DPI and sRGB profile', async () => {
    const png = await render('png');
    expect(readPngDensity(png)).toEqual({ unit: 1, x: Math.round(150 / 0.0254), y: Math.round(150 / 0.0254) });
    const iccp = pngChunks(png).find((c) => c.type === 'iCCP')!;
    expect(inflateSync(iccp.data.subarray(iccp.data.indexOf(0) + 2)).toString('latin1', 36, 40)).toBe('acsp');
    const jpeg = await render('jpg');
    expect(readJfifDensity(jpeg)).toEqual({ units: 1, x: 150, y: 150 });
    expect(jpegSegments(jpeg).some((s) => s.marker === 0xe2 && s.data.toString('latin1', 0, 11) === 'ICC_PROFILE')).toBe(true);
  });

  it('refuses a WebP over 16,383 px per side before fetching anything, naming what to change', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'm.json'), JSON.stringify({ size: { width: 20000, height: 100 }, images: ['https://127.0.0.1:9/x.jpg'] }));
    const webp = await runCli(['build', 'm.json', '-o', 'out.webp'], { cwd: dir });
    expect(webp.code).toBe(2);
    expect(webp.stderr).toContain("exceeds WebP's 16,383 px per side");
    expect(webp.stderr).toContain('use png or tiff');
  });

  it('is deterministic for every format', async () => {
    for (const format of ['tif', 'webp', 'pdf']) {
      const [a, b] = [await render(format), await render(format)];
      expect(a.equals(b), format).toBe(true);
    }
  });
});
