/**
 * Candidate slicing trees for every run of images a mosaic may cut out (bottom up, memoised):
 * per run, a short list of trees spread over the shapes around the one the run is expected to
 * fill, each the most even (area per weight) among the trees of its shape. A parent joins its
 * halves' lists (both cuts, every pair), so the shapes it can reach are dense where it needs them;
 * the top-down pass (mosaic.ts) then picks among those joins.
 */
import { HORIZONTAL, VERTICAL, join, shiftedSumSq, type Cut, type SlicingTree } from './slicing.js';

/** Width of a shape bucket, in log cell aspect (trees within one bucket count as the same shape). */
const BUCKET = 0.02;
/** Runs up to this many images try every split point; longer ones cut near their weighted middle. */
const SMALL_RUN = 5;
/** Runs up to this many images also try split points near the middle (weight share 0.5 ± SPLIT_REACH). */
const MEDIUM_RUN = 16;
const SPLIT_REACH = 0.2;

export interface FrontierSettings {
  /** Trees kept per run. */
  keep: number;
  /** Log cell aspects either side of a run's expected shape its kept trees spread over. */
  reach: number;
}

/** The evenest join per shape bucket, from a stream of offers; trees are built only for the kept ones. */
class BucketTable {
  private readonly best = new Map<number, BucketEntry>();

  constructor(private readonly gap: number) {}

  offer(logAspect: number, unevenness: number, cut: Cut, at: number, first: SlicingTree, second: SlicingTree): void {
    const bucket = Math.round(logAspect / BUCKET);
    const current = this.best.get(bucket);
    if (!current) this.best.set(bucket, { bucket, unevenness, cut, at, first, second });
    else if (unevenness < current.unevenness) {
      current.unevenness = unevenness;
      current.cut = cut;
      current.at = at;
      current.first = first;
      current.second = second;
    }
  }

  /** The `keep` buckets nearest `centre` (log aspect). */
  nearest(keep: number, centre: number): SlicingTree[] {
    const target = centre / BUCKET;
    const entries = [...this.best.values()].sort((a, b) => Math.abs(a.bucket - target) - Math.abs(b.bucket - target) || a.bucket - b.bucket);
    return this.toTrees(entries.slice(0, keep));
  }

  /**
   * `keep` trees spread over log aspects centre ± reach: the range is cut into `keep` equal bins,
   * each keeping its evenest tree (the nearest bucket when no tree falls in the range).
   */
  spread(keep: number, centre: number, reach: number): SlicingTree[] {
    const width = (2 * reach) / keep;
    const bins = new Map<number, BucketEntry>();
    for (const entry of this.best.values()) {
      const bin = Math.floor((entry.bucket * BUCKET - (centre - reach)) / width);
      if (bin < 0 || bin >= keep) continue;
      const held = bins.get(bin);
      if (!held || entry.unevenness < held.unevenness || (entry.unevenness === held.unevenness && entry.bucket < held.bucket)) bins.set(bin, entry);
    }
    return bins.size > 0 ? this.toTrees([...bins.values()]) : this.nearest(1, centre);
  }

  private toTrees(entries: BucketEntry[]): SlicingTree[] {
    return entries.sort((a, b) => a.bucket - b.bucket).map((e) => join(e.cut, e.at, e.first, e.second, this.gap));
  }
}

interface BucketEntry {
  bucket: number;
  unevenness: number;
  cut: Cut;
  at: number;
  first: SlicingTree;
  second: SlicingTree;
}

export class Frontiers {
  private readonly memo = new Map<number, SlicingTree[]>();
  private readonly n: number;

  constructor(
    private readonly leaves: readonly SlicingTree[],
    /** Prefix sums of the weights, for the weighted middle. */
    private readonly prefix: Float64Array,
    private readonly settings: FrontierSettings,
    /** Log cell aspect a run is expected to fill (from the top-down sketch of the page). */
    private readonly expected: (l: number, r: number) => number,
    private readonly gap: number,
  ) {
    this.n = leaves.length;
  }

  /** Where a run of images l..r-1 may be cut in two. */
  splitPoints(l: number, r: number): number[] {
    const k = r - l;
    if (k <= SMALL_RUN) return Array.from({ length: k - 1 }, (_, i) => l + 1 + i);
    const middle = weightedMiddle(this.prefix, l, r);
    if (k > MEDIUM_RUN) return [middle];
    const points: number[] = [];
    for (let m = l + 1; m < r; m++) {
      const share = (this.prefix[m]! - this.prefix[l]!) / (this.prefix[r]! - this.prefix[l]!);
      if (m === middle || Math.abs(share - 0.5) <= SPLIT_REACH) points.push(m);
    }
    return points;
  }

  /** Candidate trees for images l..r-1, sorted by shape. */
  trees(l: number, r: number): SlicingTree[] {
    if (r - l === 1) return [this.leaves[l]!];
    const key = l * (this.n + 1) + r;
    const cached = this.memo.get(key);
    if (cached) return cached;
    const table = new BucketTable(this.gap);
    for (const m of this.splitPoints(l, r)) offerJoins(table, m, this.trees(l, m), this.trees(m, r));
    const { keep, reach } = this.settings;
    const centre = this.expected(l, r);
    // A short run is more likely to land far from its expected shape: its list spreads twice as wide.
    const result = table.spread(keep, centre, r - l <= SMALL_RUN ? 2 * reach : reach);
    this.memo.set(key, result);
    return result;
  }
}

/**
 * Offers every pair of the halves' trees, both cuts, scored by how unevenly the join shares its
 * area: the spread of its leaves' log cell area per weight (what the area ratio measures), with
 * their variance to break ties.
 */
function offerJoins(table: BucketTable, m: number, left: readonly SlicingTree[], right: readonly SlicingTree[]): void {
  for (const p of left) {
    for (const q of right) {
      const total = Math.log(p.aspect + q.aspect);
      const logP = Math.log(p.aspect);
      const logQ = Math.log(q.aspect);
      // Side by side, each half's share of the area is its aspect's; stacked, the other's.
      offerJoin(table, VERTICAL, m, p, q, logP - total, logQ - total, total);
      offerJoin(table, HORIZONTAL, m, p, q, logQ - total, logP - total, logP + logQ - total);
    }
  }
}

function offerJoin(table: BucketTable, cut: Cut, m: number, p: SlicingTree, q: SlicingTree, fp: number, fq: number, logAspect: number): void {
  const count = p.count + q.count;
  const mean = (p.sumLog + p.count * fp + q.sumLog + q.count * fq) / count;
  const variance = Math.max(0, (shiftedSumSq(p, fp) + shiftedSumSq(q, fq)) / count - mean * mean);
  const spread = Math.max(p.maxLog + fp, q.maxLog + fq) - Math.min(p.minLog + fp, q.minLog + fq);
  table.offer(logAspect, spread + 0.1 * variance, cut, m, p, q);
}

/** The split index whose cumulative weight is nearest the middle of l..r-1 (strictly inside). */
export function weightedMiddle(prefix: Float64Array, l: number, r: number): number {
  const half = (prefix[l]! + prefix[r]!) / 2;
  let lo = l + 1;
  let hi = r - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (prefix[mid]! < half) lo = mid + 1;
    else hi = mid;
  }
  return lo > l + 1 && Math.abs(prefix[lo - 1]! - half) <= Math.abs(prefix[lo]! - half) ? lo - 1 : lo;
}
