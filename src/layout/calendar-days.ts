/**
 * Which photo takes which calendar day: one per day (the first listed, the last, or the
 * largest), the others reported as duplicates; photos without a date, or outside the span
 * asked for, are set apart. Pure: dated items in, the day's winners out.
 */
import type { Day } from './days.js';

export const PICKS = ['first', 'last', 'largest'] as const;
export type Pick = (typeof PICKS)[number];

export interface DatedItem {
  /** Position in the manifest: "first" and "last" mean by this. */
  index: number;
  day: Day | null;
  /** Pixel count, for "largest" (unknown counts as 0). */
  pixels?: number;
  /** It could not be fetched or read: another photo of its day is shown instead, if there is one. */
  failed?: boolean;
}

export interface DayChoice {
  /** One item per day with a photo, by day. */
  placed: { index: number; day: Day }[];
  /** Days with more than one photo: the one kept and the rest, in manifest order. */
  duplicates: { day: Day; kept: number; dropped: number[] }[];
  /** Items with no date. */
  undated: number[];
  /** Items dated outside `from`..`to`. */
  outside: number[];
}

export function chooseDays(items: readonly DatedItem[], pick: Pick, range: { from?: Day; to?: Day } = {}): DayChoice {
  const byDay = new Map<Day, DatedItem[]>();
  const undated: number[] = [];
  const outside: number[] = [];
  for (const item of [...items].sort((a, b) => a.index - b.index)) {
    if (item.day === null) undated.push(item.index);
    else if ((range.from !== undefined && item.day < range.from) || (range.to !== undefined && item.day > range.to)) outside.push(item.index);
    else byDay.set(item.day, [...(byDay.get(item.day) ?? []), item]);
  }
  const placed: DayChoice['placed'] = [];
  const duplicates: DayChoice['duplicates'] = [];
  for (const day of [...byDay.keys()].sort((a, b) => a - b)) {
    const candidates = byDay.get(day)!;
    const usable = candidates.filter((c) => !c.failed);
    const kept = winner(usable.length > 0 ? usable : candidates, pick);
    placed.push({ index: kept.index, day });
    if (candidates.length > 1) duplicates.push({ day, kept: kept.index, dropped: candidates.filter((c) => c !== kept).map((c) => c.index) });
  }
  return { placed, duplicates, undated, outside };
}

/** Candidates are in manifest order; "largest" keeps the first of equal sizes. */
function winner(candidates: readonly DatedItem[], pick: Pick): DatedItem {
  if (pick === 'first') return candidates[0]!;
  if (pick === 'last') return candidates[candidates.length - 1]!;
  return candidates.reduce((best, c) => ((c.pixels ?? 0) > (best.pixels ?? 0) ? c : best));
}
