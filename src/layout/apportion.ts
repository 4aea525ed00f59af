/**
 * Whole pixels with the least worst crop. A row of cells whose ideal sizes are fractional must
 * still fill its length exactly in integers; rounding each span on its own (or cumulatively) can
 * move a 45 px cell by a whole pixel, a 2 % crop. Here the sizes are chosen together so the
 * largest relative miss (as a cover crop: 1 − min(size/ideal, ideal/size)) is as small as it can be.
 */

/** Crop of a span `size` px where `ideal` px would show the photo whole. */
export function spanCrop(size: number, ideal: number): number {
  return size >= ideal ? 1 - ideal / size : 1 - size / ideal;
}

/** Binary search steps on the crop (resolution 2⁻³⁰). */
const STEPS = 30;
const EPSILON = 1e-9;

/** Smallest and largest whole sizes ≥ 1 within crop `t` of `ideal` (lo > hi when none). */
export function sizeRange(ideal: number, t: number): [number, number] {
  return [Math.max(1, Math.ceil(ideal * (1 - t) - EPSILON)), Math.floor(ideal / (1 - t) + EPSILON)];
}

function feasible(ideals: readonly number[], total: number, t: number): boolean {
  let low = 0;
  let high = 0;
  for (const ideal of ideals) {
    const [lo, hi] = sizeRange(ideal, t);
    if (lo > hi) return false;
    low += lo;
    high += hi;
  }
  return low <= total && total <= high;
}

/** The least worst crop with which `ideals` can be given whole sizes (≥ 1) summing to `total`; Infinity when total < count. */
export function leastWorstCrop(ideals: readonly number[], total: number): number {
  if (total < ideals.length) return Infinity;
  let low = 0;
  let high = 1 - 1 / (total + 1);
  if (feasible(ideals, total, low)) return 0;
  for (let i = 0; i < STEPS; i++) {
    const middle = (low + high) / 2;
    if (feasible(ideals, total, middle)) high = middle;
    else low = middle;
  }
  return high;
}

/**
 * Whole sizes (each ≥ 1) summing to `total`, the worst crop against `ideals` least; among those,
 * the spare pixels go where they crop least. Null when total < count.
 */
export function apportion(ideals: readonly number[], total: number): number[] | null {
  const t = leastWorstCrop(ideals, total);
  if (!Number.isFinite(t)) return null;
  const ranges = ideals.map((ideal) => sizeRange(ideal, t));
  const sizes = ranges.map(([lo]) => lo);
  let spare = total - sizes.reduce((s, v) => s + v, 0);
  // Each spare pixel to the span it crops least (ranges guarantee room for all of them).
  while (spare > 0) {
    let best = -1;
    let bestCrop = Infinity;
    for (let i = 0; i < sizes.length; i++) {
      if (sizes[i]! >= ranges[i]![1]) continue;
      const crop = spanCrop(sizes[i]! + 1, ideals[i]!) - spanCrop(sizes[i]!, ideals[i]!);
      if (crop < bestCrop) {
        bestCrop = crop;
        best = i;
      }
    }
    if (best < 0) break;
    sizes[best]!++;
    spare--;
  }
  return sizes;
}
