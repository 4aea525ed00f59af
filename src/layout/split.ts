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
