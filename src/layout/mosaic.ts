/**
 * Mosaic: a recursive-partition collage in the spirit of blocked recursive image composition
 * (BRIC, Atkins 2008). A slicing tree over the images (order kept) cuts the content box into
 * boxes and gutters of exactly `gap` px that tile it to the pixel.
 *
 * 1. Sketch (top down): the page is cut at each run's weighted middle, each half getting its
 *    weight's share of the area, the way that keeps both halves nearest their photos' shape; this
 *    gives every run the shape it is expected to fill.
 * 2. Candidates (bottom up, frontier.ts): per run, a short list of slicing trees whose natural
 *    (crop-free) shapes spread around the expected one, each the evenest in area for its shape.
 * 3. Choose (top down, in real numbers): each rectangle takes the pair of its halves'
 *    candidates, and the cut, that fits it best for the least area imbalance, and is split where
 *    the pair's natural sizes put the cut. A misfit left at one level is handed to both halves in
 *    proportion, where they choose again and absorb what they can, so what remains is spread over
 *    many photos as small even crops instead of dumped on a few.
 * 4. Realise (mosaic-pixels.ts): every cut of that tree takes its whole pixel, chosen together
 *    for the least worst crop; on a small page a pixel is a 2–3 % crop, so rounding each cut on
 *    its own would add more crop than the tree's misfit.
 *
 * Area balance is a soft cost: free while every photo's area per weight is within a factor
 * √maxAreaRatio of the page's, charged beyond. Where no tree fits the page within `maxCrop`, the
 * tree keeps its shape (cropped at most by the bound) and is centred; the rest of the content box
 * stays background (`unfilled`).
 *
 * Deterministic; a non-zero `seed` adds a small deterministic jitter to the choices so equally
 * good trees are picked differently. `weight` is a relative area hint.
 */
import { boundWithRounding, cropBound } from './bound.js';
import { Frontiers, weightedMiddle } from './frontier.js';
import { unfilledShare } from './metrics.js';
import { placeOnPixels, type PixelTree } from './mosaic-pixels.js';
import { mulberry32 } from './random.js';
import { HORIZONTAL, VERTICAL, joinedLaw, leaf, naturalSpans, shiftedSumSq, type Cut, type SlicingTree } from './slicing.js';
import { LayoutError, checkImages, normalizedWeights, type Box, type ImageShape, type PlacedBox } from './types.js';

export interface MosaicOptions {
  images: readonly ImageShape[];
  /** The area inside the margins. */
  content: Box;
  /** Space between cells, px. */
  gap: number;
  /** Changes the arrangement among equally good ones (same seed, same layout). Default 0. */
  seed?: number;
  /** Largest share of a photo's area a crop may hide before the page is left partly empty instead (default 0.05). */
  maxCrop?: number;
  /** Largest/smallest area per weight before area balance costs (default 4). */
  maxAreaRatio?: number;
}

export interface MosaicResult {
  /** One box per image, in image order. */
  boxes: PlacedBox[];
  /** The gutters: every pixel of `block` is in exactly one box or one gap rectangle. */
  gaps: Box[];
  /** The rectangle the tree fills: the content box, or a centred part of it when maxCrop could not be met. */
  block: Box;
  /** Share of the content box left background (0 when the block is the content box). */
  unfilled: number;
}

export const DEFAULT_MAX_AREA_RATIO = 4;

/** Cost of a log misfit between a pair's natural size and its rectangle (≈ the crop it causes). */
const FIT = 1;
/** Extra cost of a misfit past a crop one starts to see (2 %), and steeply past the crop bound. */
const VISIBLE = 0.02;
const OVER_VISIBLE = 3;
const OVER_BOUND = 10;
/** Cost of the mean square log area per weight around the page's. */
const AREA_VARIANCE = 0.1;
/** Cost of log area per weight past the free band either side of the page's. */
const AREA_EXCESS = 0.1;
/** Candidate trees kept per run, and how far around the expected shape (log cell aspect) they spread. */
const KEEP = 24;
const REACH = 1.2;
/** A pair whose natural size is more than twice or under half its rectangle is no fit at all. */
const MAX_MISFIT = Math.log(2);
/** Jitter added to a choice's cost with a seed. */
const JITTER = 0.002;

export function mosaicLayout(options: MosaicOptions): MosaicResult {
  const { images, content } = options;
  checkImages(images);
  if (images.length === 0) return { boxes: [], gaps: [], block: content, unfilled: 0 };
  return new MosaicPlanner(options).run();
}

function fitError(count: number, content: Box, gap: number): LayoutError {
  return new LayoutError('layout', `${count} images with a ${gap} px gap do not fit in ${content.width}×${content.height} px`);
}

/** A pair of candidate trees joined by a cut, as chosen for one rectangle. */
interface Choice {
  at: number;
  cut: Cut;
  first: SlicingTree;
  second: SlicingTree;
  /** |log| of the pair's natural size over the rectangle's, along the cut. */
  misfit: number;
  cost: number;
}

class MosaicPlanner {
  private readonly n: number;
  private readonly gap: number;
  private readonly content: Box;
  private readonly prefix: Float64Array;
  /** Prefix sums of the leaves' log cell aspects (a run's own shape). */
  private readonly cellLogAspects: Float64Array;
  private readonly frontiers: Frontiers;
  /** Sketch: expected log cell aspect per run (key l·(n+1)+r). */
  private readonly expected = new Map<number, number>();
  /** Log cell area per weight on the page: where every photo's should be. */
  private readonly pageLogArea: number;
  /** Half the allowed log area ratio: the free band either side of pageLogArea. */
  private readonly freeBand: number;
  /** The crop bound as a misfit: a crop c makes the cell 1/(1 − c) off the photo's aspect. */
  private readonly boundMisfit: number;
  private readonly jitter: () => number;
  private readonly boxes: PlacedBox[];
  private readonly gaps: Box[] = [];
  /** Misfit of the last pair `pairCost` scored (kept apart so the hot loop allocates nothing). */
  private lastMisfit = 0;

  constructor(private readonly options: MosaicOptions) {
    const { images, content, gap } = options;
    this.n = images.length;
    this.gap = gap;
    this.content = content;
    const weights = normalizedWeights(images);
    this.prefix = prefixSums(weights);
    const cellArea = ((content.width + gap) * (content.height + gap)) / this.prefix[this.n]!;
    const cellAspects = images.map((image, i) => cellAspect(image.aspect, gap, cellArea * weights[i]!));
    if (cellAspects.some((a) => a === null) || content.width < 1 || content.height < 1) throw fitError(this.n, content, gap);
    this.cellLogAspects = prefixSums(cellAspects.map((a) => Math.log(a!)));
    this.pageLogArea = Math.log(cellArea);
    // The band is on photo areas; a cell's log area moves less than its photo's by side/(side − gap).
    const side = Math.sqrt(cellArea);
    this.freeBand = (Math.log(Math.max(1, options.maxAreaRatio ?? DEFAULT_MAX_AREA_RATIO)) / 2) * Math.max(0.2, 1 - gap / side);
    this.boundMisfit = -Math.log(1 - boundWithRounding(cropBound(options.maxCrop), Math.sqrt(cellArea) - gap));
    const random = options.seed ? mulberry32(options.seed) : null;
    this.jitter = random ? () => random() * JITTER : () => 0;
    this.boxes = new Array(this.n);
    const leaves = images.map((image, i) => leaf(i, image.aspect, cellAspects[i]!, weights[i]!));
    this.frontiers = new Frontiers(leaves, this.prefix, { keep: KEEP, reach: REACH }, (l, r) => this.expectedShape(l, r), gap);
  }

  run(): MosaicResult {
    const block = this.fitBlock();
    this.realise(block);
    return { boxes: this.boxes, gaps: this.gaps, block, unfilled: unfilledShare(this.boxes, this.content, this.gap) };
  }

  // ---- 1. Sketch -------------------------------------------------------------------------------

  /** Expected log cell aspect of run l..r-1 (the sketch reaches every run the frontiers use). */
  private expectedShape(l: number, r: number): number {
    if (this.expected.size === 0) this.sketch(0, this.n, this.content.width + this.gap, this.content.height + this.gap);
    return this.expected.get(l * (this.n + 1) + r) ?? this.ownShape(l, r);
  }

  /** Cuts a width×height cell-space rectangle for run l..r-1 at every split point the frontiers use. */
  private sketch(l: number, r: number, width: number, height: number): void {
    const key = l * (this.n + 1) + r;
    if (this.expected.has(key)) return;
    this.expected.set(key, Math.log(width / height));
    if (r - l === 1) return;
    for (const m of this.frontiers.splitPoints(l, r)) {
      const share = (this.prefix[m]! - this.prefix[l]!) / (this.prefix[r]! - this.prefix[l]!);
      if (this.sideBySide(l, m, r, width, height, share)) {
        this.sketch(l, m, width * share, height);
        this.sketch(m, r, width * (1 - share), height);
      } else {
        this.sketch(l, m, width, height * share);
        this.sketch(m, r, width, height * (1 - share));
      }
    }
  }

  /** Whether a vertical cut (halves side by side) leaves both halves nearer their own shape than a horizontal one. */
  private sideBySide(l: number, m: number, r: number, width: number, height: number, share: number): boolean {
    const miss = (from: number, to: number, aspect: number) => (Math.log(aspect) - this.ownShape(from, to)) ** 2;
    const side = miss(l, m, (width * share) / height) + miss(m, r, (width * (1 - share)) / height);
    const stacked = miss(l, m, width / (height * share)) + miss(m, r, width / (height * (1 - share)));
    return side <= stacked;
  }

  /** A run's own shape: a squarish block of its cells (their mean log aspect). */
  private ownShape(l: number, r: number): number {
    return (this.cellLogAspects[r]! - this.cellLogAspects[l]!) / (r - l);
  }

  // ---- 3. Choose, 4. realise ---------------------------------------------------------------------

  /**
   * The rectangle the whole tree fills: the content box when a tree fits it within maxCrop, else
   * a centred rectangle of the best tree's shape, cropped by at most the bound.
   */
  private fitBlock(): Box {
    const content = this.content;
    if (this.n === 1) return content;
    const best = this.choose(0, this.n, content.width, content.height);
    if (!best || best.misfit <= this.boundMisfit) return content;
    const law = joinedLaw(best.cut, best.first, best.second, this.gap);
    const allowed = Math.exp(this.boundMisfit);
    let { width, height } = content;
    // Too wide a tree: a shorter block, whose width is the bound's crop of the tree's natural
    // width at that height; too tall: a narrower one.
    if (law.alpha * height + law.beta > width) height = Math.min(height, Math.max(1, Math.floor((width * allowed - law.beta) / law.alpha)));
    else width = Math.min(width, Math.max(1, Math.ceil((law.alpha * height + law.beta) * allowed)));
    return { x: content.x + Math.floor((content.width - width) / 2), y: content.y + Math.floor((content.height - height) / 2), width, height };
  }

  /** The best pair of candidate trees, cut and split point for run l..r-1 in a width×height rectangle. */
  private choose(l: number, r: number, width: number, height: number): Choice | null {
    let best: Choice | null = null;
    for (const at of this.frontiers.splitPoints(l, r)) {
      const left = this.frontiers.trees(l, at);
      const right = this.frontiers.trees(at, r);
      for (const cut of [VERTICAL, HORIZONTAL] as Cut[]) {
        for (const p of left) {
          for (const q of right) {
            const cost = this.pairCost(l, at, r, cut, p, q, width, height);
            if (cost < (best?.cost ?? Infinity)) best = { at, cut, first: p, second: q, misfit: this.lastMisfit, cost };
          }
        }
      }
    }
    return best;
  }

  /**
   * Cost of halves p (images l..at-1) and q (at..r-1) joined by `cut` in a width×height rectangle:
   * how far their natural size is from it, and how evenly they then share its area. Infinity when
   * they are more than a factor 2 off.
   */
  private pairCost(l: number, at: number, r: number, cut: Cut, p: SlicingTree, q: SlicingTree, width: number, height: number): number {
    const gap = this.gap;
    const vertical = cut === VERTICAL;
    // Natural spans along the cut: widths at this height, or heights at this width.
    const a = vertical ? p.alpha * height + p.beta : (width - p.beta) / p.alpha;
    const b = vertical ? q.alpha * height + q.beta : (width - q.beta) / q.alpha;
    if (!(a > 0 && b > 0)) return Infinity;
    const along = vertical ? width : height;
    const misfit = Math.abs(Math.log((a + b + gap) / along));
    if (misfit > MAX_MISFIT) return Infinity;
    this.lastMisfit = misfit;
    // Once fitted, the halves' spans along the cut; in cell space each gains a gap.
    const across = (vertical ? height : width) + gap;
    const spanP = ((along - gap) * a) / (a + b);
    const spanQ = along - gap - spanP;
    const fit = FIT * misfit + OVER_VISIBLE * Math.max(0, misfit - VISIBLE) + OVER_BOUND * Math.max(0, misfit - this.boundMisfit);
    return fit + this.areaCost(l, at, r, p, (spanP + gap) * across, q, (spanQ + gap) * across) + this.jitter();
  }

  /**
   * Area balance of halves l..at-1 (tree p, `cellsP` px² of cell space) and at..r-1 (tree q): each
   * half's cell area per weight against the page's, shared among its leaves by the tree's own
   * proportions; the mean square of the leaves' log deviations, plus how far any strays past the
   * free band.
   */
  private areaCost(l: number, at: number, r: number, p: SlicingTree, cellsP: number, q: SlicingTree, cellsQ: number): number {
    const shiftP = Math.log(cellsP / (this.prefix[at]! - this.prefix[l]!)) - this.pageLogArea - p.sumLog / p.count;
    const shiftQ = Math.log(cellsQ / (this.prefix[r]! - this.prefix[at]!)) - this.pageLogArea - q.sumLog / q.count;
    const meanSq = (shiftedSumSq(p, shiftP) + shiftedSumSq(q, shiftQ)) / (p.count + q.count);
    const high = Math.max(p.maxLog + shiftP, q.maxLog + shiftQ);
    const low = Math.min(p.minLog + shiftP, q.minLog + shiftQ);
    const excess = Math.max(0, high - this.freeBand) + Math.max(0, -low - this.freeBand);
    return AREA_VARIANCE * meanSq + AREA_EXCESS * excess;
  }

  /**
   * Lays the tree out in `block` on whole pixels: first the tree and its cuts in real numbers,
   * then every cut's pixel chosen together (mosaic-pixels.ts) for the least worst crop. Cells on a
   * small page are 36–60 px across, so where rounding lands decides most of the worst crop.
   */
  private realise(block: Box): void {
    const tree = this.idealTree(0, this.n, block.width, block.height);
    if (!placeOnPixels(tree, block, this.gap, this.boxes, this.gaps)) throw fitError(this.n, this.content, this.gap);
  }

  /**
   * The tree run l..r-1 takes in a width×height rectangle with cuts anywhere (each level choosing
   * again in the real-numbered rectangle its parent leaves it), with each cut's ideal share.
   */
  private idealTree(l: number, r: number, width: number, height: number): PixelTree {
    if (r - l === 1) return { kind: 'leaf', index: l, aspect: this.options.images[l]!.aspect };
    const choice = this.choose(l, r, width, height) ?? this.fallback(l, r, width, height);
    const fraction = this.cutFraction(choice, width, height);
    const vertical = choice.cut === VERTICAL;
    const firstSpan = ((vertical ? width : height) - this.gap) * fraction;
    const secondSpan = (vertical ? width : height) - this.gap - firstSpan;
    return {
      kind: 'cut',
      cut: choice.cut,
      fraction,
      first: vertical ? this.idealTree(l, choice.at, firstSpan, height) : this.idealTree(l, choice.at, width, firstSpan),
      second: vertical ? this.idealTree(choice.at, r, secondSpan, height) : this.idealTree(choice.at, r, width, secondSpan),
    };
  }

  /** The first half's share of what the gutter leaves: where the pair's natural sizes put the cut. */
  private cutFraction(choice: Choice, width: number, height: number): number {
    const [a, b] = naturalSpans(choice.cut, choice.first, choice.second, width, height);
    return a > 0 && b > 0 ? a / (a + b) : 0.5;
  }

  /** When no pair comes within a factor 2 of the rectangle: the weighted middle, cut across the long side. */
  private fallback(l: number, r: number, width: number, height: number): Choice {
    const at = weightedMiddle(this.prefix, l, r);
    const cut = width >= height ? VERTICAL : HORIZONTAL;
    return { at, cut, first: this.frontiers.trees(l, at)[0]!, second: this.frontiers.trees(at, r)[0]!, misfit: Infinity, cost: Infinity };
  }
}

/**
 * Aspect of a photo's cell (the photo plus one gap each way) when the cell has `area` px²: the
 * photo height h solves (aspect·h + gap)(h + gap) = area. Null when not even a pixel fits.
 */
function cellAspect(aspect: number, gap: number, area: number): number | null {
  const b = gap * (aspect + 1);
  const h = (-b + Math.sqrt(b * b - 4 * aspect * (gap * gap - area))) / (2 * aspect);
  if (!(h >= 1 && aspect * h >= 1)) return null;
  return (aspect * h + gap) / (h + gap);
}

function prefixSums(values: readonly number[]): Float64Array {
  const prefix = new Float64Array(values.length + 1);
  for (let i = 0; i < values.length; i++) prefix[i + 1] = prefix[i]! + values[i]!;
  return prefix;
}
