/**
 * Slicing trees: a binary tree over a run of images (order kept) whose inner nodes put their two
 * halves side by side (`vertical` cut) or one above the other (`horizontal` cut), `gap` px apart.
 *
 * Every tree has an exact law for its natural, crop-free size, gaps included:
 * `width = alpha·height + beta`. A leaf is its aspect (alpha) with beta 0; a vertical cut adds the
 * laws and the gap; a horizontal cut combines them harmonically.
 *
 * For shapes and area balance a tree is also seen as a gap-free tiling of cells, each cell a
 * photo plus one gap in each direction (a layout with gutters of g in a W×H box is exactly a
 * gap-free one of such cells in (W+g)×(H+g)). A leaf's cell aspect is fixed at the photo size the
 * page leads one to expect, so where gutters are a large part of a cell (many photos on a small
 * page) shapes and areas are still judged right. A tree carries its cell aspect and how evenly its
 * leaves share its area (log of each leaf's cell area fraction per unit weight: min, max, sum,
 * sum of squares), so a parent can score area balance without walking the leaves.
 */

export const LEAF = 0;
export const VERTICAL = 1;
export const HORIZONTAL = 2;
export type Cut = typeof VERTICAL | typeof HORIZONTAL;

export interface SlicingTree {
  kind: typeof LEAF | Cut;
  /** Leaf: the image index. Cut: the index of the first image of the second half. */
  at: number;
  first: SlicingTree | null;
  second: SlicingTree | null;
  /** Natural width = alpha·height + beta, gaps included. */
  alpha: number;
  beta: number;
  /** Aspect of the tree's cell tiling (gap-free, in cells). */
  aspect: number;
  /** Leaves under this node. */
  count: number;
  /** Over the leaves: log(area fraction of this tree / weight), min, max, sum and sum of squares. */
  minLog: number;
  maxLog: number;
  sumLog: number;
  sumSqLog: number;
}

/** A photo of aspect `aspect` whose cell (photo plus a gap each way) has aspect `cellAspect`. */
export function leaf(index: number, aspect: number, cellAspect: number, weight: number): SlicingTree {
  const x = -Math.log(weight);
  return { kind: LEAF, at: index, first: null, second: null, alpha: aspect, beta: 0, aspect: cellAspect, count: 1, minLog: x, maxLog: x, sumLog: x, sumSqLog: x * x };
}

/** Cell aspect of two trees joined by `cut`. */
export function joinedAspect(cut: Cut, first: number, second: number): number {
  return cut === VERTICAL ? first + second : (first * second) / (first + second);
}

/** Log cell-area fractions of the two halves under `cut`: side by side ∝ aspect, stacked ∝ 1/aspect. */
export function halfShares(cut: Cut, first: number, second: number): [number, number] {
  const total = Math.log(first + second);
  return cut === VERTICAL ? [Math.log(first) - total, Math.log(second) - total] : [Math.log(second) - total, Math.log(first) - total];
}

/** Natural-size law of two laws joined by `cut` with `gap` between them. */
export function joinedLaw(cut: Cut, p: { alpha: number; beta: number }, q: { alpha: number; beta: number }, gap: number): { alpha: number; beta: number } {
  if (cut === VERTICAL) return { alpha: p.alpha + q.alpha, beta: p.beta + q.beta + gap };
  const alpha = 1 / (1 / p.alpha + 1 / q.alpha);
  return { alpha, beta: alpha * (p.beta / p.alpha + q.beta / q.alpha - gap) };
}

export function join(cut: Cut, at: number, p: SlicingTree, q: SlicingTree, gap: number): SlicingTree {
  const { alpha, beta } = joinedLaw(cut, p, q, gap);
  const [fp, fq] = halfShares(cut, p.aspect, q.aspect);
  return {
    kind: cut,
    at,
    first: p,
    second: q,
    alpha,
    beta,
    aspect: joinedAspect(cut, p.aspect, q.aspect),
    count: p.count + q.count,
    minLog: Math.min(p.minLog + fp, q.minLog + fq),
    maxLog: Math.max(p.maxLog + fp, q.maxLog + fq),
    sumLog: p.sumLog + p.count * fp + q.sumLog + q.count * fq,
    sumSqLog: shiftedSumSq(p, fp) + shiftedSumSq(q, fq),
  };
}

/** Σ (x + shift)² over a tree's leaves, from its sums. */
export function shiftedSumSq(tree: Pick<SlicingTree, 'count' | 'sumLog' | 'sumSqLog'>, shift: number): number {
  return tree.sumSqLog + 2 * shift * tree.sumLog + tree.count * shift * shift;
}

/**
 * The two halves' natural sizes along the cut when the pair fills `width`×`height`: widths at
 * that height (vertical cut) or heights at that width (horizontal cut). Non-positive when a half
 * cannot be that small with its gaps.
 */
export function naturalSpans(cut: Cut, p: { alpha: number; beta: number }, q: { alpha: number; beta: number }, width: number, height: number): [number, number] {
  if (cut === VERTICAL) return [p.alpha * height + p.beta, q.alpha * height + q.beta];
  return [(width - p.beta) / p.alpha, (width - q.beta) / q.alpha];
}
