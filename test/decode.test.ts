/** Decoding for a cell: formats by bytes, orientation, depth, transparency, sizes. */
import { createCanvas } from '@napi-rs/canvas';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeForCell, readImageHeader, uprightSize } from '../src/decode/index.js';
import { cellSampling } from '../src/layout/index.js';
import { bmp } from './support/images.js';

const WHITE = { r: 255, g: 255, b: 255, a: 1 };

async function decodeWhole(bytes: Buffer, width: number, height: number) {
  const header = await readImageHeader(bytes, 'x');
  const upright = uprightSize(header);
  return decodeForCell(bytes, header, cellSampling(upright.width, upright.height, width, height, 'cover', [0.5, 0.5]), WHITE, 'x');
}

describe('decodeForCell', () => {
  it('decodes BMP through Skia', async () => {
    const bitmap = await decodeWhole(bmp(30, 20, [10, 200, 30]), 15, 10);
    expect([bitmap.width, bitmap.height]).toEqual([15, 10]);
    expect([...bitmap.data.subarray(0, 3)]).toEqual([10, 200, 30]);
  });

  it('returns 8-bit RGB for 16-bit grey PNG, and flattens transparency onto the background', async () => {
    const grey16 = await sharp(Buffer.alloc(40 * 40 * 2, 0x80), { raw: { width: 40, height: 40, channels: 1, premultiplied: false } })
      .toColourspace('grey16')
      .png()
      .toBuffer()
      .catch(() =>
        sharp({ create: { width: 40, height: 40, channels: 3, background: '#808080' } })
          .grayscale()
          .png({ palette: false })
          .toBuffer(),
      );
    const grey = await decodeWhole(grey16, 20, 20);
    expect(grey.data.length).toBe(20 * 20 * 3);
    expect(Math.abs(grey.data[0]! - grey.data[1]!)).toBe(0);

    const canvas = createCanvas(40, 40);
    const context = canvas.getContext('2d');
    context.fillStyle = 'rgba(255, 0, 0, 1)';
    context.fillRect(0, 0, 20, 40); // left half red, right half transparent
    const half = await decodeWhole(await canvas.encode('png'), 40, 40);
    expect([...half.data.subarray(0, 3)]).toEqual([255, 0, 0]);
    const right = (10 * 40 + 35) * 3;
    expect([...half.data.subarray(right, right + 3)]).toEqual([255, 255, 255]);
  });

  it('fails a truncated JPEG with a reason instead of drawing grey', async () => {
    const jpeg = await sharp({ create: { width: 200, height: 200, channels: 3, background: '#3a7' } })
      .jpeg()
      .toBuffer();
    const truncated = jpeg.subarray(0, Math.floor(jpeg.length * 0.6));
    await expect(decodeWhole(truncated, 50, 50)).rejects.toThrow(/cannot decode JPEG/);
  });
});

describe('readImageHeader (JPEG, from its markers)', () => {
  it('agrees with libvips on size, orientation, CMYK and profile, for baseline, progressive, oriented and CMYK files', async () => {
    const { readFile } = await import('node:fs/promises');
    const inputs = [
      await sharp({ create: { width: 40, height: 20, channels: 3, background: '#f00' } })
        .jpeg()
        .withMetadata({ orientation: 6 })
        .toBuffer(),
      await sharp({ create: { width: 41, height: 23, channels: 3, background: '#0f0' } })
        .jpeg({ progressive: true })
        .withIccProfile('p3')
        .toBuffer(),
      await readFile(new URL('./fixtures/cmyk-adobe.jpg', import.meta.url)),
      await readFile(new URL('./fixtures/cmyk-plain.jpg', import.meta.url)),
    ];
    for (const bytes of inputs) {
      const meta = await sharp(bytes).metadata();
      const header = await readImageHeader(bytes, 'x');
      expect([header.width, header.height, header.orientation]).toEqual([meta.width, meta.height, meta.orientation ?? 1]);
      expect(header.cmyk !== undefined).toBe(meta.space === 'cmyk');
      if (header.cmyk) expect(header.cmyk.profile).toBe(meta.hasProfile === true);
    }
  });

  it('names a JPEG whose header is cut off as corrupt', async () => {
    const bytes = await sharp({ create: { width: 40, height: 20, channels: 3, background: '#f00' } })
      .jpeg()
      .toBuffer();
    await expect(readImageHeader(bytes.subarray(0, 30), 'cut.jpg')).rejects.toThrow(/corrupt JPEG header/);
  });
});
