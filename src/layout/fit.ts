/** Where an image goes inside its cell: the source crop for `cover`, the letterboxed rectangle for `contain`. */
import type { Rect } from './types.js';

/**
 * The largest source rectangle with the cell's aspect ratio, centred on `focus` ([x, y] in
 * 0..1) as far as the image edges allow.
 */
export function coverCrop(imageWidth: number, imageHeight: number, cellWidth: number, cellHeight: number, focus: readonly [number, number]): Rect {
  const cellAspect = cellWidth / cellHeight;
  const imageAspect = imageWidth / imageHeight;
  const width = imageAspect > cellAspect ? imageHeight * cellAspect : imageWidth;
  const height = imageAspect > cellAspect ? imageHeight : imageWidth / cellAspect;
  const x = clamp(focus[0] * imageWidth - width / 2, 0, imageWidth - width);
  const y = clamp(focus[1] * imageHeight - height / 2, 0, imageHeight - height);
  return { x, y, width, height };
}

/** The whole image scaled to fit the cell, centred; offsets relative to the cell. */
export function containRect(imageWidth: number, imageHeight: number, cellWidth: number, cellHeight: number): Rect {
  const scale = Math.min(cellWidth / imageWidth, cellHeight / imageHeight);
  const width = Math.max(1, Math.round(imageWidth * scale));
  const height = Math.max(1, Math.round(imageHeight * scale));
  return { x: Math.floor((cellWidth - width) / 2), y: Math.floor((cellHeight - height) / 2), width, height };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}

/** How to sample an upright image for one cell: resample to `scaled`, keep `region`, place it at `offset` in the cell. */
export interface CellSampling {
  scaledWidth: number;
  scaledHeight: number;
  /** Integer region of the resampled image that is shown. */
  region: { left: number; top: number; width: number; height: number };
  /** Where the region goes, relative to the cell's top-left corner. */
  offset: { x: number; y: number };
}

/**
 * Cover: scale so the image covers the cell, then cut the cell-sized region centred on
 * `focus` (clamped to the image). Contain: scale to fit inside, centred. Integer pixels throughout.
 */
export function cellSampling(
  imageWidth: number,
  imageHeight: number,
  cellWidth: number,
  cellHeight: number,
  fit: 'cover' | 'contain',
  focus: readonly [number, number],
): CellSampling {
  if (fit === 'contain') {
    const target = containRect(imageWidth, imageHeight, cellWidth, cellHeight);
    return {
      scaledWidth: target.width,
      scaledHeight: target.height,
      region: { left: 0, top: 0, width: target.width, height: target.height },
      offset: { x: target.x, y: target.y },
    };
  }
  const scale = Math.max(cellWidth / imageWidth, cellHeight / imageHeight);
  const scaledWidth = Math.max(cellWidth, Math.round(imageWidth * scale));
  const scaledHeight = Math.max(cellHeight, Math.round(imageHeight * scale));
  const left = Math.round(clamp(focus[0] * scaledWidth - cellWidth / 2, 0, scaledWidth - cellWidth));
  const top = Math.round(clamp(focus[1] * scaledHeight - cellHeight / 2, 0, scaledHeight - cellHeight));
  return { scaledWidth, scaledHeight, region: { left, top, width: cellWidth, height: cellHeight }, offset: { x: 0, y: 0 } };
}
