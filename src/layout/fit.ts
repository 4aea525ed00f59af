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
