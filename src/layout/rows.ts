/**
 * Shared engine for row layouts on a fixed page: items with an affine width law
 * (`width = alpha·height + beta` at their natural, crop-free size) are broken into rows that each
 * fill the content width exactly, choosing the breaks for the whole sequence at once (shortest path
 * over break points, Knuth–Plass style) and the row count so the rows fill the content height.
 */
import { splitWeighted } from './split.js';
import { LayoutError } from './types.js';

export interface RowItem {
  alpha: number;
  beta: number;
}

export interface RowPlan {
  /** Item index where each row starts; rows[r]..rows[r+1]-1 (the last row runs to the end). */
  starts: number[];
  /** Natural (crop-free) height of each row when it spans the content width. */
  natural: number[];
  /** Height each row gets, px, summing with the gaps to the content height. */
  heights: { start: number; size: number }[];
  /** The row height every row aims at (content height shared evenly between the rows). */
  target: number;
  /** True when the last row keeps its natural size, left-aligned, instead of being stretched. */
  lastRowLeft: boolean;
}

export interface RowOptions {
  width: number;
  height: number;
  y: number;
  gap: number;
  /** Preferred row height; the row count nearest to it that still fills the page well wins ties. */
  rowHeight?: number;
  /**
   * When set, a last row whose natural height exceeds the target by more than this fraction is
   * left-aligned at the target height instead of stretched to full width.
   */
  lastRowTolerance?: number;
  /** Tiny deterministic cost noise per break (from a seed) to vary equally good layouts. */
  noise?: (item: number) => number;
}

export function planRows(items: readonly RowItem[], options: RowOptions): RowPlan {
  const { width: W, height: C, gap: g } = options;
  const m = items.length;
  const A = [0];
  const B = [0];
  for (const item of items) {
    A.push(A[A.length - 1]! + item.alpha);
    B.push(B[B.length - 1]! + item.beta);
  }
  const rowHeightOf = (i: number, j: number): number => (W - (j - i - 1) * g - (B[j]! - B[i]!)) / (A[j]! - A[i]!);

  // Row count where the items at the shared row height just fill the rows: natural width ≈ K·W.
  const targetOf = (K: number): number => (C - (K - 1) * g) / K;
  // Total natural width of all items at K rows' shared height, minus K full rows: falls as K grows.
  const excess = (K: number): number => A[m]! * targetOf(K) + B[m]! + (m - K) * g - K * W;
  let K0 = 1;
  while (K0 < m && targetOf(K0 + 1) > 0 && excess(K0 + 1) > 0) K0++;
  const candidates = new Set<number>();
  for (const K of [K0, K0 + 1]) if (K >= 1 && K <= m && targetOf(K) > 0) candidates.add(K);
  if (options.rowHeight !== undefined) {
    const Kr = Math.min(m, Math.max(1, Math.round((C + g) / (options.rowHeight + g))));
    if (targetOf(Kr) > 0) candidates.add(Kr);
  }

  let best: { plan: RowPlan; score: number } | null = null;
  for (const K of candidates) {
    const starts = breakRows(m, K, targetOf(K), A, B, W, g, options.noise);
    if (!starts) continue;
    const target = targetOf(K);
    const natural = starts.map((start, r) => rowHeightOf(start, r + 1 < K ? starts[r + 1]! : m));
    let lastRowLeft = false;
    if (options.lastRowTolerance !== undefined && natural[K - 1]! > target * (1 + options.lastRowTolerance)) {
      natural[K - 1] = target;
      lastRowLeft = true;
    }
    const total = natural.reduce((s, h) => s + h, 0);
    const scale = (C - (K - 1) * g) / total;
    const crop = Math.abs(Math.log(scale));
    const deviation = Math.sqrt(natural.reduce((s, h) => s + Math.log((h * scale) / target) ** 2, 0) / K);
    const preference = options.rowHeight !== undefined ? 0.02 * Math.abs(Math.log(target / options.rowHeight)) : 0;
    const score = crop + 0.25 * deviation + preference;
    if (!best || score < best.score) {
      const heights = splitWeighted(options.y, C, natural, g);
      best = { plan: { starts, natural, heights, target, lastRowLeft }, score };
    }
  }
  if (!best) throw new LayoutError('layout', `${m} images do not fit in ${W}×${C} px with a ${g} px gap`);
  return best.plan;
}

/**
 * Exactly K rows over m items minimising Σ (h/H − 1)², h the row's natural height: dynamic
 * programming over (rows, items), each row at most a bounded number of items (it stops growing
 * once its height falls under half the target), so O(K·m·L).
 */
function breakRows(m: number, K: number, H: number, A: readonly number[], B: readonly number[], W: number, g: number, noise?: (item: number) => number): number[] | null {
  const stride = m + 1;
  const dp = new Float64Array((K + 1) * stride).fill(Infinity);
  const from = new Int32Array((K + 1) * stride).fill(-1);
  dp[0] = 0;
  for (let k = 1; k <= K; k++) {
    const previous = (k - 1) * stride;
    const current = k * stride;
    // Row k ends at j; it needs k−1 items before it and leaves K−k rows for the rest.
    for (let j = k; j <= m - (K - k); j++) {
      let bestCost = Infinity;
      let bestFrom = -1;
      for (let i = j - 1; i >= k - 1; i--) {
        const h = (W - (j - i - 1) * g - (B[j]! - B[i]!)) / (A[j]! - A[i]!);
        if (!(h > 0)) break;
        const before = dp[previous + i]!;
        if (before < Infinity) {
          const d = h / H - 1;
          const cost = before + d * d + (noise ? noise(j) : 0);
          if (cost < bestCost) {
            bestCost = cost;
            bestFrom = i;
          }
        }
        if (h < H / 2) break;
      }
      dp[current + j] = bestCost;
      from[current + j] = bestFrom;
    }
  }
  if (!(dp[K * stride + m]! < Infinity)) return null;
  const starts = new Array<number>(K);
  let j = m;
  for (let k = K; k >= 1; k--) {
    const i = from[k * stride + j]!;
    starts[k - 1] = i;
    j = i;
  }
  return starts;
}
