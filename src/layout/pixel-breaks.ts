/**
 * Justified rows chosen on whole pixels. On a small page a row is ~55 px tall and a portrait in it
 * ~41 px wide: a pixel is 2.4 % of it, so breaks chosen on real-valued heights and rounded after
 * leave crops no choice of rounding can undo. Here the breaks and the rows' whole heights are chosen
 * together for a crop t: a row of items j..i-1 at whole height h can hold its photos within t
 * exactly when whole widths within t of a·h exist that sum to its width (apportion.ts), and dynamic
 * programming over the items keeps, per prefix, every total height (rows plus gaps) such rows can
 * stack to, as a bit set. The page is met when its height is among the totals for all the items;
 * the least t for which it is, is searched.
 */
import { sizeRange } from './apportion.js';

export interface PixelRows {
  /** Index of the first item of each row. */
  starts: number[];
  /** Whole-pixel height of each row. */
  heights: number[];
  /** Every photo can be given a whole width within this crop of its row's height. */
  crop: number;
}

export interface PixelRowOptions {
  width: number;
  height: number;
  gap: number;
  /** Row heights allowed, px (whole). */
  low: number;
  high: number;
  /** Heights nearer this are preferred when several fill the page. */
  preferred: number;
}

/** Bisection steps on the crop. */
const STEPS = 10;
/** Bit-set words (32 bits) all prefixes may hold together: 16 MB. */
const MAX_WORDS = 4_000_000;

/** The least crop (≤ maxCrop) with which whole-pixel rows in [low, high] fill the page exactly, and those rows; null when none within maxCrop. */
export function leastCropPixelRows(aspects: readonly number[], options: PixelRowOptions, maxCrop: number): PixelRows | null {
  const words = Math.ceil((options.height + options.gap + 1) / 32);
  if (words * (aspects.length + 1) > MAX_WORDS || options.low < 1 || options.high < options.low) return null;
  let found = pixelRows(aspects, options, maxCrop, words);
  if (!found) return null;
  let low = 0;
  let high = maxCrop;
  for (let step = 0; step < STEPS; step++) {
    const middle = (low + high) / 2;
    const attempt = pixelRows(aspects, options, middle, words);
    if (attempt) {
      found = attempt;
      high = middle;
    } else low = middle;
  }
  return found;
}

/** Rows within crop t filling the page exactly, or null. */
function pixelRows(aspects: readonly number[], options: PixelRowOptions, t: number, words: number): PixelRows | null {
  const n = aspects.length;
  const { gap } = options;
  const goal = options.height + gap;
  const ranges = wholeRanges(aspects, options, t);
  const reach = new Uint32Array(words * (n + 1));
  reach[0] = 1;
  for (let i = 1; i <= n; i++) {
    for (const [j, h] of rowsEndingAt(aspects, ranges, i, options, t)) {
      if (!anyBit(reach, j, words)) continue;
      shiftOr(reach, j, i, h + gap, words);
    }
  }
  if (!hasBit(reach, n, goal, words)) return null;
  // Walk back from the page's height, each row the one nearest the preferred height that keeps the rest reachable.
  const starts: number[] = [];
  const heights: number[] = [];
  let remaining = goal;
  for (let i = n; i > 0; ) {
    let pick: [number, number] | null = null;
    for (const [j, h] of rowsEndingAt(aspects, ranges, i, options, t)) {
      if (remaining - h - gap < 0 || !hasBit(reach, j, remaining - h - gap, words)) continue;
      if (!pick || Math.abs(h - options.preferred) < Math.abs(pick[1] - options.preferred)) pick = [j, h];
    }
    if (!pick) return null;
    starts.push(pick[0]);
    heights.push(pick[1]);
    remaining -= pick[1] + gap;
    i = pick[0];
  }
  return { starts: starts.reverse(), heights: heights.reverse(), crop: t };
}

/** Each photo's whole widths within crop t at each row height of the band: lo, hi per (photo, height); lo > hi when none. */
function wholeRanges(aspects: readonly number[], options: PixelRowOptions, t: number): Int32Array {
  const span = options.high - options.low + 1;
  const table = new Int32Array(aspects.length * span * 2);
  aspects.forEach((a, k) => {
    for (let h = options.low; h <= options.high; h++) {
      const [lo, hi] = sizeRange(a * h, t);
      const at = 2 * (k * span + h - options.low);
      table[at] = lo;
      table[at + 1] = hi;
    }
  });
  return table;
}

/** Every row j..i-1 and whole height h in [low, high] at which its photos fit its width within crop t. */
function rowsEndingAt(aspects: readonly number[], ranges: Int32Array, i: number, options: PixelRowOptions, t: number): [number, number][] {
  const { width, gap, low, high } = options;
  const span = high - low + 1;
  // Σ lo and Σ hi of the row's photos at each height of the band, grown a photo at a time (Infinity: some photo has no width).
  const least = new Float64Array(span);
  const most = new Float64Array(span);
  const rows: [number, number][] = [];
  let sum = 0;
  for (let j = i - 1; j >= 0; j--) {
    sum += aspects[j]!;
    const room = width - (i - j - 1) * gap;
    if (room < i - j) break;
    for (let k = 0; k < span; k++) {
      const at = 2 * (j * span + k);
      least[k] = ranges[at]! > ranges[at + 1]! ? Infinity : least[k]! + ranges[at]!;
      most[k]! += ranges[at + 1]!;
    }
    const natural = room / sum;
    // Rows only get shorter as they take more items: below the band's foot, stop.
    if (natural / (1 - t) + 1 < low) break;
    const from = Math.max(low, Math.floor(natural * (1 - t)));
    const to = Math.min(high, Math.ceil(natural / (1 - t)));
    for (let h = from; h <= to; h++) if (least[h - low]! <= room && room <= most[h - low]!) rows.push([j, h]);
  }
  return rows;
}

function anyBit(reach: Uint32Array, row: number, words: number): boolean {
  for (let w = row * words; w < (row + 1) * words; w++) if (reach[w]) return true;
  return false;
}

function hasBit(reach: Uint32Array, row: number, bit: number, words: number): boolean {
  return ((reach[row * words + (bit >>> 5)]! >>> (bit & 31)) & 1) === 1;
}

/** reach[to] |= reach[from] << shift (bits past the page's total dropped). */
function shiftOr(reach: Uint32Array, from: number, to: number, shift: number, words: number): void {
  const whole = shift >>> 5;
  const part = shift & 31;
  const source = from * words;
  const target = to * words;
  for (let w = words - 1; w >= whole; w--) {
    const k = w - whole;
    let value = reach[source + k]! << part;
    if (part && k > 0) value |= reach[source + k - 1]! >>> (32 - part);
    reach[target + w]! |= value;
  }
}
