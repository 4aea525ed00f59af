/**
 * Row breaks for justified layouts on a fixed page. Items (cell aspects, in order) are broken
 * into rows that each span the content width exactly, gaps included; a row's natural height is
 * the one at which its items, uncropped, fill the width.
 *
 * The breaks are chosen for the whole set at once by dynamic programming over break points, with
 * a row cost that scores evenness (log of the row's height against the target row height, squared)
 * plus λ times its height. λ trades evenness for total height: it is searched (bisection) for the
 * break sets whose natural total height lands just above and just below the content height, so
 * the rows fill the page with only a small remainder left to fit. Every break set met on the way
 * is returned; the caller scores them on the page.
 */

export interface RowBreakOptions {
  /** Content width and height, px. */
  width: number;
  height: number;
  gap: number;
  /** Row height the rows should be near (evenness is measured against it). */
  target: number;
  /** Resolution-aware rows: per item, the tallest row it stays sharp in, and what a row costs per item it blurs. */
  sharpness?: RowSharpness;
}

export interface RowSharpness {
  /** Per item, the tallest row (natural height, px) in which it still prints at the threshold (Infinity: any). */
  limits: Float64Array;
  /** Cost of each item a row puts over its limit (the evenness cost of a row off the target by log h is log² h). */
  cost: number;
  /** Rows further than this (log) from the target cost 1 each: sharpness is not bought with uneven rows. */
  band: number;
}

export interface RowBreaks {
  /** Index of the first item of each row. */
  starts: number[];
  /** Natural height of each row at the full width. */
  heights: number[];
}

/** A row shorter than this fraction of the target is not considered (unless it is one item). */
const SHORTEST = 0.25;
/** Bisection steps on λ. */
const STEPS = 48;

/**
 * The row height `target` that fills a width×height box with these items in rows near their
 * natural size: with K rows of height h, Σaspect·h + (m − K)·gap ≈ K·width and K·h + (K−1)·gap = height.
 */
export function naturalRowHeight(aspects: readonly number[], width: number, height: number, gap: number): number {
  const total = aspects.reduce((s, a) => s + a, 0);
  const m = aspects.length;
  // K = (height + gap)/(h + gap) rows; each row's items fill width: total·h + m·gap = K·(width + gap).
  // (total·h + m·gap)(h + gap) = (height + gap)(width + gap): a quadratic in h.
  const a = total;
  const b = total * gap + m * gap;
  const c = m * gap * gap - (height + gap) * (width + gap);
  const h = (-b + Math.sqrt(b * b - 4 * a * c)) / (2 * a);
  return Math.max(1, Math.min(h, height));
}

/** Candidate break sets: those found while searching λ for a natural total height equal to the content height. */
export function rowBreakCandidates(aspects: readonly number[], options: RowBreakOptions): RowBreaks[] {
  const prefix = new Float64Array(aspects.length + 1);
  aspects.forEach((a, i) => (prefix[i + 1] = prefix[i]! + a));
  const seen = new Map<string, RowBreaks>();
  const run = (lambda: number): number => {
    const breaks = breakRows(prefix, options, lambda);
    const key = breaks.starts.join(',');
    if (!seen.has(key)) seen.set(key, breaks);
    return totalHeight(breaks, options.gap);
  };
  let low = -1;
  let high = 1;
  // Widen until the two ends bracket the content height (or give up: one row, or one item a row).
  for (let i = 0; i < 20 && run(low) < options.height; i++) low *= 2;
  for (let i = 0; i < 20 && run(high) > options.height; i++) high *= 2;
  for (let i = 0; i < STEPS; i++) {
    const middle = (low + high) / 2;
    if (run(middle) > options.height) low = middle;
    else high = middle;
  }
  return [...seen.values()];
}

/** Exactly `rows` rows minimising Σ log(h/target)² (for small sets, alongside the λ search). */
export function breakIntoRows(aspects: readonly number[], rows: number, options: RowBreakOptions): RowBreaks | null {
  const m = aspects.length;
  if (rows < 1 || rows > m) return null;
  const prefix = new Float64Array(m + 1);
  aspects.forEach((a, i) => (prefix[i + 1] = prefix[i]! + a));
  const stride = m + 1;
  const cost = new Float64Array((rows + 1) * stride).fill(Infinity);
  const from = new Int32Array((rows + 1) * stride).fill(-1);
  cost[0] = 0;
  for (let k = 1; k <= rows; k++) {
    for (let j = k; j <= m - (rows - k); j++) {
      let least = Infinity;
      for (let i = j - 1; i >= k - 1; i--) {
        const h = naturalHeight(prefix, i, j, options);
        if (!(h > 0)) break;
        const before = cost[(k - 1) * stride + i]!;
        if (options.sharpness) least = Math.min(least, options.sharpness.limits[i]!);
        const c = before + Math.log(h / options.target) ** 2 + (options.sharpness ? sharpCost(options.sharpness, least, i, j, h, options.target) : 0);
        if (c < cost[k * stride + j]!) {
          cost[k * stride + j] = c;
          from[k * stride + j] = i;
        }
        if (h < SHORTEST * options.target && j - i > 1) break;
      }
    }
  }
  if (!(cost[rows * stride + m]! < Infinity)) return null;
  const starts = new Array<number>(rows);
  for (let k = rows, j = m; k >= 1; k--) {
    starts[k - 1] = from[k * stride + j]!;
    j = starts[k - 1]!;
  }
  return { starts, heights: heightsOf(prefix, starts, m, options) };
}

/** Natural height of items i..j-1 as one row spanning the width (≤ 0 when their gaps alone are wider). */
function naturalHeight(prefix: Float64Array, i: number, j: number, options: Pick<RowBreakOptions, 'width' | 'gap'>): number {
  return (options.width - (j - i - 1) * options.gap) / (prefix[j]! - prefix[i]!);
}

/** The breaks minimising Σ (log(h/target)² + λ·(h + gap)/(height + gap)) over rows. */
function breakRows(prefix: Float64Array, options: RowBreakOptions, lambda: number): RowBreaks {
  const m = prefix.length - 1;
  const { target, gap, height } = options;
  const best = new Float64Array(m + 1).fill(Infinity);
  const from = new Int32Array(m + 1).fill(-1);
  best[0] = 0;
  for (let j = 1; j <= m; j++) {
    let least = Infinity;
    for (let i = j - 1; i >= 0; i--) {
      const h = naturalHeight(prefix, i, j, options);
      if (!(h > 0)) break;
      if (options.sharpness) least = Math.min(least, options.sharpness.limits[i]!);
      const blur = options.sharpness ? sharpCost(options.sharpness, least, i, j, h, target) : 0;
      const cost = best[i]! + Math.log(h / target) ** 2 + (lambda * (h + gap)) / (height + gap) + blur;
      if (cost < best[j]!) {
        best[j] = cost;
        from[j] = i;
      }
      if (h < SHORTEST * target) break;
    }
  }
  const starts: number[] = [];
  for (let j = m; j > 0; j = from[j]!) starts.push(from[j]!);
  starts.reverse();
  return { starts, heights: heightsOf(prefix, starts, m, options) };
}

/**
 * What a row of items i..j-1 at natural height h costs for the items it puts over their limits
 * (`least`: the lowest limit among them), and for straying past the band around the target.
 */
function sharpCost(sharpness: RowSharpness, least: number, i: number, j: number, h: number, target: number): number {
  let cost = Math.abs(Math.log(h / target)) > sharpness.band ? 1 : 0;
  if (least >= h) return cost;
  for (let k = i; k < j; k++) if (sharpness.limits[k]! < h) cost += sharpness.cost;
  return cost;
}

function heightsOf(prefix: Float64Array, starts: readonly number[], m: number, options: Pick<RowBreakOptions, 'width' | 'gap'>): number[] {
  return starts.map((start, r) => naturalHeight(prefix, start, r + 1 < starts.length ? starts[r + 1]! : m, options));
}

/** Natural height of the rows stacked with their gaps. */
export function totalHeight(breaks: RowBreaks, gap: number): number {
  return breaks.heights.reduce((s, h) => s + h, 0) + (breaks.heights.length - 1) * gap;
}

/**
 * Moves single items across row breaks, one at a time, until the rows' natural total height is
 * within `tolerance` (a fraction) of `goal`, no row straying more than `maxDeviation` (log) from
 * the rows' mean: each time the move that gains the most height toward
 * the goal for the least unevenness (spread of log row heights). Rows of K items at one height
 * total less than any uneven K rows, so a page that even rows leave a little short is met by
 * making some rows taller than others, instead of cropping every photo.
 */
export function evenOutTo(breaks: RowBreaks, aspects: readonly number[], options: RowBreakOptions, goal: number, tolerance: number, maxDeviation: number): RowBreaks {
  const m = aspects.length;
  const prefix = new Float64Array(m + 1);
  aspects.forEach((a, i) => (prefix[i + 1] = prefix[i]! + a));
  const starts = [...breaks.starts];
  const heights = [...breaks.heights];
  const rows = starts.length;
  const endOf = (r: number) => (r + 1 < rows ? starts[r + 1]! : m);
  let total = totalHeight({ starts, heights }, options.gap);
  let sumLog = heights.reduce((s, h) => s + Math.log(h), 0);
  let sumSqLog = heights.reduce((s, h) => s + Math.log(h) ** 2, 0);
  const spread = (sum: number, sumSq: number) => sumSq - (sum * sum) / rows;
  for (let step = 0; step < 4 * m && Math.abs(total - goal) > tolerance * goal; step++) {
    let best: { r: number; start: number; before: number; after: number; gain: number; worse: number } | null = null;
    for (let r = 1; r < rows; r++) {
      for (const start of [starts[r]! - 1, starts[r]! + 1]) {
        // Row r−1 becomes starts[r−1]..start−1, row r becomes start..end−1: each keeps an item.
        if (start <= starts[r - 1]! || start >= endOf(r)) continue;
        const before = naturalHeight(prefix, starts[r - 1]!, start, options);
        const after = naturalHeight(prefix, start, endOf(r), options);
        if (!(before > 0 && after > 0)) continue;
        // Neither row may stray more than maxDeviation (log) from the rows' mean.
        const mean = (sumLog - Math.log(heights[r - 1]!) - Math.log(heights[r]!) + Math.log(before) + Math.log(after)) / rows;
        if (Math.abs(Math.log(before) - mean) > maxDeviation || Math.abs(Math.log(after) - mean) > maxDeviation) continue;
        const moved = total - heights[r - 1]! - heights[r]! + before + after;
        const gain = Math.abs(total - goal) - Math.abs(moved - goal);
        if (gain <= 0) continue;
        const logs = [Math.log(heights[r - 1]!), Math.log(heights[r]!), Math.log(before), Math.log(after)] as const;
        const sum = sumLog - logs[0] - logs[1] + logs[2] + logs[3];
        const sumSq = sumSqLog - logs[0] ** 2 - logs[1] ** 2 + logs[2] ** 2 + logs[3] ** 2;
        const worse = spread(sum, sumSq) - spread(sumLog, sumSqLog);
        if (!best || worse / gain < best.worse / best.gain) best = { r, start, before, after, gain, worse };
      }
    }
    if (!best) break;
    const { r, start, before, after } = best;
    sumLog += Math.log(before) + Math.log(after) - Math.log(heights[r - 1]!) - Math.log(heights[r]!);
    sumSqLog += Math.log(before) ** 2 + Math.log(after) ** 2 - Math.log(heights[r - 1]!) ** 2 - Math.log(heights[r]!) ** 2;
    total += before + after - heights[r - 1]! - heights[r]!;
    starts[r] = start;
    heights[r - 1] = before;
    heights[r] = after;
  }
  return { starts, heights };
}

/** Rows broken so they meet the page with their heights set: natural breaks and each row's height on the page. */
export interface FittedBreaks extends RowBreaks {
  /** Each row's height on the page (its natural height stretched by at most the crop asked). */
  fitted: number[];
}

/**
 * Breaks into exactly `rows` rows that fill the content height with every row's stretch (its
 * height on the page over its natural height) within crop `crop`, and every row within
 * `deviation` (a fraction) of the mean row height; null when no break set can.
 *
 * Dynamic programming over (rows so far, items so far) keeps the least and the greatest total
 * height the rows can take within both bounds; the page is reachable when its height lies between
 * them for all the items. Walking back, each row takes the height nearest its natural one that
 * keeps the rest reachable. (Between the least and greatest totals a gap is possible in principle;
 * there the nearest reachable total is taken, and the caller measures what it gets.)
 */
export function breaksWithin(aspects: readonly number[], rows: number, options: Omit<RowBreakOptions, 'target'>, crop: number, deviation: number): FittedBreaks | null {
  const m = aspects.length;
  const { gap } = options;
  if (rows < 1 || rows > m) return null;
  const total = options.height - (rows - 1) * gap;
  if (!(total > 0)) return null;
  const mean = total / rows;
  const bandLow = mean * (1 - deviation);
  const bandHigh = mean * (1 + deviation);
  const shrink = 1 - crop;
  const prefix = new Float64Array(m + 1);
  aspects.forEach((a, i) => (prefix[i + 1] = prefix[i]! + a));
  const stride = m + 1;
  const least = new Float64Array((rows + 1) * stride).fill(Infinity);
  const most = new Float64Array((rows + 1) * stride).fill(-Infinity);
  least[0] = 0;
  most[0] = 0;
  // Row j..i-1 at natural height h may sit anywhere in [max(h·shrink, bandLow), min(h/shrink, bandHigh)].
  const span = (i: number, j: number): [number, number] | null => {
    const h = naturalHeight(prefix, j, i, options);
    if (!(h > 0)) return null;
    const low = Math.max(h * shrink, bandLow);
    const high = Math.min(h / shrink, bandHigh);
    return low <= high ? [low, high] : null;
  };
  for (let k = 1; k <= rows; k++) {
    const row = k * stride;
    const before = (k - 1) * stride;
    for (let i = k; i <= m - (rows - k); i++) {
      let lo = Infinity;
      let hi = -Infinity;
      for (let j = i - 1; j >= k - 1; j--) {
        const h = naturalHeight(prefix, j, i, options);
        if (!(h > 0)) break;
        // Rows only get shorter as they take more items: past the band's foot, stop.
        if (h / shrink < bandLow) break;
        if (h * shrink > bandHigh || !(least[before + j]! < Infinity)) continue;
        const s = span(i, j)!;
        lo = Math.min(lo, least[before + j]! + s[0]);
        hi = Math.max(hi, most[before + j]! + s[1]);
      }
      least[row + i] = lo;
      most[row + i] = hi;
    }
  }
  if (!(least[rows * stride + m]! <= total + 1e-6 && total - 1e-6 <= most[rows * stride + m]!)) return null;
  const starts = new Array<number>(rows);
  const fitted = new Array<number>(rows);
  let remaining = total;
  for (let k = rows, i = m; k >= 1; k--) {
    const before = (k - 1) * stride;
    let best: { j: number; height: number; miss: number; off: number } | null = null;
    for (let j = i - 1; j >= k - 1; j--) {
      const h = naturalHeight(prefix, j, i, options);
      if (!(h > 0) || h / shrink < bandLow) break;
      if (h * shrink > bandHigh || !(least[before + j]! < Infinity)) continue;
      const [low, high] = span(i, j)!;
      // Heights this row may take that leave the rest reachable.
      const from = Math.max(low, remaining - most[before + j]!);
      const to = Math.min(high, remaining - least[before + j]!);
      const miss = Math.max(0, from - to);
      const height = miss > 0 ? (from + to) / 2 : Math.min(to, Math.max(from, h));
      const off = Math.abs(Math.log(height / h));
      if (!best || miss < best.miss || (miss === best.miss && off < best.off)) best = { j, height, miss, off };
    }
    if (!best) return null;
    starts[k - 1] = best.j;
    fitted[k - 1] = best.height;
    remaining -= best.height;
    i = best.j;
  }
  if (starts[0] !== 0) return null;
  return { starts, heights: heightsOf(prefix, starts, m, options), fitted };
}

/**
 * The least crop (to `resolution`) at which `breaksWithin` finds rows, and those rows; null when
 * even `maxCrop` cannot.
 */
export function leastCropBreaks(
  aspects: readonly number[],
  rows: number,
  options: Omit<RowBreakOptions, 'target'>,
  maxCrop: number,
  deviation: number,
  resolution = 1e-4,
): (FittedBreaks & { crop: number }) | null {
  let found = breaksWithin(aspects, rows, options, maxCrop, deviation);
  if (!found) return null;
  let crop = maxCrop;
  let low = 0;
  while (crop - low > resolution) {
    const middle = (low + crop) / 2;
    const attempt = breaksWithin(aspects, rows, options, middle, deviation);
    if (attempt) {
      found = attempt;
      crop = middle;
    } else low = middle;
  }
  return { ...found, crop };
}
