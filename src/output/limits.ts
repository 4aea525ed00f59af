/** What each output format can hold: checked on the manifest, before anything is fetched. */
import type { OutputFormat } from '../manifest/schema.js';

/** libjpeg's per-side limit. */
export const JPEG_MAX_SIDE = 65_500;
/** libwebp's per-side limit. */
export const WEBP_MAX_SIDE = 16_383;
/** Largest PDF page side readers accept without UserUnit: 200 in (14,400 pt). */
export const PDF_MAX_INCHES = 200;

/**
 * Why an output of `width × height` px at `dpi` cannot be written as `format`, or null.
 * `withBleed` describes the bleed included in the size (" with 36 px bleed per side", or "").
 */
export function formatLimitProblem(format: OutputFormat, width: number, height: number, dpi: number, withBleed: string): string | null {
  const sideLimit = format === 'jpeg' ? JPEG_MAX_SIDE : format === 'webp' ? WEBP_MAX_SIDE : undefined;
  if (sideLimit !== undefined && (width > sideLimit || height > sideLimit)) {
    const name = format === 'jpeg' ? 'JPEG' : 'WebP';
    return `${width}×${height} px${withBleed} exceeds ${name}'s ${sideLimit.toLocaleString('en-US')} px per side; lower the dpi or the size, or use png or tiff`;
  }
  if (format === 'pdf' && Math.max(width, height) / dpi > PDF_MAX_INCHES) {
    return `a ${+(width / dpi).toFixed(2)}×${+(height / dpi).toFixed(2)} in page${withBleed} is over PDF's ${PDF_MAX_INCHES} in (14,400 pt) per side; use a smaller size, or png or tiff`;
  }
  return null;
}
