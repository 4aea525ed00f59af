/** Real images made for tests, and reading pixels back from outputs. */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import sharp from 'sharp';

export type Rgb = [number, number, number];

/** A solid-colour image; `format` jpeg (4:4:4, q95) or png. */
export async function solidImage(color: Rgb, width: number, height: number, format: 'jpeg' | 'png' = 'jpeg'): Promise<Buffer> {
  const image = sharp({ create: { width, height, channels: 3, background: { r: color[0], g: color[1], b: color[2] } } });
  return format === 'png' ? image.png().toBuffer() : image.jpeg({ quality: 95, chromaSubsampling: '4:4:4' }).toBuffer();
}

/** An image from raw RGB pixels. */
export async function rawImage(pixels: Buffer, width: number, height: number, format: 'jpeg' | 'png' = 'png'): Promise<Buffer> {
  const image = sharp(pixels, { raw: { width, height, channels: 3 } });
  return format === 'png' ? image.png().toBuffer() : image.jpeg({ quality: 95, chromaSubsampling: '4:4:4' }).toBuffer();
}

export interface Pixels {
  width: number;
  height: number;
  channels: number;
  data: Buffer;
  at(x: number, y: number): Rgb;
}

export async function readPixels(input: string | Buffer): Promise<Pixels> {
  const { data, info } = await sharp(input).raw().toBuffer({ resolveWithObject: true });
  return {
    width: info.width,
    height: info.height,
    channels: info.channels,
    data,
    at(x, y) {
      const i = (y * info.width + x) * info.channels;
      return [data[i]!, data[i + 1]!, data[i + 2]!];
    },
  };
}

export function colorDistance(a: Rgb, b: Rgb): number {
  return Math.max(Math.abs(a[0] - b[0]), Math.abs(a[1] - b[1]), Math.abs(a[2] - b[2]));
}

/** A distinct, well-separated colour for image `i` of `n` (so cells can be told apart by pixel). */
export function distinctColor(i: number): Rgb {
  const hue = (i * 137.508) % 360;
  const light = i % 2 === 0 ? 0.45 : 0.6;
  return hslToRgb(hue, 0.75, light);
}

function hslToRgb(h: number, s: number, l: number): Rgb {
  const c = (1 - Math.abs(2 * l - 1)) * s;
  const x = c * (1 - Math.abs(((h / 60) % 2) - 1));
  const m = l - c / 2;
  const [r, g, b] = h < 60 ? [c, x, 0] : h < 120 ? [x, c, 0] : h < 180 ? [0, c, x] : h < 240 ? [0, x, c] : h < 300 ? [x, 0, c] : [c, 0, x];
  return [Math.round((r + m) * 255), Math.round((g + m) * 255), Math.round((b + m) * 255)];
}

/** A 24-bit BMP (BITMAPINFOHEADER, bottom-up rows): the one input format libvips cannot read. */
export function bmp(width: number, height: number, rgb: Rgb): Buffer {
  const row = Math.ceil((width * 3) / 4) * 4;
  const file = Buffer.alloc(54 + row * height);
  file.write('BM', 0, 'latin1');
  file.writeUInt32LE(file.length, 2);
  file.writeUInt32LE(54, 10);
  file.writeUInt32LE(40, 14);
  file.writeInt32LE(width, 18);
  file.writeInt32LE(height, 22);
  file.writeUInt16LE(1, 26);
  file.writeUInt16LE(24, 28);
  file.writeUInt32LE(row * height, 34);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) file.set([rgb[2], rgb[1], rgb[0]], 54 + y * row + x * 3);
  return file;
}

/**
 * A flat progressive JPEG (4:4:4, what makes 12800×8600 a 1.3 MB file) written to `file` by a
 * child process: encoding 110 Mpx holds ~700 MB, which stays out of the test's own process.
 */
export async function writeProgressiveJpeg(file: string, width: number, height: number): Promise<void> {
  const sharpPath = createRequire(import.meta.url).resolve('sharp');
  const script = `require(${JSON.stringify(sharpPath)})({ create: { width: ${width}, height: ${height}, channels: 3, background: { r: 90, g: 140, b: 200 } } })
    .jpeg({ quality: 90, progressive: true, chromaSubsampling: '4:4:4' }).toFile(${JSON.stringify(file)}).catch((e) => { console.error(e); process.exit(1); });`;
  await promisify(execFile)(process.execPath, ['-e', script]);
}
