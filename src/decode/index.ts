/**
 * Stage 3, decode: bytes → an upright sRGB bitmap at the size the cell needs, refusing
 * pixel bombs from the header before any pixel is decoded.
 *
 * sharp (libvips) decodes: JPEG shrink-on-load makes a 12 Mpx photo bound for a 300 px
 * cell cost ~30 ms and a few MB instead of ~300 ms and 48 MB; EXIF orientation is applied,
 * embedded ICC profiles (Adobe RGB, P3, CMYK) are converted to sRGB, and Lanczos resampling
 * does not alias. Skia decodes the one format libvips lacks (BMP), and CMYK/YCCK JPEGs.
 */
import sharp, { type Sharp } from 'sharp';
import { ImageError } from '../errors.js';
import type { CellSampling } from '../layout/index.js';
import type { Rgba } from '../manifest/index.js';
import { decodeHeicRgba, HEIC_MISSING, heicSize } from './heic.js';
import { describeNonImage, sniffFormat, type ImageFormat } from './sniff.js';
import { readExif } from './exif.js';
import { readJpegHeader } from './jpeg-header.js';
import { decodeFrame, type DecodeFrame } from './frame.js';
import { iccSegments, walkJpegSegments } from '../jpeg-markers.js';
import { loadSkia } from '../skia.js';

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
  /** EXIF capture time (ms of the wall-clock time written), when the photo has one. */
  taken?: number;
  /**
   * A CMYK or YCCK JPEG: resampled in CMYK by sharp, converted to sRGB by Skia (skcms),
   * relative-colorimetrically, with the embedded profile or, without one, libvips' built-in CMYK
   * profile (the one sharp assumes). sharp's own CMYK → sRGB converts perceptually and came out
   * ΔE 4.7–10 from lcms' own conversions, 7.6 for untagged CMYK (test/colour.test.ts). `adobe`: an APP14 "Adobe" marker is present, so the
   * stored values are inverted (Photoshop's convention); without it they are plain ink values,
   * which both libvips and Skia would wrongly invert too.
   */
  cmyk?: { adobe: boolean; profile: boolean };
  /** How the decoder holds its pixels (whole frame or streamed rows, shrink-on-load): decode/memory.ts. */
  frame: DecodeFrame;
}

/** Packed 8-bit RGB pixels (transparency is flattened onto the background). */
export interface Bitmap {
  data: Buffer;
  width: number;
  height: number;
}

/** Formats we decode (HEIC only with the optional heic-decode package). */
const DECODABLE = new Set<ImageFormat>(['jpeg', 'png', 'gif', 'webp', 'avif', 'heic', 'tiff', 'bmp']);

/** Format, size and orientation from the header alone: cheap, and safe on hostile input. */
export async function readImageHeader(bytes: Buffer, src: string): Promise<ImageHeader> {
  const format = sniffFormat(bytes);
  if (!format) throw new ImageError(src, describeNonImage(bytes), { code: 'E_NOT_IMAGE' });
  if (!DECODABLE.has(format)) throw new ImageError(src, `${format.toUpperCase()} images are not supported yet; convert to JPEG or PNG`, { code: 'E_UNSUPPORTED' });
  if (format === 'bmp') {
    // BITMAPINFOHEADER: width and height as int32 LE at 18 and 22 (height negative = top-down).
    return { format, width: Math.abs(bytes.readInt32LE(18)), height: Math.abs(bytes.readInt32LE(22)), orientation: 1, frame: decodeFrame(format, bytes) };
  }
  if (format === 'heic') {
    try {
      return { format, ...(await heicSize(bytes)), orientation: 1, frame: decodeFrame(format, bytes) };
    } catch (error) {
      if (error instanceof Error && error.message === HEIC_MISSING) throw new ImageError(src, HEIC_MISSING, { code: 'E_UNSUPPORTED', cause: error });
      throw new ImageError(src, `corrupt HEIC header: ${firstLine(error)}`, { code: 'E_CORRUPT', cause: error });
    }
  }
  if (format === 'jpeg') {
    // Read in JS from the markers; libvips only when they are not well formed (its error says why).
    const jpeg = readJpegHeader(bytes);
    if (jpeg) {
      const { taken, orientation } = readExif(jpeg.exif);
      return {
        format,
        width: jpeg.width,
        height: jpeg.height,
        orientation,
        ...(taken !== null && { taken }),
        ...(jpeg.components === 4 && { cmyk: { adobe: jpeg.adobe, profile: jpeg.icc } }),
        frame: decodeFrame(format, bytes, jpeg),
      };
    }
  }
  try {
    const meta = await sharp(bytes, { limitInputPixels: false }).metadata();
    if (!meta.width || !meta.height) throw new Error('no dimensions');
    const { taken } = readExif(meta.exif);
    const cmyk = format === 'jpeg' && meta.space === 'cmyk' ? { adobe: hasAdobeMarker(bytes), profile: meta.hasProfile === true } : undefined;
    return {
      format,
      width: meta.width,
      height: meta.height,
      orientation: meta.orientation ?? 1,
      ...(taken !== null && { taken }),
      ...(cmyk && { cmyk }),
      // Markers libvips read but we could not: its progressive flag, no chroma subsampling assumed.
      frame: decodeFrame(
        format,
        bytes,
        format === 'jpeg' ? { components: meta.channels ?? 4, coding: meta.isProgressive ? 'progressive' : 'baseline', samplesPerPixel: meta.channels ?? 4 } : null,
      ),
    };
  } catch (error) {
    throw new ImageError(src, `corrupt ${format.toUpperCase()} header`, { code: 'E_CORRUPT', cause: error });
  }
}

/** Width and height as displayed, after EXIF orientation. */
export function uprightSize(header: ImageHeader): { width: number; height: number } {
  return header.orientation >= 5 ? { width: header.height, height: header.width } : { width: header.width, height: header.height };
}

export function checkPixelLimit(header: ImageHeader, src: string, options: DecodeOptions): void {
  const pixels = header.width * header.height;
  if (pixels > options.maxPixels) {
    throw new ImageError(src, `${header.width}×${header.height} px (${(pixels / 1e6).toFixed(0)} Mpx) is over the ${(options.maxPixels / 1e6).toFixed(0)} Mpx decode limit`, {
      code: 'E_PIXEL_LIMIT',
    });
  }
}

/** Decodes the image upright, resampled to `sampling.scaled*`, and returns `sampling.region` of it. */
export async function decodeForCell(
  bytes: Buffer,
  header: ImageHeader,
  sampling: CellSampling,
  background: Rgba,
  src: string,
  pad?: { top: number; right: number; bottom: number; left: number },
): Promise<Bitmap> {
  const { scaledWidth, scaledHeight, region } = sampling;
  const width = region.width + (pad ? pad.left + pad.right : 0);
  const height = region.height + (pad ? pad.top + pad.bottom : 0);
  try {
    const input = await decoderFor(bytes, header, scaledWidth, scaledHeight);
    let pipeline = input.autoOrient().resize(scaledWidth, scaledHeight, { fit: 'fill', kernel: 'lanczos3' });
    const cropped = region.width !== scaledWidth || region.height !== scaledHeight;
    // An extract after autoOrient makes sharp orient *before* resizing (resize.js: orientBefore),
    // which copies the whole stored image into memory and loses shrink-on-load: a 30000×30000
    // TIFF with orientation 6 took 2.7 GB. An oriented photo is resampled whole and cropped here.
    const cropHere = cropped && header.orientation !== 1;
    if (cropped && !cropHere) pipeline = pipeline.extract(region);
    // Opaque images (every JPEG) come out as packed RGB, ready to copy: no alpha band to add,
    // flatten and strip again (~10% of a small photo's decode). Transparent ones keep alpha.
    const resampled = await pipeline.toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    const info = cropHere ? { ...resampled.info, width: region.width, height: region.height } : resampled.info;
    const data = cropHere ? cropRaw(resampled.data, resampled.info.width, resampled.info.channels, region) : resampled.data;
    const channels = info.channels;
    if (info.width !== region.width || info.height !== region.height || (channels !== 3 && channels !== 4)) {
      throw new Error(`decoder returned ${info.width}×${info.height}×${channels}`);
    }
    // Bleed `extend`: the photo's own edge mirrored outward where it has no more pixels. A
    // second, cell-sized pass: sharp drops an extend that follows a post-resize extract.
    const padded =
      pad && (width !== region.width || height !== region.height)
        ? await sharp(data, { raw: { width: info.width, height: info.height, channels } })
            .extend({ ...pad, extendWith: 'mirror' })
            .raw()
            .toBuffer()
        : data;
    if (padded.length !== width * height * channels) throw new Error(`bleed extension returned ${padded.length} bytes`);
    if (channels === 3) return { data: padded, width, height };
    flattenOnto(padded, background);
    return { data: packRgb(padded), width, height };
  } catch (error) {
    throw new ImageError(src, `cannot decode ${header.format.toUpperCase()}: ${firstLine(error)}`, { code: 'E_CORRUPT', cause: error });
  }
}

/**
 * Transparency composited over the page colour, in sRGB. (libvips' own flatten runs in the
 * image's space, so a grey + alpha PNG over a blue page would get a grey background.)
 */
function flattenOnto(rgba: Buffer, background: Rgba): void {
  for (let i = 3; i < rgba.length; i += 4) {
    const a = rgba[i]!;
    if (a === 255) continue;
    const t = a / 255;
    rgba[i - 3] = Math.round(rgba[i - 3]! * t + background.r * (1 - t));
    rgba[i - 2] = Math.round(rgba[i - 2]! * t + background.g * (1 - t));
    rgba[i - 1] = Math.round(rgba[i - 1]! * t + background.b * (1 - t));
    rgba[i] = 255;
  }
}

/** `region` of a packed raw image `width` pixels wide. */
function cropRaw(pixels: Buffer, width: number, channels: number, region: { left: number; top: number; width: number; height: number }): Buffer {
  const rowBytes = region.width * channels;
  const out = Buffer.allocUnsafe(rowBytes * region.height);
  for (let y = 0; y < region.height; y++) {
    const from = ((region.top + y) * width + region.left) * channels;
    pixels.copy(out, y * rowBytes, from, from + rowBytes);
  }
  return out;
}

/** RGBA (sharp's or a canvas's) → packed RGB (the poster's format), alpha already flattened. */
export function packRgb(rgba: ArrayLike<number>): Buffer {
  const rgb = Buffer.allocUnsafe((rgba.length / 4) * 3);
  for (let from = 0, to = 0; from < rgba.length; from += 4, to += 3) {
    rgb[to] = rgba[from]!;
    rgb[to + 1] = rgba[from + 1]!;
    rgb[to + 2] = rgba[from + 2]!;
  }
  return rgb;
}

/** sharp for everything libvips reads; Skia for BMP and CMYK; the optional WASM libheif for HEIC. */
async function decoderFor(bytes: Buffer, header: ImageHeader, width: number, height: number): Promise<Sharp> {
  if (header.format === 'bmp') return decodeWithSkia(bytes);
  if (header.cmyk) {
    // Resampled in CMYK to the upright size wanted, so Skia decodes a cell-sized image.
    const stored = header.orientation >= 5 ? { width: height, height: width } : { width, height };
    return decodeWithSkia(await skiaReadyCmyk(bytes, header.cmyk, stored));
  }
  if (header.format === 'heic') return decodeHeic(bytes);
  return sharp(bytes, { limitInputPixels: false });
}

async function decodeHeic(bytes: Buffer): Promise<Sharp> {
  const image = await decodeHeicRgba(bytes);
  return sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), {
    raw: { width: image.width, height: image.height, channels: 4 },
  });
}

async function decodeWithSkia(bytes: Buffer): Promise<Sharp> {
  const { createCanvas, loadImage } = loadSkia();
  const image = await loadImage(bytes);
  const canvas = createCanvas(image.width, image.height);
  const context = canvas.getContext('2d');
  context.drawImage(image, 0, 0);
  const pixels = context.getImageData(0, 0, image.width, image.height).data;
  return sharp(Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength), {
    raw: { width: image.width, height: image.height, channels: 4 },
  });
}

/**
 * The CMYK/YCCK JPEG as Skia reads it right, at `size` (as stored, before EXIF orientation).
 *
 * sharp resamples it in CMYK (JPEG shrink-on-load: a 12 Mpx photo bound for a 400 px cell costs
 * ~200 ms, not the ~800 ms of a full Skia decode) and writes it again as an Adobe CMYK JPEG
 * (q100, 4:4:4, EXIF and profile kept). Skia, like libvips, takes every CMYK JPEG's values as
 * Adobe-inverted, but one without the APP14 marker stores plain ink: libvips' load of it
 * (inverted) is negated back first. An untagged one gets libvips' built-in CMYK profile, so untagged CMYK converts with the
 * profile sharp would assume, but relative-colorimetrically like tagged CMYK.
 */
async function skiaReadyCmyk(bytes: Buffer, cmyk: { adobe: boolean; profile: boolean }, size: { width: number; height: number }): Promise<Buffer> {
  let pipeline = sharp(bytes, { limitInputPixels: false }).pipelineColourspace('cmyk');
  if (!cmyk.adobe) pipeline = pipeline.negate({ alpha: false });
  const jpeg = await pipeline
    .resize(size.width, size.height, { fit: 'fill', kernel: 'lanczos3' })
    .toColourspace('cmyk')
    .keepMetadata()
    .jpeg({ quality: 100, chromaSubsampling: '4:4:4' })
    .toBuffer();
  return cmyk.profile ? jpeg : withIcc(jpeg, await defaultCmykProfile());
}

let cmykProfile: Promise<Buffer> | undefined;

/** libvips' built-in CMYK profile (Argyll's public-domain "Chemical proof"), as sharp embeds it. */
function defaultCmykProfile(): Promise<Buffer> {
  cmykProfile ??= sharp({ create: { width: 1, height: 1, channels: 3, background: '#fff' } })
    .toColourspace('cmyk')
    .withIccProfile('cmyk')
    .jpeg()
    .toBuffer()
    .then(async (jpeg) => (await sharp(jpeg).metadata()).icc ?? Promise.reject(new Error('sharp has no CMYK profile')));
  return cmykProfile;
}

/** The JPEG with `icc` in numbered APP2 "ICC_PROFILE" segments right after SOI (pixels untouched). */
function withIcc(jpeg: Buffer, icc: Buffer): Buffer {
  return Buffer.concat([jpeg.subarray(0, 2), ...iccSegments(icc), jpeg.subarray(2)]);
}

/** Whether the JPEG has an APP14 "Adobe" segment before its first scan. */
function hasAdobeMarker(jpeg: Buffer): boolean {
  let adobe = false;
  walkJpegSegments(jpeg, (marker, _segment, data) => (adobe = marker === 0xee && data.toString('latin1', 0, 5) === 'Adobe'));
  return adobe;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (
    message
      .split('\n')[0]!
      .replace(/^(VipsJpeg|VipsForeignLoad\w*|vips\w*): /, '')
      .trim() || 'corrupt data'
  );
}
