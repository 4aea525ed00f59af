/**
 * Mosaic: a recursive-partition collage in the spirit of blocked recursive image composition
 * (BRIC, Atkins 2008): a binary slicing tree over the image sequence (order preserved) whose
 * internal nodes cut their rectangle vertically or horizontally with exactly `gap` px between the
 * halves, so boxes and gutters tile the content box to the pixel.
 *
 * Every subtree has an exact affine law at its natural, crop-free size, gaps included
 * (`width = alpha·height + beta`: a leaf is its aspect, a vertical cut adds the laws plus the gap,
 * a horizontal cut combines them harmonically).
 *
 * 1. Plan. Above `BIG` images the set is cut in two near its weighted middle, vertically or
 *    horizontally, each half getting an area proportional to its weight; orientation and split
 *    index are chosen by looking ahead (the best block cost of the halves, or of their halves).
 *    A group of at most `BIG` images becomes one block with a short list of candidate trees, by one
 *    of three strategies: `rows` (strips of near-equal aspect sums: linear partitions, their
 *    one-image break shifts, and the shortest-path breaks of justified rows); `nested` (blocks of
 *    at most NESTED_GROUP images from a pruned programme over intervals that keeps, per interval,
 *    its most even trees across the range of aspects, strips of more than MAX_STRIP cells charged,
 *    so blocks nest mixed cuts at every level); or `split` (upper cuts down to groups of at most
 *    2·GROUP images, each with every slicing tree). Candidates are re-scored on a float
 *    realisation (crop, area range, weighted images' areas).
 *    Up to BIG images, all three strategies run (a few ms to a few hundred) and the final pixels
 *    decide (mean and worst crop, area ratio, weighted images' areas), rows with a handicap: rows
 *    alone cannot fit most pages with few photos (5 rows too wide, 6 too narrow) and a mosaic
 *    should not look like justified rows. Above BIG, `rows` blocks only (time).
 * 2. Choose. For each blend t in BLENDS, a local search over the groups' candidate trees scores
 *    the whole page (mean and worst crop, variance and excess range of log area per weight); the
 *    best blend and choices win.
 * 3. Realise top-down on integer pixels: inside a group every rectangle is split by its children's
 *    natural sizes (no crop when the group fits); above the groups the split fraction is the
 *    natural one blended toward the weight share by t (odds^(1−t)·share-odds^t), so a group's
 *    misfit turns partly into a small area shift and partly into small cover crops.
 *
 * Deterministic; a non-zero `seed` adds a small deterministic jitter to the plan's candidate
 * scores so equally good partitions are picked differently. `weight` is a relative area hint.
 */
import { mulberry32 } from './random.js';
import { planRows } from './rows.js';
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
const SPREAD = 0.04;
/** Spread (log) above which a group is penalised hard (area ratio ≈ 2.5). */
const SPREAD_LIMIT = Math.log(2.5);

/** Blocks with a wider spread than this are dropped from the exhaustive lists (when others exist). */
const KEEP_SPREAD = Math.log(3);

/** Trees kept per group for the local search. */
const OPTIONS = 8;

/** Local-search passes over the groups. */
const PASSES = 3;
/** Weights of the variance and of the excess range (beyond RANGE_FREE) of log area per weight. */
const AREA_VARIANCE = 0.3;
/** Weight of the largest crop. */
const WORST_CROP = 0.1;
const AREA_RANGE = 1;
/** |log weight| (weights normalised to geometric mean 1) above which an image counts as weighted. */
const HINT = 0.1;
/** Weight of each weighted image's distance (log area per weight) from the page mean. */
const HINTED = 0.2;
const RANGE_FREE = Math.log(2.8);

/**
 * How far upper cuts move from natural proportions toward weight shares (0 = pure BRIC, natural
 * proportions, no crop but uneven areas; 1 = exact weight shares): each is tried, best kept.
 */
/**
 * Strip kinds tried for a block: rows only. Columns (`true`) fit tall blocks too but give portrait
 * and landscape images opposite area ratios to rows, which widens the page-wide area spread.
 */
const STRIP_KINDS: readonly boolean[] = [false];
const BLENDS = [0, 0.1, 0.2, 0.3];

/** Largest group laid out as one block (rows or columns); larger sets are partitioned. */
const BIG = 96;
/** Score points (≈ % of mean crop) by which rows must beat a nested tree to be chosen. */
const ROWS_HANDICAP = 1.5;
/** Largest/smallest displayed area (per weight) the final choice tolerates freely. */
const AREA_LIMIT = 3;
/** Nested blocks: trees kept per interval, aspect bucket width (log), and the area spread counted as even. */
const NESTED_KEEP = 16;
const NESTED_STEP = 0.04;
const NESTED_EVEN = Math.log(3);
/**
 * Largest block the nested programme builds (its cost grows with the cube of the block size); a
 * larger set is first cut near its weighted middle, as above BIG.
 */
const NESTED_GROUP = 32;
/** Cells a strip (row or column) may have in a nested block before it costs evenness (per extra cell). */
const MAX_STRIP = 3;
const STRIP_COST = 0.1;
/** Buckets either side of aspect 1 (log aspect ±NESTED_RANGE·NESTED_STEP ≈ e^±8). */
const NESTED_RANGE = 200;

const LEAF = 0 as const;
const VERTICAL = 1 as const;
const HORIZONTAL = 2 as const;

/** Strip lengths of a join: same-kind children extend the strip, others are one cell of it. */
function runs(kind: number, p: Block, q: Block): { run: number; maxRun: number } {
  const run = (p.kind === kind ? p.run : 1) + (q.kind === kind ? q.run : 1);
  return { run, maxRun: Math.max(run, p.maxRun, q.maxRun) };
}

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
  /** Cells in the strip this node heads (a chain of same-kind cuts), and the longest strip inside. */
  run: number;
  maxRun: number;
}

function fitError(images: readonly ImageShape[], content: Box, gap: number): LayoutError {
  return new LayoutError('layout', `${images.length} images with a ${gap} px gap do not fit in ${content.width}×${content.height} px`);
}

/**
 * How blocks of at most BIG images are built: `rows` (strips of near-equal aspect sums), `nested`
 * (the pruned interval programme below: real mixed-cut trees), or `split` (upper cuts all the way
 * down to exhaustive groups of at most 2·GROUP images).
 */
type Strategy = 'rows' | 'nested' | 'split';

export function mosaicLayout(options: MosaicOptions): MosaicResult {
  checkImages(options.images);
  const n = options.images.length;
  if (n === 0) return { boxes: [], gaps: [] };
  // Above BIG only the row-block plan is fast enough; below it, each strategy is a few ms: keep the
  // one that scores best on the final pixels. Rows must win clearly, the layout is asked to be a mosaic.
  if (n <= 2 * GROUP || n > BIG) return planMosaic(options, 'rows');
  const weights = normalizedWeights(options.images);
  // Nested blocks keep the most even tree per aspect, which a single weighted image hardly moves:
  // with weights, the strategies that size cells by weight directly.
  const strategies: Strategy[] = weights.some((w) => Math.abs(Math.log(w)) > HINT) ? ['split', 'rows'] : ['nested', 'split', 'rows'];
  // With a seed, strategies within a point of each other are equally good.
  const pick = options.seed ? mulberry32(options.seed ^ 0x5eed) : null;
  let best: { result: MosaicResult; score: number } | null = null;
  for (const strategy of strategies) {
    let result: MosaicResult;
    try {
      result = planMosaic(options, strategy);
    } catch (error) {
      if (error instanceof LayoutError && strategy !== 'rows') continue;
      throw error;
    }
    const score = finalScore(result.boxes, weights) + (strategy === 'rows' ? ROWS_HANDICAP : 0) + (pick ? pick() : 0);
    if (!best || score < best.score) best = { result, score };
  }
  return best!.result;
}

/**
 * Mean crop % + a tenth of the worst crop % + a steep charge for an area ratio (per weight) above
 * AREA_LIMIT + a charge for every weighted image whose area per weight strays from the page's (a
 * weight is asked for explicitly, so it must show even where a mean would not notice one image).
 */
function finalScore(boxes: readonly PlacedBox[], weights: readonly number[]): number {
  let crops = 0;
  let worst = 0;
  let lo = Infinity;
  let hi = -Infinity;
  let sum = 0;
  for (const box of boxes) {
    crops += box.crop;
    worst = Math.max(worst, box.crop);
    const area = Math.log((box.width * box.height) / weights[box.index]!);
    sum += area;
    lo = Math.min(lo, area);
    hi = Math.max(hi, area);
  }
  const mean = sum / boxes.length;
  let hinted = 0;
  for (const box of boxes) {
    if (Math.abs(Math.log(weights[box.index]!)) > HINT) hinted += Math.abs(Math.log((box.width * box.height) / weights[box.index]!) - mean);
  }
  return (100 * crops) / boxes.length + 10 * worst + 20 * Math.max(0, Math.exp(hi - lo) - AREA_LIMIT) + 100 * HINTED * hinted;
}

function planMosaic(options: MosaicOptions, strategy: Strategy): MosaicResult {
  const { images, content, gap } = options;
  const n = images.length;
  const big = strategy === 'split' ? 2 * GROUP : strategy === 'nested' ? NESTED_GROUP : BIG;
  const seed = options.seed ?? 0;
  const weights = normalizedWeights(images);
  const aspects = images.map((image) => image.aspect);
  const logWeights = weights.map(Math.log);
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i]! + weights[i]!;
  const logAspectPrefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) logAspectPrefix[i + 1] = logAspectPrefix[i]! + Math.log(aspects[i]!);
  // A handful of images cannot have both even areas and their own aspects: favour the aspects.
  const small = n <= 2 * GROUP;
  const hard = small ? 0.15 : 2;
  const areaVariance = small ? 0.05 : AREA_VARIANCE;
  const areaRange = small ? 0.15 : AREA_RANGE;
  const random = seed === 0 ? null : mulberry32(seed);
  const jitter = () => (random ? random() * (n <= BIG ? 0.02 : 0.004) : 0);
  /** With a seed, a group's trees within about a point of crop are equally good: pick among them. */
  const vary = () => (random ? random() * 0.01 : 0);

  // Quick feasibility: every image needs at least a pixel plus its share of gutters.
  if (content.width < 1 || content.height < 1) throw fitError(images, content, gap);
  {
    const perCell = (content.width * content.height) / n;
    if (perCell < 1 || Math.sqrt(perCell) <= gap * 0.5 + 1) throw fitError(images, content, gap);
  }

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
        ...runs(kind, p, q),
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
      ...runs(kind, p, q),
    };
  };

  // ---- Exhaustive blocks for small groups (memoised by interval). ----
  const memo = new Map<number, Block[]>();
  const blocksOf = (l: number, r: number): Block[] => {
    const key = l * (n + 1) + r;
    const cached = memo.get(key);
    if (cached) return cached;
    const list: Block[] = [];
    if (r - l === 1) {
      const a = aspects[l]!;
      list.push({ kind: LEAF, at: l, first: null, second: null, alpha: a, beta: 0, aspect: a, minLog: -logWeights[l]!, maxLog: -logWeights[l]!, run: 1, maxRun: 1 });
    } else {
      for (let m = l + 1; m < r; m++) {
        const left = blocksOf(l, m);
        const right = blocksOf(m, r);
        for (const p of left) {
          for (const q of right) {
            list.push(join(VERTICAL, m, p, q), join(HORIZONTAL, m, p, q));
          }
        }
      }
    }
    // Keep the blocks whose areas are even enough (all of them when none is, or for a handful of
    // images), one per natural law.
    const even = small ? list : list.filter((b) => b.maxLog - b.minLog <= KEEP_SPREAD);
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

  // ---- Nested blocks: a pruned programme over intervals. Each interval keeps, per bucket of natural
  // aspect, its most even tree (least spread of log area) built from its sub-intervals' kept trees;
  // then NESTED_KEEP of them, evenly spaced in aspect among the even ones, so parents can fit
  // rectangles of any shape. Splits far from the weighted middle are skipped for longer intervals. ----
  const nestedMemo = new Map<number, Block[]>();
  const BUCKETS = 2 * NESTED_RANGE + 1;
  const bucketSpread = new Float64Array(BUCKETS).fill(Infinity);
  const bucketChoice = new Float64Array(BUCKETS);
  const touched: number[] = [];
  /** The kept trees of a bucket table: evenly spaced (in aspect) even ones, then the most even others. */
  const keepBuckets = (): number[] => {
    touched.sort((a, b) => a - b);
    const even = touched.filter((t) => bucketSpread[t]! <= NESTED_EVEN);
    let kept: number[];
    if (even.length >= NESTED_KEEP) kept = Array.from({ length: NESTED_KEEP }, (_, i) => even[Math.round((i * (even.length - 1)) / (NESTED_KEEP - 1))]!);
    else {
      const rest = touched.filter((t) => bucketSpread[t]! > NESTED_EVEN).sort((a, b) => bucketSpread[a]! - bucketSpread[b]!);
      kept = even.concat(rest.slice(0, NESTED_KEEP - even.length));
    }
    return kept;
  };
  const clearBuckets = () => {
    for (const t of touched) bucketSpread[t] = Infinity;
    touched.length = 0;
  };
  const offerBucket = (logAspect: number, evenness: number, choice: number) => {
    // With a seed, trees of nearly the same evenness are equally good: noise picks among them.
    const spread = random ? evenness + random() * 0.1 : evenness;
    const bucket = Math.max(0, Math.min(BUCKETS - 1, Math.round(logAspect / NESTED_STEP) + NESTED_RANGE));
    const current = bucketSpread[bucket]!;
    if (current === Infinity) touched.push(bucket);
    if (spread < current) {
      bucketSpread[bucket] = spread;
      bucketChoice[bucket] = choice;
    }
  };
  const nestedBlocks = (l: number, r: number): Block[] => {
    const key = l * (n + 1) + r;
    const cached = nestedMemo.get(key);
    if (cached) return cached;
    let result: Block[];
    if (r - l <= GROUP) {
      const all = blocksOf(l, r);
      all.forEach((b, i) => offerBucket(Math.log(b.aspect), b.maxLog - b.minLog, i));
      result = keepBuckets().map((t) => all[bucketChoice[t]!]!);
      clearBuckets();
    } else {
      const total = prefix[r]! - prefix[l]!;
      const lists: [number, Block[], Block[]][] = [];
      for (let m = l + 1; m < r; m++) {
        const share = (prefix[m]! - prefix[l]!) / total;
        const reach = 0.25;
        if (r - l > 8 && (share < reach || share > 1 - reach)) continue;
        lists.push([m, nestedBlocks(l, m), nestedBlocks(m, r)]);
      }
      // The bucket table is shared: fill it only once every sub-interval is built.
      for (let s = 0; s < lists.length; s++) {
        const [, left, right] = lists[s]!;
        const leftLog = left.map((b) => Math.log(b.aspect));
        const rightLog = right.map((b) => Math.log(b.aspect));
        for (let pi = 0; pi < left.length; pi++) {
          const p = left[pi]!;
          const lp = leftLog[pi]!;
          for (let qi = 0; qi < right.length; qi++) {
            const q = right[qi]!;
            const lq = rightLog[qi]!;
            const lsum = Math.log(p.aspect + q.aspect);
            // Vertical: aspects add, each side's area fraction is its aspect share.
            let fp = lp - lsum;
            let fq = lq - lsum;
            const choice = (s * 64 + pi) * 64 + qi;
            const runV = (p.kind === VERTICAL ? p.run : 1) + (q.kind === VERTICAL ? q.run : 1);
            const stripV = Math.max(0, Math.max(runV, p.maxRun, q.maxRun) - MAX_STRIP);
            offerBucket(lsum, Math.max(p.maxLog + fp, q.maxLog + fq) - Math.min(p.minLog + fp, q.minLog + fq) + STRIP_COST * stripV, 2 * choice);
            // Horizontal: aspects combine harmonically, area fractions swap.
            fp = lq - lsum;
            fq = lp - lsum;
            const runH = (p.kind === HORIZONTAL ? p.run : 1) + (q.kind === HORIZONTAL ? q.run : 1);
            const stripH = Math.max(0, Math.max(runH, p.maxRun, q.maxRun) - MAX_STRIP);
            offerBucket(lp + lq - lsum, Math.max(p.maxLog + fp, q.maxLog + fq) - Math.min(p.minLog + fp, q.minLog + fq) + STRIP_COST * stripH, 2 * choice + 1);
          }
        }
      }
      result = keepBuckets().map((t) => {
        const code = bucketChoice[t]!;
        const kind = code % 2 === 0 ? VERTICAL : HORIZONTAL;
        const choice = Math.floor(code / 2);
        const qi = choice % 64;
        const pi = Math.floor(choice / 64) % 64;
        const [m, left, right] = lists[Math.floor(choice / 4096)]!;
        return join(kind, m, left[pi]!, right[qi]!);
      });
      clearBuckets();
    }
    nestedMemo.set(key, result);
    return result;
  };

  const blockCost = (b: Block, width: number, height: number): number => {
    const natural = b.alpha * height + b.beta;
    if (!(natural > 0) || !(width > 0) || !(height > 0)) return 10;
    const mismatch = Math.abs(Math.log(width / natural));
    const spread = b.maxLog - b.minLog;
    return mismatch + SPREAD * spread + (spread > SPREAD_LIMIT ? (spread - SPREAD_LIMIT) * hard : 0);
  };


  /** Keeps the `keep` cheapest trees with distinct natural laws (insertion into a short list). */
  class TopTrees {
    readonly blocks: Block[] = [];
    readonly costs: number[] = [];
    constructor(readonly keep: number) {}
    get worst(): number {
      return this.blocks.length < this.keep ? Infinity : this.costs[this.costs.length - 1]!;
    }
    offer(block: Block, cost: number): void {
      if (cost >= this.worst) return;
      for (let i = 0; i < this.blocks.length; i++) {
        const other = this.blocks[i]!;
        if (Math.abs(other.alpha - block.alpha) < 1e-9 * block.alpha && Math.abs(other.beta - block.beta) < 1e-6) {
          if (this.costs[i]! <= cost) return;
          this.blocks.splice(i, 1);
          this.costs.splice(i, 1);
          break;
        }
      }
      let at = this.costs.length;
      while (at > 0 && this.costs[at - 1]! > cost) at--;
      this.blocks.splice(at, 0, block);
      this.costs.splice(at, 0, cost);
      if (this.blocks.length > this.keep) {
        this.blocks.pop();
        this.costs.pop();
      }
    }
  }

  /**
   * The cheapest trees for a group of at most 2·GROUP images in a width×height rectangle: every
   * slicing tree when the group is small, otherwise a top cut (either orientation, any split index
   * leaving at most GROUP images a side) over two exhaustive subtrees, pairs matched by natural size
   * (sorted search) and then scored as one tree.
   */
  const groupTrees = (l: number, r: number, width: number, height: number, keep: number, rich: boolean | 'planned' = false): TopTrees => {
    const top = new TopTrees(keep);
    if (r - l > 2 * GROUP) {
      stripOptions(l, r, width, height, top, rich);
      return top;
    }
    if (r - l <= GROUP) {
      for (const b of blocksOf(l, r)) top.offer(b, blockCost(b, width, height));
      return top;
    }
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
            const joined = join(kind, m, p, right[order[k]!]!);
            top.offer(joined, blockCost(joined, width, height));
          }
        }
      }
    }
    return top;
  };

  /** A leaf whose natural law uses the weighted aspect (a heavier image gets a wider cell). */
  const weightedLeaf = (i: number): Block => {
    // w^1.5: in a row the heavier image's row also comes out shorter, so widen it a bit more.
    const a = aspects[i]! * Math.pow(weights[i]!, 1.5);
    return { kind: LEAF, at: i, first: null, second: null, alpha: a, beta: 0, aspect: a, minLog: -logWeights[i]!, maxLog: -logWeights[i]!, run: 1, maxRun: 1 };
  };
  /** Images l..r-1 as `count` strips (rows, or columns when `columns`) of near-equal natural size. */
  /** Images l..r-1 as strips starting at the given (absolute) indices. */
  const stripsAt = (l: number, r: number, starts: readonly number[], columns: boolean): Block => {
    const chain = columns ? HORIZONTAL : VERTICAL;
    const across = columns ? VERTICAL : HORIZONTAL;
    let result: Block | null = null;
    starts.forEach((start, s) => {
      const end = s + 1 < starts.length ? starts[s + 1]! : r;
      let strip = weightedLeaf(start);
      for (let i = start + 1; i < end; i++) strip = join(chain, i, strip, weightedLeaf(i));
      result = result ? join(across, start, result, strip) : strip;
    });
    return result!;
  };
  /** Strip starts (absolute indices) splitting l..r-1 into `count` strips of near-equal aspect sums. */
  const stripStarts = (l: number, r: number, count: number, columns: boolean): number[] => {
    const along = (i: number) => (columns ? 1 / weightedLeaf(i).alpha : weightedLeaf(i).alpha);
    let total = 0;
    for (let i = l; i < r; i++) total += along(i);
    const chain = columns ? HORIZONTAL : VERTICAL;
    const across = columns ? VERTICAL : HORIZONTAL;
    const starts: number[] = [];
    let start = l;
    let cumulative = 0;
    for (let s = 0; s < count; s++) {
      const goal = (total * (s + 1)) / count;
      let end = start + 1;
      cumulative += along(start);
      // Extend while the next image brings the running sum closer to the goal (leave one per strip).
      while (end < r - (count - s - 1) && (s === count - 1 || Math.abs(cumulative + along(end) - goal) < Math.abs(cumulative - goal))) {
        cumulative += along(end);
        end++;
      }
      starts.push(start);
      start = end;
    }
    return starts;
  };
  const strips = (l: number, r: number, count: number, columns: boolean, variants?: (block: Block) => void): Block => {
    const starts = stripStarts(l, r, count, columns);
    if (variants) {
      // Each break moved by one image either way: more natural laws to choose from.
      for (let s = 1; s < starts.length; s++) {
        for (const d of [-1, 1]) {
          const moved = starts[s]! + d;
          if (moved <= starts[s - 1]! || moved >= (s + 1 < starts.length ? starts[s + 1]! : r)) continue;
          const copy = starts.slice();
          copy[s] = moved;
          variants(stripsAt(l, r, copy, columns));
        }
      }
    }
    return stripsAt(l, r, starts, columns);
  };
  /** Rows and columns arrangements of a group, row/column counts around the ones that fit. */
  const stripOptions = (l: number, r: number, width: number, height: number, top: TopTrees, rich: boolean | 'planned'): void => {
    const k = r - l;
    let sumA = 0;
    let sumInv = 0;
    for (let i = l; i < r; i++) {
      sumA += weightedLeaf(i).alpha;
      sumInv += 1 / weightedLeaf(i).alpha;
    }
    for (const columns of STRIP_KINDS) {
      const ideal = columns ? Math.sqrt((width * sumInv) / height) : Math.sqrt((height * sumA) / width);
      for (let c = Math.max(1, Math.floor(ideal) - 1); c <= Math.min(k, Math.ceil(ideal) + 1); c++) {
        const b = strips(l, r, c, columns, rich === true ? (v) => top.offer(v, blockCost(v, width, height)) : undefined);
        top.offer(b, blockCost(b, width, height));
      }
      // Breaks chosen for the whole group at once (shortest path, as for justified rows): only for
      // the final choice, too slow for the look-ahead.
      if (!rich) continue;
      try {
        const items: { alpha: number; beta: number }[] = [];
        for (let i = l; i < r; i++) items.push({ alpha: columns ? 1 / weightedLeaf(i).alpha : weightedLeaf(i).alpha, beta: 0 });
        const planned = planRows(items, columns ? { width: height, height: width, y: 0, gap } : { width, height, y: 0, gap });
        const b = stripsAt(l, r, planned.starts.map((st) => st + l), columns);
        top.offer(b, blockCost(b, width, height));
      } catch (error) {
        if (!(error instanceof LayoutError)) throw error;
      }
    }
  };

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
    if (r - l <= 2 * GROUP) return groupTrees(l, r, width, height, 1).costs[0] ?? 10;
    if (r - l <= big) return groupTrees(l, r, width, height, 1, 'planned').costs[0] ?? 10;
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

  // ---- Plan: the upper partition with a short list of trees per group. ----
  interface Group {
    kind: typeof LEAF;
    l: number;
    r: number;
    options: Block[];
    costs: number[];
    choice: number;
  }
  interface Node {
    kind: typeof VERTICAL | typeof HORIZONTAL;
    l: number;
    m: number;
    r: number;
    first: Plan;
    second: Plan;
  }
  type Plan = Group | Node;
  const groups: Group[] = [];

  const plan = (l: number, r: number, width: number, height: number): Plan => {
    if (r - l <= big) {
      const rough = strategy === 'nested' && r - l > 2 * GROUP ? nestedBlocks(l, r) : groupTrees(l, r, width, height, 4 * OPTIONS, true).blocks;
      // Re-score the short list on a float realisation (gaps included): crop, area range, and how far
      // weighted images stray from the group's mean area per weight.
      const top = new TopTrees(OPTIONS);
      rough.forEach((b) => {
        floatBlock(b, width, height);
        let crops = 0;
        let lo = Infinity;
        let hi = -Infinity;
        let sum = 0;
        for (let i = l; i < r; i++) {
          crops += crop[i]!;
          sum += logArea[i]!;
          lo = Math.min(lo, logArea[i]!);
          hi = Math.max(hi, logArea[i]!);
        }
        let strayed = 0;
        for (const i of hinted) if (i >= l && i < r) strayed += Math.abs(logArea[i]! - sum / (r - l));
        const range = hi - lo;
        top.offer(b, crops / (r - l) + SPREAD * range + (range > SPREAD_LIMIT ? (range - SPREAD_LIMIT) * hard : 0) + HINTED * strayed + vary());
      });
      if (top.blocks.length === 0) throw fitError(images, content, gap);
      const group: Group = { kind: LEAF, l, r, options: top.blocks, costs: top.costs, choice: 0 };
      groups.push(group);
      return group;
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
    const [w1, h1, w2, h2] = childRects(best, width, height);
    return { kind: best.kind as typeof VERTICAL, l, m: best.m, r, first: plan(l, best.m, w1, h1), second: plan(best.m, r, w2, h2) };
  };

  /** The first child's weight share at an upper node. */
  const weightShare = (node: Node) => (prefix[node.m]! - prefix[node.l]!) / (prefix[node.r]! - prefix[node.l]!);
  let blendT = 0;
  /** Split fraction between the natural one and the weight share (odds blended geometrically). */
  const blend = (natural: number, share?: number): number => {
    if (share === undefined || blendT === 0) return natural;
    const odds = Math.pow(natural / (1 - natural), 1 - blendT) * Math.pow(share / (1 - share), blendT);
    return odds / (1 + odds);
  };

  // Score of the current choices, from a float realisation (BRIC: every rectangle split by its
  // children's natural sizes): mean crop, plus the variance and range of log area per weight.
  const logArea = new Float64Array(n);
  const crop = new Float64Array(n);
  const lawOf = new Map<Plan, [number, number]>();
  const laws = (node: Plan): [number, number] => {
    let result: [number, number];
    if (node.kind === LEAF) {
      const b = node.options[node.choice]!;
      result = [b.alpha, b.beta];
    } else {
      const [a1, b1] = laws(node.first);
      const [a2, b2] = laws(node.second);
      if (node.kind === VERTICAL) result = [a1 + a2, b1 + b2 + gap];
      else {
        const alpha = 1 / (1 / a1 + 1 / a2);
        result = [alpha, alpha * (b1 / a1 + b2 / a2 - gap)];
      }
    }
    lawOf.set(node, result);
    return result;
  };
  const spread = (kind: number, width: number, height: number, p: [number, number], q: [number, number], visit: (first: boolean, w: number, h: number) => void, share?: number) => {
    if (kind === VERTICAL) {
      const wp = Math.max(1e-9, p[0] * height + p[1]);
      const wq = Math.max(1e-9, q[0] * height + q[1]);
      const a = Math.max(1e-6, (width - gap) * blend(wp / (wp + wq), share));
      visit(true, a, height);
      visit(false, Math.max(1e-6, width - gap - a), height);
    } else {
      const hp = Math.max(1e-9, (width - p[1]) / p[0]);
      const hq = Math.max(1e-9, (width - q[1]) / q[0]);
      const a = Math.max(1e-6, (height - gap) * blend(hp / (hp + hq), share));
      visit(true, width, a);
      visit(false, width, Math.max(1e-6, height - gap - a));
    }
  };
  const floatBlock = (b: Block, width: number, height: number): void => {
    if (b.kind === LEAF) {
      logArea[b.at] = Math.log((width * height) / weights[b.at]!);
      crop[b.at] = coverCropFraction(aspects[b.at]!, width, height);
      return;
    }
    spread(b.kind, width, height, [b.first!.alpha, b.first!.beta], [b.second!.alpha, b.second!.beta], (first, w, h) => floatBlock(first ? b.first! : b.second!, w, h));
  };
  const floatPlan = (node: Plan, width: number, height: number): void => {
    if (node.kind === LEAF) {
      floatBlock(node.options[node.choice]!, width, height);
      return;
    }
    spread(node.kind, width, height, lawOf.get(node.first)!, lawOf.get(node.second)!, (first, w, h) => floatPlan(first ? node.first : node.second, w, h), weightShare(node));
  };
  const evaluate = (): number => {
    laws(root);
    floatPlan(root, content.width, content.height);
    let sum = 0;
    let sumSq = 0;
    let lo = Infinity;
    let hi = -Infinity;
    let crops = 0;
    let worst = 0;
    for (let i = 0; i < n; i++) {
      const v = logArea[i]!;
      sum += v;
      sumSq += v * v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      crops += crop[i]!;
      if (crop[i]! > worst) worst = crop[i]!;
    }
    const mean = sum / n;
    const variance = Math.max(0, sumSq / n - mean * mean);
    let strayed = 0;
    for (const i of hinted) strayed += Math.abs(logArea[i]! - mean);
    return crops / n + WORST_CROP * worst + areaVariance * variance + areaRange * Math.max(0, hi - lo - RANGE_FREE) + HINTED * strayed;
  };

  // Images with an explicit weight: their area per weight is held to the page's individually.
  const hinted = weights.flatMap((w, i) => (Math.abs(Math.log(w)) > HINT ? [i] : []));
  const root = plan(0, n, content.width, content.height);
  // For each blend, a local search over the groups' trees (first improvement, a few passes);
  // the best blend and choices win.
  let best: { score: number; blend: number; choices: number[] } | null = null;
  for (const t of BLENDS) {
    blendT = t;
    for (const g of groups) g.choice = 0;
    let score = evaluate();
    for (let pass = 0; pass < PASSES; pass++) {
      let improved = false;
      for (const g of groups) {
        const current = g.choice;
        let bestChoice = current;
        let bestScore = score;
        for (let o = 0; o < g.options.length; o++) {
          if (o === current) continue;
          g.choice = o;
          const total = evaluate();
          if (total < bestScore - 1e-9) {
            bestScore = total;
            bestChoice = o;
          }
        }
        g.choice = bestChoice;
        if (bestChoice !== current) {
          improved = true;
          score = bestScore;
        }
      }
      if (!improved) break;
    }
    if (!best || score < best.score) best = { score, blend: t, choices: groups.map((g) => g.choice) };
  }
  blendT = best!.blend;
  groups.forEach((g, k) => (g.choice = best!.choices[k]!));
  laws(root);
  const realisePlan = (node: Plan, x: number, y: number, width: number, height: number): void => {
    if (node.kind === LEAF) {
      realise(node.options[node.choice]!, x, y, width, height);
      return;
    }
    const p = lawOf.get(node.first)!;
    const q = lawOf.get(node.second)!;
    if (node.kind === VERTICAL) {
      const wp = Math.max(1e-9, p[0] * height + p[1]);
      const wq = Math.max(1e-9, q[0] * height + q[1]);
      const a = splitSpan(width, (width - gap) * blend(wp / (wp + wq), weightShare(node)));
      if (gap > 0) gaps.push({ x: x + a, y, width: gap, height });
      realisePlan(node.first, x, y, a, height);
      realisePlan(node.second, x + a + gap, y, width - gap - a, height);
    } else {
      const hp = Math.max(1e-9, (width - p[1]) / p[0]);
      const hq = Math.max(1e-9, (width - q[1]) / q[0]);
      const a = splitSpan(height, (height - gap) * blend(hp / (hp + hq), weightShare(node)));
      if (gap > 0) gaps.push({ x, y: y + a, width, height: gap });
      realisePlan(node.first, x, y, width, a);
      realisePlan(node.second, x, y + a + gap, width, height - gap - a);
    }
  };
  realisePlan(root, content.x, content.y, content.width, content.height);
  return { boxes, gaps };
}
