/** Tagging and untagging JPEG bytes with an ICC profile (APP2), without touching the pixels. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { jpegSegments } from './metadata.js';

export const ADOBE_RGB_ICC = readFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'compatibleWithAdobeRGB1998.icc'));
export const PROPHOTO_ICC = readFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'ProPhotoRGB.icc'));

/** One of the profiles sharp ships ('srgb', 'p3', 'cmyk'), as bytes. */
export async function sharpProfile(name: 'srgb' | 'p3' | 'cmyk'): Promise<Buffer> {
  const image = sharp({ create: { width: 1, height: 1, channels: 3, background: '#000' } });
  // An RGB PNG cannot carry a CMYK profile: embed that one in a CMYK JPEG.
  const encoded = name === 'cmyk' ? await image.toColourspace('cmyk').withIccProfile(name).jpeg().toBuffer() : await image.withIccProfile(name).png().toBuffer();
  const icc = (await sharp(encoded).metadata()).icc;
  if (!icc) throw new Error(`sharp did not embed its ${name} profile`);
  return icc;
}

/** The JPEG without any ICC APP2 segments. */
export function stripJpegIcc(jpeg: Buffer): Buffer {
  const drop = jpegSegments(jpeg).filter((s) => s.marker === 0xe2 && s.data.toString('latin1', 0, 12) === 'ICC_PROFILE\0');
  const parts: Buffer[] = [];
  let at = 0;
  for (const s of drop) {
    parts.push(jpeg.subarray(at, s.offset));
    at = s.offset + 2 + jpeg.readUInt16BE(s.offset + 2);
  }
  parts.push(jpeg.subarray(at));
  return Buffer.concat(parts);
}

/**
 * The JPEG with `icc` in APP2 segments right after SOI (split into numbered chunks when it is
 * over one segment's 65,519 bytes, as the ICC spec says): stored pixels unchanged.
 */
export function tagJpeg(jpeg: Buffer, icc: Buffer): Buffer {
  const CHUNK = 65_535 - 2 - 14;
  const count = Math.ceil(icc.length / CHUNK);
  if (count > 255) throw new Error(`ICC profile of ${icc.length} bytes does not fit in 255 APP2 segments`);
  const segments: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const part = icc.subarray(i * CHUNK, (i + 1) * CHUNK);
    const head = Buffer.alloc(4 + 14);
    head.writeUInt16BE(0xffe2, 0);
    head.writeUInt16BE(2 + 14 + part.length, 2);
    head.write('ICC_PROFILE\0', 4, 'latin1');
    head[16] = i + 1;
    head[17] = count;
    segments.push(head, part);
  }
  const plain = stripJpegIcc(jpeg);
  return Buffer.concat([plain.subarray(0, 2), ...segments, plain.subarray(2)]);
}

/** The PNG with an iCCP chunk for `icc` right after IHDR (any sRGB chunk dropped). */
export function tagPng(png: Buffer, icc: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from('icc\0\0', 'latin1'), deflateSync(icc)]);
  const chunk = Buffer.alloc(12 + body.length);
  chunk.writeUInt32BE(body.length, 0);
  chunk.write('iCCP', 4, 'latin1');
  body.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + body.length)), 8 + body.length);
  const ihdrEnd = 8 + 12 + png.readUInt32BE(8);
  return Buffer.concat([png.subarray(0, ihdrEnd), chunk, png.subarray(ihdrEnd)]);
}
