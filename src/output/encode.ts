/** Encoding the poster: 8-bit RGB, sRGB profile and DPI recorded, byte-identical for identical pixels. */
import sharp, { type Sharp } from 'sharp';
import type { OutputFormat } from '../manifest/index.js';

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

/**
 * The formats encoded as a whole, by libvips: TIFF and WebP. (JPEG, PNG and PDF are encoded
 * band by band: output/stream.ts.) `pixels` is packed RGB, `width × height × 3` bytes.
 */
export async function encodeWhole(pixels: Buffer, width: number, height: number, options: EncodeOptions & { format: 'tiff' | 'webp' }): Promise<Buffer> {
  const image = rgb(pixels, width, height, options.dpi);
  if (options.format === 'tiff') {
    // libtiff takes resolution in pixels per millimetre and writes it as a rational per inch.
    const perMm = options.dpi / 25.4;
    return image.tiff({ compression: 'lzw', predictor: 'horizontal', xres: perMm, yres: perMm, resolutionUnit: 'inch' }).toBuffer();
  }
  // WebP has no density field; the ICC profile goes into its ICCP chunk.
  return image.webp({ quality: options.quality, smartSubsample: true, effort: 4 }).toBuffer();
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
