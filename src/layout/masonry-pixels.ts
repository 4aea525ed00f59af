/**
 * Masonry columns settled on whole pixels. On a small page a column is ~63 px wide and a
 * landscape in it ~47 px tall: one pixel is 2 % of the photo, so which photos share a column
 * decides the worst crop as much as the common stretch does. A 4:3 photo in a 63 px column is
 * 47.25 px tall: 47 or 48 px, never the 2 % taller the stretch asks; a portrait (84 px) can take
 * it. So the photos are moved between columns until every column can meet its exact height in
 * whole pixels with every photo within a crop t, and t is searched down.
 *
 * A column of width w whose photos may each take whole heights [lo, hi] (within crop t of w/aspect)
 * meets its height exactly when Σ lo ≤ height − gaps ≤ Σ hi (apportion.ts then picks the sizes).
 */
import { sizeRange } from './apportion.js';

/** Bisection steps on the crop. */
const STEPS = 12;
/** Moves and swaps tried per crop before giving up on it. */
const MAX_STEPS_PER_CROP = 400;

export interface PixelColumns {
  /** Photo indices per column (each in order). */
  members: number[][];
  /** The crop every photo keeps (before apportioning, an upper bound on the worst). */
  crop: number;
  /** The columns' common height, px. */
  height: number;
}

/** Share of the page height the columns may give up (as even white above and below) to lower the worst crop. */
export const HEIGHT_SLACK = 0.01;
/** What a share of the page left white costs against the worst crop (as in justified.ts). */
const WHITE = 1;
/** Shorter heights tried within the slack. */
const HEIGHTS_TRIED = 8;

/**
 * The columns settled on whole pixels at the page's height, or up to HEIGHT_SLACK shorter where
 * that lowers the worst crop by more than the white costs: with every column 1 px on either side
 * of its ideal width, the photos' whole heights may not add up to the page within a small crop at
 * all (A4, 1,095 photos, 27 columns of 63/64 px: no assignment keeps 4:3 photos under 3.57 %,
 * while 15 px less height needs 1.6 %).
 */
export function settleColumnsAndHeight(
  members: readonly number[][],
  aspects: readonly number[],
  widths: readonly number[],
  height: number,
  gap: number,
  limit: number,
): PixelColumns | null {
  let best = settleColumns(members, aspects, widths, height, gap, limit);
  const score = (found: PixelColumns) => found.crop + (WHITE * (height - found.height)) / height;
  const slack = Math.floor(height * HEIGHT_SLACK);
  const step = Math.max(1, Math.ceil(slack / HEIGHTS_TRIED));
  for (let cut = step; cut <= slack; cut += step) {
    // Only a crop lower than the best by more than this much white costs is worth it.
    const aim = Math.min(limit, (best ? score(best) : Infinity) - (WHITE * cut) / height);
    if (aim <= 0) break;
    const found = settleColumns(best?.members ?? members, aspects, widths, height - cut, gap, aim);
    if (found && (!best || score(found) < score(best))) best = found;
  }
  return best;
}

/**
 * Reassigns photos among columns of whole-pixel `widths` (each filled to `height`) so every
 * column can be apportioned within the least crop found (≤ `limit`); null when even `limit` fails
 * from the given start.
 */
export function settleColumns(
  members: readonly number[][],
  aspects: readonly number[],
  widths: readonly number[],
  height: number,
  gap: number,
  limit: number,
): PixelColumns | null {
  let best: PixelColumns | null = null;
  let start: readonly number[][] = members;
  let low = 0;
  let high = limit;
  for (let step = 0; step < STEPS; step++) {
    const t = step === 0 ? limit : (low + high) / 2;
    // From the last assignment that met a crop, else afresh from the balanced one.
    const found = meetHeights(start, aspects, widths, height, gap, t) ?? (start === members ? null : meetHeights(members, aspects, widths, height, gap, t));
    if (found) {
      best = { members: found, crop: t, height };
      start = found;
      high = t;
    } else if (step === 0) return null;
    else low = t;
  }
  return best && { ...best, members: best.members.map((m) => m.sort((a, b) => a - b)) };
}

/**
 * Local search: while some column cannot meet its height within crop t, the move or swap with
 * another column that lowers the two columns' total shortfall most. Null when stuck.
 */
function meetHeights(start: readonly number[][], aspects: readonly number[], widths: readonly number[], height: number, gap: number, t: number): number[][] | null {
  const columns = start.map((m) => [...m]);
  // Whole-pixel range of each photo in each distinct column width.
  const ranges = new Map<number, Int32Array>();
  for (const w of new Set(widths)) {
    const table = new Int32Array(aspects.length * 2);
    aspects.forEach((a, i) => {
      const [lo, hi] = sizeRange(w / a, t);
      table[2 * i] = lo;
      table[2 * i + 1] = hi;
    });
    ranges.set(w, table);
  }
  const lows = columns.map((m, c) => m.reduce((s, i) => s + ranges.get(widths[c]!)![2 * i]!, 0));
  const highs = columns.map((m, c) => m.reduce((s, i) => s + ranges.get(widths[c]!)![2 * i + 1]!, 0));
  const counts = columns.map((m) => m.length);
  const shortfall = (low: number, high: number, count: number) => {
    if (count === 0) return 0;
    const need = height - (count - 1) * gap;
    return Math.max(0, low - need, need - high);
  };
  const range = (c: number, i: number) => {
    const table = ranges.get(widths[c]!)!;
    return [table[2 * i]!, table[2 * i + 1]!] as const;
  };
  for (let step = 0; step < MAX_STEPS_PER_CROP; step++) {
    let worst = -1;
    let worstMiss = 0;
    columns.forEach((_, c) => {
      const miss = shortfall(lows[c]!, highs[c]!, counts[c]!);
      if (miss > worstMiss) {
        worstMiss = miss;
        worst = c;
      }
    });
    if (worst < 0) return columns;
    const a = worst;
    let best: { gain: number; b: number; give: number; take: number } | null = null;
    // Per other column, its photos' kinds (ranges at a's width and its own), each once.
    const kinds = columns.map((m, b) => {
      if (b === a) return [];
      const seen = new Map<string, [number, number, number, number, number]>();
      for (const j of m) {
        const [ja0, ja1] = range(a, j);
        const [jb0, jb1] = range(b, j);
        seen.set(`${ja0},${ja1},${jb0},${jb1}`, [ja0, ja1, jb0, jb1, j]);
      }
      return [...seen.values()];
    });
    for (let b = 0; b < columns.length && !(best && best.gain === worstMiss); b++) {
      if (b === a) continue;
      const before: number = worstMiss + shortfall(lows[b]!, highs[b]!, counts[b]!);
      // Photos whose whole-pixel ranges match in both columns are interchangeable: try each kind once.
      const seenGive = new Set<string>();
      for (const i of columns[a]!) {
        const [ia0, ia1] = range(a, i);
        const [ib0, ib1] = range(b, i);
        const giveKind = `${ia0},${ia1},${ib0},${ib1}`;
        if (seenGive.has(giveKind)) continue;
        seenGive.add(giveKind);
        // Move i from a to b (a keeps at least one photo).
        if (counts[a]! > 1) {
          const after = shortfall(lows[a]! - ia0, highs[a]! - ia1, counts[a]! - 1) + shortfall(lows[b]! + ib0, highs[b]! + ib1, counts[b]! + 1);
          if (before - after > (best?.gain ?? 0)) best = { gain: before - after, b, give: i, take: -1 };
        }
        for (const [ja0, ja1, jb0, jb1, j] of kinds[b]!) {
          const after = shortfall(lows[a]! - ia0 + ja0, highs[a]! - ia1 + ja1, counts[a]!) + shortfall(lows[b]! - jb0 + ib0, highs[b]! - jb1 + ib1, counts[b]!);
          if (before - after > (best?.gain ?? 0)) best = { gain: before - after, b, give: i, take: j };
          if (after === 0) break;
        }
        if (best && best.gain === before) break;
      }
    }
    if (!best) return null;
    const { b, give, take } = best;
    const move = (i: number, from: number, to: number) => {
      columns[from] = columns[from]!.filter((k) => k !== i);
      columns[to]!.push(i);
      const [f0, f1] = range(from, i);
      const [t0, t1] = range(to, i);
      lows[from]! -= f0;
      highs[from]! -= f1;
      lows[to]! += t0;
      highs[to]! += t1;
      counts[from]!--;
      counts[to]!++;
    };
    move(give, a, b);
    if (take >= 0) move(take, b, a);
  }
  return null;
}
