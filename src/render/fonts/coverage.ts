/**
 * The characters a font face draws, from its `cmap` table: the Unicode subtables (formats 0, 4,
 * 6, 12 and 13), merged into sorted ranges. A character mapped to glyph 0 (.notdef, the box)
 * is not drawn.
 */
import { FontFormatError, Reader } from './sfnt.js';

const MAX_CODE_POINT = 0x10ffff;

export class Coverage {
  /** Inclusive ranges, sorted and merged: [start, end, start, end, …]. */
  private readonly ranges: Uint32Array;

  constructor(pairs: Iterable<readonly [number, number]>) {
    const sorted = [...pairs].filter(([a, b]) => a <= b).sort((x, y) => x[0] - y[0]);
    const merged: number[] = [];
    for (const [start, end] of sorted) {
      const last = merged.length - 1;
      if (last > 0 && start <= merged[last]! + 1) merged[last] = Math.max(merged[last]!, end);
      else merged.push(start, end);
    }
    this.ranges = Uint32Array.from(merged);
  }

  has(codePoint: number): boolean {
    let lo = 0;
    let hi = this.ranges.length / 2 - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (codePoint < this.ranges[2 * mid]!) hi = mid - 1;
      else if (codePoint > this.ranges[2 * mid + 1]!) lo = mid + 1;
      else return true;
    }
    return false;
  }

  /** How many characters the face draws. */
  get size(): number {
    let total = 0;
    for (let i = 0; i < this.ranges.length; i += 2) total += this.ranges[i + 1]! - this.ranges[i]! + 1;
    return total;
  }

  /** How many of the face's characters match `pattern` (a /u regex, e.g. \p{Script=Greek}). */
  count(pattern: RegExp): number {
    let matched = 0;
    for (let i = 0; i < this.ranges.length; i += 2) {
      for (let cp = this.ranges[i]!; cp <= this.ranges[i + 1]!; cp++) if (pattern.test(String.fromCodePoint(cp))) matched++;
    }
    return matched;
  }
}

/** The characters the `cmap` table maps to a glyph. */
export function parseCmap(table: Uint8Array): Coverage {
  const reader = new Reader(table);
  const count = reader.u16(2);
  const pairs: [number, number][] = [];
  const seen = new Set<number>();
  for (let i = 0; i < count; i++) {
    const platform = reader.u16(4 + i * 8);
    const encoding = reader.u16(6 + i * 8);
    const offset = reader.u32(8 + i * 8);
    const unicode = (platform === 0 && encoding !== 5) || (platform === 3 && (encoding === 1 || encoding === 10));
    if (!unicode || seen.has(offset)) continue;
    seen.add(offset);
    readSubtable(reader, offset, pairs);
  }
  if (pairs.length === 0) throw new FontFormatError('the font has no Unicode character map');
  return new Coverage(pairs);
}

function readSubtable(reader: Reader, at: number, pairs: [number, number][]): void {
  const format = reader.u16(at);
  switch (format) {
    case 0:
      for (let code = 0; code < 256; code++) if (reader.u8(at + 6 + code) !== 0) pairs.push([code, code]);
      return;
    case 4:
      readFormat4(reader, at, pairs);
      return;
    case 6: {
      const first = reader.u16(at + 6);
      const entries = reader.u16(at + 8);
      for (let i = 0; i < entries; i++) if (reader.u16(at + 10 + 2 * i) !== 0) pairs.push([first + i, first + i]);
      return;
    }
    case 12:
    case 13: {
      const groups = reader.u32(at + 12);
      reader.slice(at + 16, groups * 12); // the whole group list is there
      for (let i = 0; i < groups; i++) {
        const group = at + 16 + i * 12;
        const start = reader.u32(group);
        const end = Math.min(reader.u32(group + 4), MAX_CODE_POINT);
        const glyph = reader.u32(group + 8);
        // Format 12 maps start → glyph, start+1 → glyph+1, …; format 13 maps the whole group to glyph.
        if (glyph !== 0) pairs.push([start, end]);
        else if (format === 12) pairs.push([start + 1, end]);
      }
      return;
    }
    default:
      // Formats 2, 8 and 10 (legacy CJK encodings, mixed 16/32-bit) are not Unicode maps we use.
      return;
  }
}

function readFormat4(reader: Reader, at: number, pairs: [number, number][]): void {
  const segments = reader.u16(at + 6) / 2;
  const ends = at + 14;
  const starts = ends + 2 * segments + 2;
  const deltas = starts + 2 * segments;
  const rangeOffsets = deltas + 2 * segments;
  for (let i = 0; i < segments; i++) {
    const start = reader.u16(starts + 2 * i);
    const end = reader.u16(ends + 2 * i);
    if (start === 0xffff) continue;
    const delta = reader.u16(deltas + 2 * i);
    const rangeOffset = reader.u16(rangeOffsets + 2 * i);
    if (rangeOffset === 0) {
      // glyph = code + delta (mod 65536): at most one code in the segment lands on glyph 0.
      const toZero = (0x10000 - delta) & 0xffff;
      if (toZero >= start && toZero <= end) {
        pairs.push([start, toZero - 1], [toZero + 1, end]);
      } else {
        pairs.push([start, end]);
      }
      continue;
    }
    for (let code = start; code <= end; code++) {
      const glyph = reader.u16(rangeOffsets + 2 * i + rangeOffset + 2 * (code - start));
      if (glyph !== 0 && ((glyph + delta) & 0xffff) !== 0) pairs.push([code, code]);
    }
  }
}
