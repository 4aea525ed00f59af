/** Proxies (decode/proxy.ts): a photo decoded early for its expected cell gives the cell the pixels of a direct decode. */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeForCell, readImageHeader, type Bitmap } from '../src/decode/index.js';
import { cellFromProxy, decodeProxy, proxyCovers, proxySize } from '../src/decode/proxy.js';
import { cellSampling } from '../src/layout/index.js';
import { photoLikeJpeg } from '../scripts/photo-like.js';

const WHITE = { r: 255, g: 255, b: 255, a: 1 };

function meanDifference(a: Bitmap, b: Bitmap): number {
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs(a.data[i]! - b.data[i]!);
  return sum / a.data.length;
}

describe('proxies', () => {
  it('are the photo scaled to cover the expected cell, and not made when that is too large to keep', async () => {
    const header = await readImageHeader(await photoLikeJpeg(1, 1024, 768), 'a.jpg');
    expect(proxySize(header, { width: 192, height: 144 })).toEqual({ width: 192, height: 144 });
    expect(proxySize(header, { width: 150, height: 200 })).toEqual({ width: 267, height: 200 });
    expect(proxySize(header, { width: 3000, height: 2000 })).toBeNull();
  });

  it('give the expected cell exactly the pixels of a direct decode, and a slightly different cell nearly them', async () => {
    const translucent = await sharp({ create: { width: 600, height: 400, channels: 4, background: { r: 200, g: 40, b: 40, alpha: 0.5 } } })
      .png()
      .toBuffer();
    const rotated = await sharp(await photoLikeJpeg(7, 1024, 768, 90))
      .withMetadata({ orientation: 6 })
      .jpeg({ quality: 90 })
      .toBuffer();
    const photos: [string, Buffer][] = [
      ['landscape', await photoLikeJpeg(1, 1024, 768, 90)],
      ['portrait', await photoLikeJpeg(2, 768, 1024, 90)],
      ['square', await photoLikeJpeg(3, 1000, 1000, 90)],
      ['EXIF-rotated', rotated],
      ['translucent PNG', translucent],
    ];
    const expected = { width: 192, height: 144 };
    for (const [name, bytes] of photos) {
      const header = await readImageHeader(bytes, name);
      const upright = header.orientation >= 5 ? [header.height, header.width] : [header.width, header.height];
      const proxy = await decodeProxy(bytes, header, proxySize(header, expected)!, WHITE, name);
      for (const [cell, focus, bound] of [
        // Identical, but for EXIF-rotated photos (libvips orders rotate, resize and cut differently: under 1/255 on average).
        [expected, [0.5, 0.4], name === 'EXIF-rotated' ? 1 : 0],
        [{ width: 188, height: 141 }, [0.5, 0.5], 1.5],
        [{ width: 100, height: 125 }, [0.3, 0.5], 1.5],
      ] as const) {
        const sampling = cellSampling(upright[0]!, upright[1]!, cell.width, cell.height, 'cover', focus);
        expect(proxyCovers(proxy, { width: sampling.scaledWidth, height: sampling.scaledHeight }), name).toBe(true);
        const direct = await decodeForCell(bytes, header, sampling, WHITE, name);
        const fromProxy = await cellFromProxy(proxy, sampling);
        expect([fromProxy.width, fromProxy.height]).toEqual([direct.width, direct.height]);
        expect(meanDifference(direct, fromProxy), `${name} in ${cell.width}×${cell.height}`).toBeLessThanOrEqual(bound);
      }
    }
  });

  it('do not serve a cell much larger than they are', () => {
    expect(proxyCovers({ width: 256, height: 192 }, { width: 262, height: 196 })).toBe(true);
    expect(proxyCovers({ width: 256, height: 192 }, { width: 300, height: 225 })).toBe(false);
  });
});
