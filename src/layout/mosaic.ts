/**
 * Mosaic: a recursive-partition collage in the spirit of blocked recursive image composition
 * (BRIC, Atkins 2008): a binary slicing tree over the image sequence (order preserved) whose
 * internal nodes cut their rectangle vertically or horizontally with exactly `gap` px between the
 * halves, so boxes and gutters tile the content box to the pixel.
 *
 * Two regimes:
 * - Upper levels (more than `GROUP` images): a top-down partition. The rectangle is cut (either
 *   orientation) at a split index near the weighted middle, and the two halves get areas exactly
 *   proportional to their weight sums, which keeps areas balanced across the page. The cut and the
 *   split index are chosen by looking ahead: each candidate is scored by the best achievable cost of
 *   its halves (exact for small halves, one more level of look-ahead otherwise).
 * - Small groups (at most `GROUP` images): an exhaustive search over every slicing tree of the group
 *   (both cut orientations at every node). Every subtree has an exact affine width law at its
 *   natural, crop-free size, gaps included (`width = alpha·height + beta`: a leaf is its aspect,
 *   a vertical cut adds the laws plus the gap, a horizontal cut combines them harmonically), and
 *   the tree whose law best matches the group's rectangle, with the most even areas per weight,
 *   wins. It is then realised top-down on integer pixels, each rectangle split by its children's
 *   natural proportions; the residual mismatch becomes small cover crops.
 *
 * Deterministic; a non-zero `seed` adds a small deterministic jitter to candidate scores so equally
 * good partitions are picked differently. `weight` is a relative area hint.
 */
import { mulberry32 } from './random.js';
import { LayoutError, checkImages, coverCropFraction, normalizedWeights, type Box, type ImageShape, type PlacedBox } from './types.js';

export interface MosaicOptions {
  images: readonly ImageShape[];
  /** The area inside the margins. */
  content: Box;
  /** Space between cells, px. */
  gap: number;
  /** Changes the arrangement among equally good ones (same seed, same layout). Default 0. */
  seed?: number;
}

export interface MosaicResult {
  /** One box per image, in image order. */
  boxes: PlacedBox[];
  /** The gutters: every content pixel is in exactly one box or one gap rectangle. */
  gaps: Box[];
}

/** Largest group searched exhaustively (all slicing trees over the group's order). */
const GROUP = 5;
/** Weight of the spread of log areas (per weight) inside a group against crop. */
const SPREAD = Number(process.env.MS_SPREAD ?? 0.04);
/** Spread (log) above which a group is penalised hard (area ratio ≈ 2.5). */
const SPREAD_LIMIT = Math.log(Number(process.env.MS_LIMIT ?? 2.5));

/** Blocks with a wider spread than this are dropped from the exhaustive lists (when others exist). */
const KEEP_SPREAD = Math.log(3);

const LEAF = 0;
const VERTICAL = 1;
const HORIZONTAL = 2;

/** A slicing tree over a contiguous group of images, with its natural size law. */
interface Block {
  kind: number;
  /** Leaf: image index; internal: split index (first image of the second child). */
  at: number;
  first: Block | null;
  second: Block | null;
  /** Natural width = alpha·height + beta (gaps included). */
  alpha: number;
  beta: number;
  /** Gap-free aspect, and min/max log area fraction per weight of its leaves. */
  aspect: number;
  minLog: number;
  maxLog: number;
}

function fitError(images: readonly ImageShape[], content: Box, gap: number): LayoutError {
  return new LayoutError('layout', `${images.length} images with a ${gap} px gap do not fit in ${content.width}×${content.height} px`);
}

export function mosaicLayout(options: MosaicOptions): MosaicResult {
  const { images, content, gap } = options;
  checkImages(images);
  if (images.length === 0) return { boxes: [], gaps: [] };
  const n = images.length;
  const seed = options.seed ?? 0;
  const weights = normalizedWeights(images);
  const aspects = images.map((image) => image.aspect);
  const logWeights = weights.map(Math.log);
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i]! + weights[i]!;
  const logAspectPrefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) logAspectPrefix[i + 1] = logAspectPrefix[i]! + Math.log(aspects[i]!);
  const random = seed === 0 ? null : mulberry32(seed);
  const jitter = () => (random ? random() * 0.004 : 0);

  // Quick feasibility: every image needs at least a pixel plus its share of gutters.
  if (content.width < 1 || content.height < 1) throw fitError(images, content, gap);
  {
    const perCell = (content.width * content.height) / n;
    if (perCell < 1 || Math.sqrt(perCell) <= gap * 0.5 + 1) throw fitError(images, content, gap);
  }

  // ---- Exhaustive blocks for small groups (memoised by interval). ----
  const memo = new Map<number, Block[]>();
  const blocksOf = (l: number, r: number): Block[] => {
    const key = l * (n + 1) + r;
    const cached = memo.get(key);
    if (cached) return cached;
    const list: Block[] = [];
    if (r - l === 1) {
      const a = aspects[l]!;
      list.push({ kind: LEAF, at: l, first: null, second: null, alpha: a, beta: 0, aspect: a, minLog: -logWeights[l]!, maxLog: -logWeights[l]! });
    } else {
      for (let m = l + 1; m < r; m++) {
        const left = blocksOf(l, m);
        const right = blocksOf(m, r);
        for (const p of left) {
          for (const q of right) {
            // Vertical cut: side by side, same height.
            {
              const aspect = p.aspect + q.aspect;
              const fp = Math.log(p.aspect / aspect);
              const fq = Math.log(q.aspect / aspect);
              list.push({
                kind: VERTICAL,
                at: m,
                first: p,
                second: q,
                alpha: p.alpha + q.alpha,
                beta: p.beta + q.beta + gap,
                aspect,
                minLog: Math.min(p.minLog + fp, q.minLog + fq),
                maxLog: Math.max(p.maxLog + fp, q.maxLog + fq),
              });
            }
            // Horizontal cut: stacked, same width.
            {
              const aspect = 1 / (1 / p.aspect + 1 / q.aspect);
              const fp = Math.log(q.aspect / (p.aspect + q.aspect));
              const fq = Math.log(p.aspect / (p.aspect + q.aspect));
              const alpha = 1 / (1 / p.alpha + 1 / q.alpha);
              list.push({
                kind: HORIZONTAL,
                at: m,
                first: p,
                second: q,
                alpha,
                beta: alpha * (p.beta / p.alpha + q.beta / q.alpha - gap),
                aspect,
                minLog: Math.min(p.minLog + fp, q.minLog + fq),
                maxLog: Math.max(p.maxLog + fp, q.maxLog + fq),
              });
            }
          }
        }
      }
    }
    // Keep the blocks whose areas are even enough (all of them when none is), one per natural law.
    const even = list.filter((b) => b.maxLog - b.minLog <= KEEP_SPREAD);
    const kept = new Map<string, Block>();
    for (const b of even.length > 0 ? even : list) {
      const law = `${b.alpha.toPrecision(5)}:${b.beta.toPrecision(4)}`;
      const other = kept.get(law);
      if (!other || other.maxLog - other.minLog > b.maxLog - b.minLog) kept.set(law, b);
    }
    const result = [...kept.values()];
    memo.set(key, result);
    return result;
  };

  const blockCost = (b: Block, width: number, height: number): number => {
    const natural = b.alpha * height + b.beta;
    if (!(natural > 0) || !(width > 0) || !(height > 0)) return 10;
    const mismatch = Math.abs(Math.log(width / natural));
    const spread = b.maxLog - b.minLog;
    return mismatch + SPREAD * spread + (spread > SPREAD_LIMIT ? (spread - SPREAD_LIMIT) * 2 : 0);
  };

  const bestBlock = (l: number, r: number, width: number, height: number): { block: Block; cost: number } => {
    let best: Block | null = null;
    let bestCost = Infinity;
    for (const b of blocksOf(l, r)) {
      const c = blockCost(b, width, height);
      if (c < bestCost) {
        bestCost = c;
        best = b;
      }
    }
    return { block: best!, cost: bestCost };
  };

  /** Joins two blocks under a cut of the given kind. */
  const join = (kind: number, m: number, p: Block, q: Block): Block => {
    if (kind === VERTICAL) {
      const aspect = p.aspect + q.aspect;
      const fp = Math.log(p.aspect / aspect);
      const fq = Math.log(q.aspect / aspect);
      return {
        kind, at: m, first: p, second: q,
        alpha: p.alpha + q.alpha,
        beta: p.beta + q.beta + gap,
        aspect,
        minLog: Math.min(p.minLog + fp, q.minLog + fq),
        maxLog: Math.max(p.maxLog + fp, q.maxLog + fq),
      };
    }
    const aspect = 1 / (1 / p.aspect + 1 / q.aspect);
    const fp = Math.log(q.aspect / (p.aspect + q.aspect));
    const fq = Math.log(p.aspect / (p.aspect + q.aspect));
    const alpha = 1 / (1 / p.alpha + 1 / q.alpha);
    return {
      kind, at: m, first: p, second: q,
      alpha,
      beta: alpha * (p.beta / p.alpha + q.beta / q.alpha - gap),
      aspect,
      minLog: Math.min(p.minLog + fp, q.minLog + fq),
      maxLog: Math.max(p.maxLog + fp, q.maxLog + fq),
    };
  };

  /**
   * Best tree for a medium group (GROUP < size ≤ 2·GROUP): a top cut (either orientation, any
   * split index leaving at most GROUP images a side) over two exhaustive subtrees, the pair chosen
   * by matching natural sizes (sorted search) and then scored like a block.
   */
  const bestPair = (l: number, r: number, width: number, height: number): { block: Block; cost: number } => {
    let best: Block | null = null;
    let bestCost = Infinity;
    for (let m = Math.max(l + 1, r - GROUP); m <= Math.min(r - 1, l + GROUP); m++) {
      const left = blocksOf(l, m);
      const right = blocksOf(m, r);
      for (const kind of [VERTICAL, HORIZONTAL]) {
        const along = kind === VERTICAL ? width : height;
        const size = kind === VERTICAL ? (b: Block) => b.alpha * height + b.beta : (b: Block) => (width - b.beta) / b.alpha;
        const sizes = right.map(size);
        const order = right.map((_, j) => j).sort((a, b) => sizes[a]! - sizes[b]!);
        const sorted = order.map((j) => sizes[j]!);
        for (const p of left) {
          const target = along - gap - size(p);
          let lo = 0;
          let hi = sorted.length;
          while (lo < hi) {
            const mid = (lo + hi) >> 1;
            if (sorted[mid]! < target) lo = mid + 1;
            else hi = mid;
          }
          for (let k = Math.max(0, lo - 3); k < Math.min(sorted.length, lo + 3); k++) {
            const q = right[order[k]!]!;
            const cost = blockCost(join(kind, m, p, q), width, height);
            if (cost < bestCost) {
              bestCost = cost;
              best = join(kind, m, p, q);
            }
          }
        }
      }
    }
    return { block: best!, cost: bestCost };
  };

  const bestTree = (l: number, r: number, width: number, height: number) => (r - l <= GROUP ? bestBlock(l, r, width, height) : bestPair(l, r, width, height));

  // ---- Upper levels: candidate cuts near the weighted middle. ----
  interface Cut {
    kind: number;
    m: number;
    /** Size of the first child along the cut axis (float), the rest goes to the second. */
    first: number;
  }
  const candidates = (l: number, r: number, width: number, height: number, wide: number): Cut[] => {
    const total = prefix[r]! - prefix[l]!;
    const half = prefix[l]! + total / 2;
    // Split index whose cumulative weight is nearest the middle.
    let lo = l + 1;
    let hi = r - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (prefix[mid]! < half) lo = mid + 1;
      else hi = mid;
    }
    const centre = lo > l + 1 && Math.abs(prefix[lo - 1]! - half) < Math.abs(prefix[lo]! - half) ? lo - 1 : lo;
    const cuts: Cut[] = [];
    for (let d = -wide; d <= wide; d++) {
      const m = centre + d;
      if (m <= l || m >= r) continue;
      const fraction = (prefix[m]! - prefix[l]!) / total;
      if (d !== 0 && (fraction < 0.3 || fraction > 0.7)) continue;
      if (width > gap) cuts.push({ kind: VERTICAL, m, first: (width - gap) * fraction });
      if (height > gap) cuts.push({ kind: HORIZONTAL, m, first: (height - gap) * fraction });
    }
    return cuts;
  };

  const childRects = (cut: Cut, width: number, height: number): [number, number, number, number] =>
    cut.kind === VERTICAL ? [cut.first, height, width - gap - cut.first, height] : [width, cut.first, width, height - gap - cut.first];

  /** Estimated cost of laying out images l..r-1 in a width×height rectangle. */
  const estimate = (l: number, r: number, width: number, height: number, depth: number): number => {
    if (!(width > 0 && height > 0)) return 10;
    if (r - l <= 2 * GROUP) return bestTree(l, r, width, height).cost;
    if (depth <= 0) {
      // Far from the leaves: prefer rectangles near the group's typical aspect (squarish blocks).
      const typical = (logAspectPrefix[r]! - logAspectPrefix[l]!) / (r - l);
      const off = Math.log(width / height) - typical;
      return 0.05 * off * off;
    }
    let best = Infinity;
    for (const cut of candidates(l, r, width, height, 1)) {
      const [w1, h1, w2, h2] = childRects(cut, width, height);
      const c = estimate(l, cut.m, w1, h1, depth - 1) + estimate(cut.m, r, w2, h2, depth - 1);
      if (c < best) best = c;
    }
    return best === Infinity ? 10 : best / 2;
  };

  const boxes: PlacedBox[] = new Array(n);
  const gaps: Box[] = [];

  const place = (index: number, x: number, y: number, width: number, height: number) => {
    if (width < 1 || height < 1) throw fitError(images, content, gap);
    boxes[index] = { x, y, width, height, index, crop: coverCropFraction(aspects[index]!, width, height) };
  };

  /** Splits `length` px into two spans separated by the gap, the first near `first` (float). */
  const splitSpan = (length: number, first: number): number => {
    const available = length - gap;
    if (available < 2) throw fitError(images, content, gap);
    return Math.min(available - 1, Math.max(1, Math.round(first)));
  };

  const realise = (b: Block, x: number, y: number, width: number, height: number): void => {
    if (b.kind === LEAF) {
      place(b.at, x, y, width, height);
      return;
    }
    const p = b.first!;
    const q = b.second!;
    if (b.kind === VERTICAL) {
      const wp = Math.max(1e-9, p.alpha * height + p.beta);
      const wq = Math.max(1e-9, q.alpha * height + q.beta);
      const a = splitSpan(width, ((width - gap) * wp) / (wp + wq));
      if (gap > 0) gaps.push({ x: x + a, y, width: gap, height });
      realise(p, x, y, a, height);
      realise(q, x + a + gap, y, width - gap - a, height);
    } else {
      const hp = Math.max(1e-9, (width - p.beta) / p.alpha);
      const hq = Math.max(1e-9, (width - q.beta) / q.alpha);
      const a = splitSpan(height, ((height - gap) * hp) / (hp + hq));
      if (gap > 0) gaps.push({ x, y: y + a, width, height: gap });
      realise(p, x, y, width, a);
      realise(q, x, y + a + gap, width, height - gap - a);
    }
  };

  const solve = (l: number, r: number, x: number, y: number, width: number, height: number): void => {
    if (r - l === 1) {
      place(l, x, y, width, height);
      return;
    }
    if (r - l <= 2 * GROUP) {
      const bb = bestTree(l, r, width, height);
      if (process.env.MOSAIC_DEBUG) console.log(r - l, (width / height).toFixed(2), bb.cost.toFixed(3), aspects.slice(l, r).map((a) => a.toFixed(2)).join(','), bb.block.kind, (bb.block.maxLog - bb.block.minLog).toFixed(2));
      realise(bb.block, x, y, width, height);
      return;
    }
    let best: Cut | null = null;
    let bestCost = Infinity;
    for (const cut of candidates(l, r, width, height, 2)) {
      const [w1, h1, w2, h2] = childRects(cut, width, height);
      const c = estimate(l, cut.m, w1, h1, 1) + estimate(cut.m, r, w2, h2, 1) + jitter();
      if (c < bestCost) {
        bestCost = c;
        best = cut;
      }
    }
    if (!best) throw fitError(images, content, gap);
    if (best.kind === VERTICAL) {
      const a = splitSpan(width, best.first);
      if (gap > 0) gaps.push({ x: x + a, y, width: gap, height });
      solve(l, best.m, x, y, a, height);
      solve(best.m, r, x + a + gap, y, width - gap - a, height);
    } else {
      const a = splitSpan(height, best.first);
      if (gap > 0) gaps.push({ x, y: y + a, width, height: gap });
      solve(l, best.m, x, y, width, a);
      solve(best.m, r, x, y + a + gap, width, height - gap - a);
    }
  };

  solve(0, n, content.x, content.y, content.width, content.height);
  return { boxes, gaps };
}
