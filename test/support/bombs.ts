/** Decompression bombs for tests and the bench's speed checks: tiny files that claim huge images. */
import { crc32, deflateSync } from 'node:zlib';
import { solidImage, type Rgb } from './images.js';

/** A real bomb: a `width`×`height` 1-bit PNG whose pixels are all zero (30000² ≈ 110 kB compressed). */
export function pngBomb(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    out.write(type, 4, 'ascii');
    data.copy(out, 8);
    out.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type, 'ascii'), data])), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // greyscale
  const raw = Buffer.alloc((1 + Math.ceil(width / 8)) * height);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A small real JPEG whose SOF0 header is patched to claim `width`×`height`. */
export async function jpegClaiming(width: number, height: number, color: Rgb = [220, 20, 20]): Promise<Buffer> {
  const jpeg = Buffer.from(await solidImage(color, 16, 16, 'jpeg'));
  for (let i = 2; i < jpeg.length - 9; ) {
    const marker = jpeg[i + 1]!;
    if (marker === 0xc0 || marker === 0xc2) {
      jpeg.writeUInt16BE(height, i + 5);
      jpeg.writeUInt16BE(width, i + 7);
      return jpeg;
    }
    i += 2 + jpeg.readUInt16BE(i + 2);
  }
  throw new Error('no SOF marker');
}
