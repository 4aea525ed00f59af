/**
 * focus "auto": the point to keep in view when cropping, from libvips' attention strategy
 * (luminance frequency, colour saturation, skin tones) run on a small upright thumbnail.
 * The point then goes through the ordinary focus-based crop (layout/fit.ts cellSampling).
 */
import sharp from 'sharp';
import type { ImageHeader } from './index.js';

/** Thumbnail side the saliency is found on: small enough to be cheap, large enough for detail. */
const THUMBNAIL = 256;

/** [x, y] in 0..1 of the most salient region of the upright image; the centre when none stands out. */
export async function salientFocus(bytes: Buffer, header: ImageHeader): Promise<[number, number]> {
  if (header.format === 'bmp') return [0.5, 0.5];
  // Cover-resizing to a square scales the shorter side to THUMBNAIL (JPEG shrink-on-load applies);
  // attentionX/Y are in that scaled, uncropped image.
  const upright = header.orientation >= 5 ? { width: header.height, height: header.width } : { width: header.width, height: header.height };
  const side = Math.min(THUMBNAIL, upright.width, upright.height);
  const { info } = await sharp(bytes, { limitInputPixels: false })
    .autoOrient()
    .resize(side, side, { fit: 'cover', position: sharp.strategy.attention })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const scale = side / Math.min(upright.width, upright.height);
  const scaledWidth = Math.round(upright.width * scale);
  const scaledHeight = Math.round(upright.height * scale);
  if (info.attentionX === undefined || info.attentionY === undefined) return [0.5, 0.5];
  return [clamp01(info.attentionX / scaledWidth), clamp01(info.attentionY / scaledHeight)];
}

function clamp01(value: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0.5;
}
