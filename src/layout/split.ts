/**
 * `count` spans of near-equal integer size separated by exactly `gap` pixels, filling
 * `length` exactly: rounding goes into the spans (they differ by at most 1 px), never the gaps.
 */
export function splitEvenly(start: number, length: number, count: number, gap: number): { start: number; size: number }[] {
  const available = length - (count - 1) * gap;
  const spans: { start: number; size: number }[] = [];
  for (let i = 0; i < count; i++) {
    const from = Math.floor((i * available) / count);
    const to = Math.floor(((i + 1) * available) / count);
    spans.push({ start: start + from + i * gap, size: to - from });
  }
  return spans;
}

/**
 * Spans proportional to `weights` (> 0), separated by exactly `gap` pixels, filling `length`
 * exactly: cumulative rounding, so spans differ from their ideal size by under 1 px.
 */
/** The smallest span `splitEvenly(_, length, count, gap)` makes, without making them. */
export function smallestSpan(length: number, count: number, gap: number): number {
  return Math.floor((length - (count - 1) * gap) / count);
}

export function splitWeighted(start: number, length: number, weights: readonly number[], gap: number): { start: number; size: number }[] {
  const count = weights.length;
  const available = length - (count - 1) * gap;
  const total = weights.reduce((s, w) => s + w, 0);
  const spans: { start: number; size: number }[] = [];
  let cumulative = 0;
  let from = 0;
  for (let i = 0; i < count; i++) {
    cumulative += weights[i]!;
    const to = i === count - 1 ? available : Math.round((cumulative / total) * available);
    spans.push({ start: start + from + i * gap, size: to - from });
    from = to;
  }
  return spans;
}

/** Spans of the given sizes laid end to end from `start`, `gap` apart. */
export function stack(start: number, sizes: readonly number[], gap: number): { start: number; size: number }[] {
  let at = start;
  return sizes.map((size) => {
    const span = { start: at, size };
    at += size + gap;
    return span;
  });
}
