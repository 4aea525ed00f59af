/** What a print lab checks first: pixel size, DPI, sRGB profile, baseline 4:4:4 JPEG, RGB PNG, atomic writes. */
import { chmod, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeAtomic } from '../src/output/write.js';
import { runCli } from './support/cli.js';
import { useTempDirs } from './support/files.js';
import { readPixels, solidImage } from './support/images.js';
import { jpegSegments, pngChunks, readJfifDensity, readPngDensity } from './support/metadata.js';

const SRGB_NAME_UTF16 = Buffer.from('\0s\0R\0G\0B', 'latin1');

function expectSrgbProfile(icc: Buffer): void {
  expect(icc.toString('latin1', 36, 40)).toBe('acsp');
  expect(icc.toString('latin1', 16, 20)).toBe('RGB ');
  expect(icc.includes(SRGB_NAME_UTF16) || icc.includes(Buffer.from('sRGB'))).toBe(true);
}

describe('writeAtomic', () => {
  const tempDir = useTempDirs();

  it('writes a file given as pieces byte for byte, empty pieces and more pieces than one writev takes included', async () => {
    const dir = await tempDir();
    const parts = Array.from({ length: 2500 }, (_, i) => Buffer.alloc(i % 7 === 0 ? 0 : (i % 13) + 1, i & 255));
    parts.push(Buffer.alloc(3 * 1024 * 1024, 7));
    await writeAtomic(path.join(dir, 'out.bin'), parts);
    expect((await readFile(path.join(dir, 'out.bin'))).equals(Buffer.concat(parts))).toBe(true);
    expect(await readdir(dir)).toEqual(['out.bin']);
  });
});

describe('output files', () => {
  const tempDir = useTempDirs();
  let dir: string;

  beforeAll(async () => {
    // Not a useTempDirs dir: shared by the tests below.
    dir = path.join(os.tmpdir(), `collage-output-${process.pid}`);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'a.jpg'), await solidImage([200, 50, 50], 300, 200));
    await writeFile(path.join(dir, 'b.png'), await solidImage([50, 200, 50], 200, 300, 'png'));
    const manifest = { size: { width: '4in', height: '3in', dpi: 240 }, gap: '1mm', images: ['a.jpg', 'b.png', 'a.jpg'] };
    await writeFile(path.join(dir, 'm.json'), JSON.stringify(manifest));
  });

  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('JPEG: baseline, 4:4:4, JFIF density, sRGB ICC in APP2, 8-bit RGB of the exact size', async () => {
    expect((await runCli(['build', 'm.json', '-o', 'out.jpg', '-q'], { cwd: dir })).code).toBe(0);
    const jpeg = await readFile(path.join(dir, 'out.jpg'));
    const segments = jpegSegments(jpeg);
    expect(segments[0]!.marker).toBe(0xe0); // JFIF APP0 right after SOI
    expect(readJfifDensity(jpeg)).toEqual({ units: 1, x: 240, y: 240 });
    const sof = segments.find((s) => s.marker >= 0xc0 && s.marker <= 0xcf && s.marker !== 0xc4 && s.marker !== 0xc8 && s.marker !== 0xcc)!;
    expect(sof.marker).toBe(0xc0); // SOF0: baseline, not progressive (0xc2)
    expect(sof.data[0]).toBe(8); // 8 bits per sample
    expect([sof.data.readUInt16BE(3), sof.data.readUInt16BE(1)]).toEqual([960, 720]);
    expect(sof.data[5]).toBe(3); // three components: RGB (YCbCr), no alpha
    expect([sof.data[7], sof.data[10], sof.data[13]]).toEqual([0x11, 0x11, 0x11]); // 4:4:4
    const icc = segments.find((s) => s.marker === 0xe2 && s.data.toString('latin1', 0, 12) === 'ICC_PROFILE\0')!;
    expectSrgbProfile(icc.data.subarray(14));
  });

  it('PNG: 8-bit RGB (no alpha), pHYs in px/m, iCCP sRGB, no timestamp chunk', async () => {
    expect((await runCli(['build', 'm.json', '-o', 'out.png', '-q'], { cwd: dir })).code).toBe(0);
    const png = await readFile(path.join(dir, 'out.png'));
    const chunks = pngChunks(png);
    const ihdr = chunks[0]!;
    expect(ihdr.type).toBe('IHDR');
    expect([ihdr.data.readUInt32BE(0), ihdr.data.readUInt32BE(4)]).toEqual([960, 720]);
    expect([ihdr.data[8], ihdr.data[9]]).toEqual([8, 2]); // bit depth 8, colour type 2 = RGB
    expect(readPngDensity(png)).toEqual({ unit: 1, x: Math.round(240 / 0.0254), y: Math.round(240 / 0.0254) });
    const iccp = chunks.find((c) => c.type === 'iCCP')!;
    expect(iccp).toBeDefined();
    const { inflateSync } = await import('node:zlib');
    const nameEnd = iccp.data.indexOf(0);
    expectSrgbProfile(inflateSync(iccp.data.subarray(nameEnd + 2)));
    expect(chunks.some((c) => c.type === 'tIME')).toBe(false);
  });

  it('takes the format from the extension, and --format/--quality override the manifest', async () => {
    const low = await runCli(['build', 'm.json', '-o', 'low.jpg', '--quality', '40', '-q'], { cwd: dir });
    const high = await runCli(['build', 'm.json', '-o', 'high.jpg', '-q'], { cwd: dir });
    expect([low.code, high.code]).toEqual([0, 0]);
    const [lowBytes, highBytes] = await Promise.all([readFile(path.join(dir, 'low.jpg')), readFile(path.join(dir, 'high.jpg'))]);
    expect(lowBytes.length).toBeLessThan(highBytes.length);
    const mismatch = await runCli(['build', 'm.json', '-o', 'x.png', '--format', 'jpeg'], { cwd: dir });
    expect(mismatch.code).toBe(2);
    expect(mismatch.stderr).toContain('format: is jpeg but the output file x.png ends in .png');
  });

  it('exits 1 with one line when the output folder is not writable, leaving nothing behind', async () => {
    const locked = await tempDir();
    await chmod(locked, 0o500);
    const result = await runCli(['build', path.join(dir, 'm.json'), '-o', path.join(locked, 'out.jpg')]);
    await chmod(locked, 0o700);
    if (process.getuid?.() === 0) {
      // root ignores directory permissions; a missing folder still cannot be written.
      const missing = await runCli(['build', path.join(dir, 'm.json'), '-o', path.join(locked, 'no', 'such', 'out.jpg')]);
      expect(missing.code).toBe(1);
      // One line, before any image was read: no progress lines.
      expect(missing.stderr.trim()).toMatch(/^collage: cannot write .*out\.jpg: the folder does not exist$/);
      return;
    }
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(/^collage: cannot write .*: permission denied$/);
    expect(await readdir(locked)).toEqual([]);
  });

  it('renders a solid cell with the photo colour (sRGB in, sRGB out)', async () => {
    const pixels = await readPixels(path.join(dir, 'out.png'));
    const [r, g, b] = pixels.at(100, 100);
    expect(Math.abs(r - 200) + Math.abs(g - 50) + Math.abs(b - 50)).toBeLessThan(12);
  });
});
