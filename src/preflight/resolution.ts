/**
 * Effective resolution: how many of a photo's own pixels land on each inch of its cell, after
 * the crop (cover) or the letterbox (contain) and EXIF rotation. Pure: sizes in, figures out.
 *
 * A 640 px wide photo in a 5 in cell prints at 128 dpi whatever the output's dpi: the poster
 * resamples it up, but the detail is the photo's. Print shops hold orders under 150.
 */
import type { LowResolutionPhoto } from '../errors.js';
import { cellSampling, type Box } from '../layout/index.js';
import type { Fit } from '../manifest/index.js';

/**
 * Source pixels shown per inch of the area the photo fills: `output dpi × source px ÷ px
 * drawn`, with exactly the scale the renderer uses (layout/fit.ts cellSampling). Cover and
 * contain both scale uniformly; the smaller of the two axes' ratios is taken (rounding).
 */
export function effectiveDpi(upright: { width: number; height: number }, area: { width: number; height: number }, fit: Fit, dpi: number): number {
  if (area.width < 1 || area.height < 1) return Number.POSITIVE_INFINITY;
  const s = cellSampling(upright.width, upright.height, area.width, area.height, fit, [0.5, 0.5]);
  return dpi * Math.min(upright.width / s.scaledWidth, upright.height / s.scaledHeight);
}

/** One placed photo, as the check sees it. */
export interface PlacedPhoto {
  index: number;
  src: string;
  fit: Fit;
  /** The cell on the output (bleed included), px. */
  cell: Box;
  /** Where the photo itself goes inside the cell (less a caption strip, a circle's square); default the cell. */
  photo?: Box;
  /** Upright (EXIF-rotated) source size; absent when the photo failed (it has no resolution). */
  size?: { width: number; height: number };
}

export interface ResolutionCheck {
  /** The threshold. */
  minDpi: number;
  /** Effective dpi per placement, in the order given (rounded); null for a failed photo. */
  dpi: (number | null)[];
  /** Lowest and median effective dpi of the photos placed; null when none has one. */
  min: number | null;
  median: number | null;
  /** Photos under `minDpi`, in manifest order. */
  low: LowResolutionPhoto[];
}

/** Checks every placed photo against `minDpi` at the output's `dpi`. */
export function checkResolution(photos: readonly PlacedPhoto[], dpi: number, minDpi: number): ResolutionCheck {
  const values = photos.map((p) => (p.size ? Math.round(effectiveDpi(p.size, p.photo ?? p.cell, p.fit, dpi)) : null));
  const known = values.filter((v): v is number => v !== null && Number.isFinite(v)).sort((a, b) => a - b);
  const low: LowResolutionPhoto[] = [];
  photos.forEach((p, i) => {
    const value = values[i];
    if (value === null || value === undefined || value >= minDpi) return;
    const { x, y, width, height } = p.cell;
    low.push({ src: p.src, index: p.index, dpi: value, cell: { x, y, width, height, widthIn: inches(width, dpi), heightIn: inches(height, dpi) } });
  });
  low.sort((a, b) => a.index - b.index);
  return { minDpi, dpi: values, min: known[0] ?? null, median: median(known), low };
}

function inches(px: number, dpi: number): number {
  return Math.round((px / dpi) * 100) / 100;
}

function median(sorted: readonly number[]): number | null {
  if (sorted.length === 0) return null;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : Math.round((sorted[mid - 1]! + sorted[mid]!) / 2);
}
