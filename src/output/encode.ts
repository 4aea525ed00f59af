/** Encoding the poster: 8-bit RGB, sRGB profile and DPI recorded, byte-identical for identical pixels. */
import sharp, { type Sharp } from 'sharp';
import type { OutputFormat } from '../manifest/index.js';
import { setJfifDensity } from './jfif.js';

export interface EncodeOptions {
  format: OutputFormat;
  /** JPEG and WebP quality 1..100. */
  quality: number;
  dpi: number;
  /** Bleed on each side, px: PDF sets its TrimBox this far inside the MediaBox. */
  bleed?: number;
}

function rgb(pixels: Buffer, width: number, height: number, dpi: number): Sharp {
  return sharp(pixels, { raw: { width, height, channels: 3 }, limitInputPixels: false })
    .withIccProfile('srgb')
    .withDensity(dpi);
}

/** `pixels` is packed RGB, `width × height × 3` bytes. */
export async function encodeImage(pixels: Buffer, width: number, height: number, options: EncodeOptions): Promise<Buffer> {
  const image = rgb(pixels, width, height, options.dpi);
  switch (options.format) {
    case 'png':
      return encodePng(image);
    case 'tiff': {
      // libtiff takes resolution in pixels per millimetre and writes it as a rational per inch.
      const perMm = options.dpi / 25.4;
      return image.tiff({ compression: 'lzw', predictor: 'horizontal', xres: perMm, yres: perMm, resolutionUnit: 'inch' }).toBuffer();
    }
    case 'webp':
      // WebP has no density field; the ICC profile goes into its ICCP chunk.
      return image.webp({ quality: options.quality, smartSubsample: true, effort: 4 }).toBuffer();
    case 'pdf':
      // pdf-lib is loaded only for PDF output (~150 ms of start-up otherwise).
      const { encodePdf } = await import('./pdf.js');
      return encodePdf(await encodePng(image), { width, height, dpi: options.dpi, bleed: options.bleed ?? 0, icc: await srgbProfile() });
    case 'jpeg': {
      // Baseline (photo labs refuse progressive) and 4:4:4 chroma: no colour bleeding at print size.
      // Optimised Huffman tables make libjpeg hold every DCT coefficient of the page: measured on
      // 10800×7200, +870 MB peak and 3.5× the time for a file ~10% smaller. Standard tables it is.
      const jpeg = await image
        .jpeg({ quality: options.quality, progressive: false, chromaSubsampling: '4:4:4', mozjpeg: false, optimiseCoding: false })
        .toBuffer();
      return setJfifDensity(jpeg, options.dpi);
    }
  }
}

function encodePng(image: Sharp): Promise<Buffer> {
  return image.png({ compressionLevel: 6, adaptiveFiltering: false }).toBuffer();
}

let profile: Promise<Buffer> | undefined;

/** The sRGB ICC profile sharp embeds (the same bytes as in our PNG, JPEG and TIFF outputs). */
export function srgbProfile(): Promise<Buffer> {
  profile ??= sharp({ create: { width: 1, height: 1, channels: 3, background: '#000' } })
    .withIccProfile('srgb')
    .png()
    .toBuffer()
    .then((png) => sharp(png).metadata())
    .then((meta) => {
      if (!meta.icc) throw new Error('sharp embedded no sRGB profile');
      return meta.icc;
    });
  return profile;
}
