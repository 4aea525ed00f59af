/**
 * Caption text layout: words wrapped to the width, at most `maxLines` lines (fewer when the
 * height allows fewer), the last line cut with an ellipsis when text is left over. A word
 * wider than a line is cut with an ellipsis too, except in scripts written without spaces
 * (Chinese, Japanese, Thai, …), which wrap between words. Measured with the caption's font
 * chain, the one it is drawn with.
 *
 * The work is bounded by what can be shown, not by the text's length: a line is found by
 * measuring prefixes of doubling length, then halving (O(log n) measurements, none much longer
 * than a line), never the whole text.
 */
import type { SKRSContext2D } from '@napi-rs/canvas';
import { loadSkia } from '../skia.js';
import type { CaptionLook } from '../manifest/style.js';
import { FontSet } from './fonts/index.js';
import { baseDirection } from './bidi.js';

export interface CaptionBlock {
  lines: string[];
  /** Height of the whole block, padding included, px. */
  height: number;
  lineHeight: number;
  /** Baseline offset of the first line below the text top, px. */
  ascent: number;
  /** The CSS font the lines were measured with (and are drawn with). */
  font: string;
  direction: 'ltr' | 'rtl';
}

export type Measure = (text: string) => number;

const LINE_HEIGHT = 1.25;
const ELLIPSIS = '…';
/** Longer candidates are first checked by a prefix this long: measuring costs per character. */
const LONG_TEXT = 512;
/** First prefix tried when searching for what fits a line, code units. */
const FIRST_STEP = 32;
/** How far around a cut point text is segmented to find a grapheme or word boundary. */
const WINDOW = 96;

let measurer: SKRSContext2D | null = null;

function measuring(font: string): SKRSContext2D {
  measurer ??= loadSkia().createCanvas(1, 1).getContext('2d');
  measurer.font = font;
  return measurer;
}

/** The CSS font for a caption: its size and the families its text needs. */
export function captionFont(caption: CaptionLook): string {
  const families = caption.families ?? FontSet.bundled().chain(caption.font)?.families(caption.text) ?? FontSet.bundled().chain()!.families(caption.text);
  return `${caption.size}px ${families}`;
}

/** Lays out `caption.text` in a box `width` wide and at most `maxHeight` tall; null when not even one line fits. */
export function captionBlock(caption: CaptionLook, width: number, maxHeight: number): CaptionBlock | null {
  const lineHeight = caption.size * LINE_HEIGHT;
  const textWidth = width - 2 * caption.padding;
  const fitLines = Math.floor((maxHeight - 2 * caption.padding) / lineHeight);
  const maxLines = Math.min(caption.maxLines, fitLines);
  if (maxLines < 1 || textWidth < caption.size) return null;
  const font = captionFont(caption);
  const ctx = measuring(font);
  const lines = wrapText((s) => ctx.measureText(s).width, caption.text, textWidth, maxLines);
  if (lines.length === 0) return null;
  return {
    lines,
    height: Math.ceil(lines.length * lineHeight + 2 * caption.padding),
    lineHeight,
    ascent: caption.size * 0.95 + (lineHeight - caption.size) / 2,
    font,
    direction: caption.direction === 'auto' ? baseDirection(caption.text) : caption.direction,
  };
}

/** Scripts written without spaces between words: a line may break between any two of their words. */
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}\p{Script=Tai_Tham}]/u;

/** Greedy word wrap into at most `maxLines` lines of at most `width`; overflow ends in an ellipsis. */
export function wrapText(measure: Measure, text: string, width: number, maxLines: number): string[] {
  const fits = (s: string) => (s.length > LONG_TEXT && measure(s.slice(0, LONG_TEXT)) > width ? false : measure(s) <= width);
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let current = '';
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const lead = current ? `${current} ` : '';
    if (fits(lead + word)) {
      current = lead + word;
      continue;
    }
    if (UNSPACED.test(word)) {
      // Fill the line up to the last word boundary that fits; the rest goes on.
      const cut = longestFit(measure, lead, word, '', width, 'word');
      if (cut > 0) {
        lines.push(lead + word.slice(0, cut));
        current = '';
        if (lines.length === maxLines) return lastWithEllipsis(measure, lines, width, true);
        words[i--] = word.slice(cut);
        continue;
      }
    }
    if (current) {
      lines.push(current);
      current = '';
      if (lines.length === maxLines) return lastWithEllipsis(measure, lines, width, true);
      i--; // this word starts the next line
      continue;
    }
    // One word wider than the line: cut it.
    lines.push(ellipsize(measure, word, width));
    if (lines.length === maxLines) return lastWithEllipsis(measure, lines, width, i + 1 < words.length);
  }
  if (current) lines.push(current);
  return lines;
}

function lastWithEllipsis(measure: Measure, lines: string[], width: number, more: boolean): string[] {
  if (!more) return lines;
  const last = lines[lines.length - 1]!;
  if (!last.endsWith(ELLIPSIS)) lines[lines.length - 1] = ellipsize(measure, last, width, true);
  return lines;
}

/** `text` cut so that it and an ellipsis fit `width` (the text itself when it fits, unless `forced`). */
function ellipsize(measure: Measure, text: string, width: number, forced = false): string {
  if (!forced && text.length <= LONG_TEXT && measure(text) <= width) return text;
  if (forced && measure(`${text.trimEnd()}${ELLIPSIS}`) <= width) return `${text.trimEnd()}${ELLIPSIS}`;
  const body = text.slice(0, longestFit(measure, '', text, ELLIPSIS, width, 'grapheme')).trimEnd();
  return body ? `${body}${ELLIPSIS}` : measure(ELLIPSIS) <= width ? ELLIPSIS : '';
}

/**
 * The length of the longest prefix of `text`, cut at a `unit` boundary, such that
 * `lead + prefix + tail` fits `width`; 0 when none does. Prefixes of doubling length are measured
 * until one does not fit, then the cut is found by halving: O(log n) measurements, none longer
 * than about twice the answer.
 */
export function longestFit(measure: Measure, lead: string, text: string, tail: string, width: number, unit: 'grapheme' | 'word'): number {
  const fitsAt = (index: number) => {
    const cut = boundaryAtOrBefore(text, index, unit);
    return { cut, fits: measure(lead + text.slice(0, cut) + tail) <= width };
  };
  let good = 0;
  let bad = -1;
  for (let step = FIRST_STEP; ; step *= 2) {
    const index = Math.min(step, text.length);
    const { fits } = fitsAt(index);
    if (!fits) {
      bad = index;
      break;
    }
    good = index;
    if (index === text.length) return boundaryAtOrBefore(text, good, unit);
  }
  while (bad - good > 1) {
    const middle = (good + bad) >> 1;
    if (fitsAt(middle).fits) good = middle;
    else bad = middle;
  }
  return boundaryAtOrBefore(text, good, unit);
}

const segmenters = new Map<string, Intl.Segmenter>();

/**
 * The last `unit` boundary at or before `index`: never inside a grapheme cluster (an emoji
 * sequence, a consonant with its vowel signs); for `word`, also never just before closing
 * punctuation or after opening punctuation. Only text around `index` is segmented.
 */
export function boundaryAtOrBefore(text: string, index: number, unit: 'grapheme' | 'word'): number {
  if (index >= text.length) return text.length;
  if (index <= 0) return 0;
  let segmenter = segmenters.get(unit);
  if (!segmenter) segmenters.set(unit, (segmenter = new Intl.Segmenter(undefined, { granularity: unit })));
  const from = Math.max(0, index - WINDOW);
  let best = -1;
  for (const { index: at } of segmenter.segment(text.slice(from, Math.min(text.length, index + WINDOW)))) {
    const boundary = from + at;
    if (boundary > index) break;
    if (boundary === 0 || (boundary > from && (unit === 'grapheme' || breakable(text, boundary)))) best = boundary;
  }
  if (best >= 0) return best;
  // No boundary in the window (a run longer than it): cut between code points.
  if (unit === 'word') return boundaryAtOrBefore(text, index, 'grapheme');
  const code = text.charCodeAt(index);
  return code >= 0xdc00 && code <= 0xdfff ? index - 1 : index;
}

const CLOSING = /[\p{Pe}\p{Pf}\p{Po}]/u;
const OPENING = /[\p{Ps}\p{Pi}]/u;

function breakable(text: string, at: number): boolean {
  return !CLOSING.test(text[at]!) && !OPENING.test(text[at - 1]!);
}
