/**
 * The order photos take the layout's cells in: as listed, by capture time, or shuffled with a
 * seed. Pure: items in, a new array out; the input is not changed.
 */
import { mulberry32 } from './random.js';

export type ImageOrder = { type: 'manifest' } | { type: 'date' } | { type: 'shuffle'; seed: number };

/**
 * Capture-time order: dated items first, oldest first; items with the same time, and every
 * undated item (after the dated ones), keep their listed order. `time` is any comparable
 * number (milliseconds), or null when the photo has no date.
 */
export function sortByDate<T>(items: readonly T[], time: (item: T) => number | null): T[] {
  const keyed = items.map((item, position) => ({ item, position, time: time(item) }));
  keyed.sort((a, b) => {
    if (a.time === null || b.time === null) return a.time === b.time ? a.position - b.position : a.time === null ? 1 : -1;
    return a.time - b.time || a.position - b.position;
  });
  return keyed.map((k) => k.item);
}

/** Fisher–Yates with mulberry32: the same seed gives the same order on every machine. */
export function shuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  const random = mulberry32(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
