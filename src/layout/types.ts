/** Integer device-pixel rectangle. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A rectangle in source-image pixels (may be fractional). */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A layout the caller cannot render (too many images for the grid, cells under a pixel…). */
export class LayoutError extends Error {
  readonly path: string;
  constructor(path: string, message: string) {
    super(message);
    this.name = 'LayoutError';
    this.path = path;
  }
}

/** What a layout needs to know about one image: its width/height ratio and an optional relative area hint. */
export interface ImageShape {
  /** width / height of the (oriented) image, > 0. */
  aspect: number;
  /** Relative area hint (default 1); used by `justified` and `mosaic`. */
  weight?: number;
  /** The calendar day it is placed on (days since 1970-01-01); used by `calendar`. */
  day?: number;
  /**
   * The largest cell, px, in which the photo still prints sharp enough (its own pixels × output
   * dpi ÷ the threshold dpi); `justified` and `masonry` keep cells within it where they can
   * without more crop (`layout.resolutionAware`).
   */
  sharp?: { width: number; height: number };
}

/** A cell for one image: integer pixels, the image's index, and how much of it a cover fit hides. */
export interface PlacedBox extends Box {
  /** Index into the images passed to the layout. */
  index: number;
  /** Fraction (0..1) of the image's area hidden when it is cover-fitted into this box. */
  crop: number;
}

/** Fraction of an image of aspect `imageAspect` hidden when cover-fitted into a `width`×`height` cell. */
export function coverCropFraction(imageAspect: number, width: number, height: number): number {
  if (!(width > 0 && height > 0 && imageAspect > 0)) return 1;
  const cellAspect = width / height;
  return 1 - Math.min(cellAspect / imageAspect, imageAspect / cellAspect);
}

/** Throws a LayoutError unless every aspect (and weight) is a positive finite number. */
export function checkImages(images: readonly ImageShape[]): void {
  images.forEach((image, i) => {
    if (!(Number.isFinite(image.aspect) && image.aspect > 0)) throw new LayoutError(`images[${i}]`, `aspect ratio must be a positive number, got ${image.aspect}`);
    if (image.weight !== undefined && !(Number.isFinite(image.weight) && image.weight > 0)) {
      throw new LayoutError(`images[${i}].weight`, `weight must be a positive number, got ${image.weight}`);
    }
  });
}

/** Weights divided by their geometric mean (so all-equal weights mean "no hint"). */
export function normalizedWeights(images: readonly ImageShape[]): number[] {
  if (images.length === 0) return [];
  const logs = images.map((image) => Math.log(image.weight ?? 1));
  const mean = logs.reduce((s, v) => s + v, 0) / logs.length;
  return logs.map((l) => Math.exp(l - mean));
}
