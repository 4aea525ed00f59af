/** Stage 3, decode: bytes → an upright, sRGB bitmap, refusing pixel bombs before decoding. */
import { loadImage, type Image } from '@napi-rs/canvas';
import sharp from 'sharp';
import { ImageError } from '../errors.js';
import { describeNonImage, sniffFormat, type ImageFormat } from './sniff.js';

export { sniffFormat, type ImageFormat } from './sniff.js';

/** Default cap on decoded pixels per image (a 120 Mpx photo is 480 MB of RGBA). */
export const DEFAULT_MAX_PIXELS = 120_000_000;

export interface DecodeOptions {
  maxPixels: number;
}

export interface ImageHeader {
  format: ImageFormat;
  /** Stored width and height (before EXIF orientation). */
  width: number;
  height: number;
  /** EXIF orientation 1..8. */
  orientation: number;
}

export interface DecodedImage {
  /** Upright (EXIF orientation applied), colour-managed to sRGB by Skia. */
  image: Image;
  width: number;
  height: number;
  format: ImageFormat;
}

/** Decoders the canvas engine has. TIFF and HEIC are recognised but not decodable yet. */
const DECODABLE = new Set<ImageFormat>(['jpeg', 'png', 'gif', 'webp', 'avif', 'bmp']);

/** Format, size and orientation from the header alone: cheap, and safe on hostile input. */
export async function readImageHeader(bytes: Buffer, src: string): Promise<ImageHeader> {
  const format = sniffFormat(bytes);
  if (!format) throw new ImageError(src, describeNonImage(bytes));
  if (!DECODABLE.has(format)) throw new ImageError(src, `${format.toUpperCase()} images are not supported yet; convert to JPEG or PNG`);
  if (format === 'bmp') {
    // BITMAPINFOHEADER: width and height as int32 LE at 18 and 22 (height negative = top-down).
    return { format, width: Math.abs(bytes.readInt32LE(18)), height: Math.abs(bytes.readInt32LE(22)), orientation: 1 };
  }
  try {
    const meta = await sharp(bytes, { limitInputPixels: false, failOn: 'none' }).metadata();
    if (!meta.width || !meta.height) throw new Error('no dimensions');
    return { format, width: meta.width, height: meta.height, orientation: meta.orientation ?? 1 };
  } catch (error) {
    throw new ImageError(src, `corrupt ${format.toUpperCase()} header`, { cause: error });
  }
}

export function checkPixelLimit(header: ImageHeader, src: string, options: DecodeOptions): void {
  const pixels = header.width * header.height;
  if (pixels > options.maxPixels) {
    throw new ImageError(
      src,
      `${header.width}×${header.height} px (${(pixels / 1e6).toFixed(0)} Mpx) is over the ${(options.maxPixels / 1e6).toFixed(0)} Mpx decode limit`,
    );
  }
}

export async function decodeImage(bytes: Buffer, src: string, options: DecodeOptions): Promise<DecodedImage> {
  const header = await readImageHeader(bytes, src);
  checkPixelLimit(header, src, options);
  let image: Image;
  try {
    image = await loadImage(bytes);
  } catch (error) {
    throw new ImageError(src, `cannot decode ${header.format.toUpperCase()}: ${(error as Error).message}`, { cause: error });
  }
  if (!image.width || !image.height) throw new ImageError(src, `cannot decode ${header.format.toUpperCase()}: no pixels`);
  return { image, width: image.width, height: image.height, format: header.format };
}
