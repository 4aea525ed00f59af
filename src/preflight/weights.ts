/**
 * Resolution-aware sizing (`layout.resolutionAware`): area weights from the photos' native
 * pixels, so a photo too small for an average cell gets a smaller one and the space goes to
 * sharper photos. Pure; the layouts take the result as ImageShape.weight, as they take the
 * manifest's own weights.
 *
 * Water-filling: every photo may grow up to the area at which it still prints at `minDpi`
 * (its cap). The page is shared in proportion to the manifest weights; a photo whose share is
 * over its cap gets its cap, and what it leaves is shared again among the others, until no
 * share is over a cap. A set where every photo is capped is shared in proportion to the caps
 * (all print at the same dpi). Photos with room to spare keep their relative sizes, so a set
 * where every photo is sharp enough is laid out as without the option.
 */

/** One photo: its upright pixel count (undefined when unknown: it keeps its share) and manifest weight. */
export interface WeightInput {
  pixels?: number;
  weight: number;
}

export interface AwareOptions {
  /** Area the cells share, in output px² (content box less the gaps, roughly). */
  area: number;
  /** Output dpi and the threshold. */
  dpi: number;
  minDpi: number;
  /**
   * Smallest weight as a share of the photo's plain one (a layout whose weights cost crop, like
   * justified, passes 1 − maxCrop; others keep photos from vanishing).
   */
  floor: number;
  /** Below 1 leaves headroom: cells vary around their share and cover crops hide some pixels. */
  headroom?: number;
}

/** Headroom: cells of an aspect-aware layout vary around their share by ±20 % or so. */
export const DEFAULT_HEADROOM = 0.75;
/** The least a photo shrinks to (relative area) where the layout itself sets no bound. */
export const DEFAULT_FLOOR = 1 / 16;

/** Weights (relative areas, in the manifest weights' scale) for `photos`. */
export function resolutionAwareWeights(photos: readonly WeightInput[], options: AwareOptions): number[] {
  const { area, dpi, minDpi, floor } = options;
  const headroom = options.headroom ?? DEFAULT_HEADROOM;
  const totalWeight = photos.reduce((s, p) => s + p.weight, 0);
  if (photos.length === 0 || !(area > 0) || !(totalWeight > 0)) return photos.map((p) => p.weight);
  // Largest area (output px²) at which the photo still shows minDpi: pixels × (dpi / minDpi)².
  const caps = photos.map((p) => (p.pixels !== undefined && p.pixels > 0 ? p.pixels * (dpi / minDpi) ** 2 * headroom : Number.POSITIVE_INFINITY));
  const areas: (number | null)[] = photos.map(() => null);
  let left = area;
  let open = totalWeight;
  let openCount = photos.length;
  for (let changed = true; changed && openCount > 0; ) {
    changed = false;
    const share = left / open;
    photos.forEach((p, i) => {
      if (areas[i] !== null || p.weight * share <= caps[i]!) return;
      areas[i] = caps[i]!;
      left -= caps[i]!;
      open -= p.weight;
      openCount--;
      changed = true;
    });
  }
  // Every photo capped (none reaches minDpi in a fair share): the page is shared by caps.
  const capSum = caps.reduce((s, c) => s + c, 0);
  const share = openCount > 0 ? left / open : 0;
  const perWeight = photos.map((p, i) => (openCount > 0 ? (areas[i] ?? p.weight * share) : caps[i]! * (area / capSum)) / p.weight);
  const top = Math.max(...perWeight);
  return photos.map((p, i) => p.weight * Math.max(floor, perWeight[i]! / top));
}
