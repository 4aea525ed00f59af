/**
 * A lower bound for justified rows on whole pixels (the bench's `--bounds`): a row j..i-1 can sit
 * at integer height h with every photo within crop t exactly when whole widths within t of a·h
 * exist that sum to the row's width (apportion.ts); dynamic programming over the items keeps the
 * least and the greatest total height such rows can stack to. A page height outside that range
 * cannot be met by any break set with every photo within t: a proof that t is out of reach.
 */
import { sizeRange } from './apportion.js';

/**
 * For each prefix of the items, the least and greatest Σ(row height + gap) of rows (whole-pixel
 * heights in [low, high], every photo within `crop`) that hold exactly those items; ±Infinity when
 * none. A page height + gap outside [least, most] for all the items cannot be met by any such rows.
 */
export function reachableTotals(
  aspects: readonly number[],
  width: number,
  gap: number,
  low: number,
  high: number,
  crop: number,
): { least: Float64Array; most: Float64Array } | null {
  const n = aspects.length;
  if (high < low) return null;
  const span = high - low + 1;
  const least = new Float64Array(n + 1).fill(Infinity);
  const most = new Float64Array(n + 1).fill(-Infinity);
  least[0] = 0;
  most[0] = 0;
  const sumLow = new Float64Array(span);
  const sumHigh = new Float64Array(span);
  for (let i = 1; i <= n; i++) {
    sumLow.fill(0);
    sumHigh.fill(0);
    let alive = span;
    for (let j = i - 1; j >= 0 && alive > 0; j--) {
      const room = width - (i - j - 1) * gap;
      if (room < i - j) break;
      alive = 0;
      let lo = Infinity;
      let hi = -Infinity;
      for (let k = 0; k < span; k++) {
        if (sumLow[k]! > room || !Number.isFinite(sumLow[k]!)) {
          sumLow[k] = Infinity;
          continue;
        }
        const [l, u] = sizeRange(aspects[j]! * (low + k), crop);
        if (l > u) {
          sumLow[k] = Infinity;
          continue;
        }
        sumLow[k]! += l;
        sumHigh[k]! += u;
        if (sumLow[k]! > room) {
          sumLow[k] = Infinity;
          continue;
        }
        alive++;
        if (room <= sumHigh[k]!) {
          lo = Math.min(lo, low + k);
          hi = Math.max(hi, low + k);
        }
      }
      if (lo <= hi && least[j]! < Infinity) {
        least[i] = Math.min(least[i]!, least[j]! + lo + gap);
        most[i] = Math.max(most[i]!, most[j]! + hi + gap);
      }
    }
  }
  return { least, most };
}
