/**
 * The crop bound every layout keeps (`layout.maxCrop`): a cover fit may hide at most this share
 * of a photo's area; where the page cannot be filled within it, the rest stays background.
 */

export const DEFAULT_MAX_CROP = 0.05;

/** A valid bound: 0 ≤ maxCrop < 1 (undefined → the default). */
export function cropBound(maxCrop: number | undefined): number {
  return Math.min(0.99, Math.max(0, maxCrop ?? DEFAULT_MAX_CROP));
}

/**
 * Share of a photo hidden when its cell is stretched by `factor` along one side: a cell 5 %
 * taller (or 5 % shorter) than the photo's shape hides 1 − 1/1.05 (or 5 %) of it.
 */
export function cropOfStretch(factor: number): number {
  return factor >= 1 ? 1 - 1 / factor : 1 - factor;
}

/** The stretch factors a bound allows: [1 − maxCrop, 1/(1 − maxCrop)]. */
export function stretchLimits(maxCrop: number): { low: number; high: number } {
  return { low: 1 - maxCrop, high: 1 / (1 - maxCrop) };
}

/**
 * The bound a layout aims at for cells about `side` px across: whole pixels move a cell's edges by
 * up to half a pixel, so aim that much inside the bound and the drawn crop still keeps it.
 */
export function boundWithRounding(maxCrop: number, side: number): number {
  return Math.max(0, maxCrop - 1.5 / Math.max(1, side));
}
