/**
 * Caption text layout: words wrapped to the width, at most `maxLines` lines (fewer when the
 * height allows fewer), the last line cut with an ellipsis when text is left over. A word
 * wider than a line is cut with an ellipsis too. Measured with the real font.
 */
import type { SKRSContext2D } from '@napi-rs/canvas';
import { loadSkia } from '../skia.js';
import type { CaptionLook } from '../manifest/style.js';
import { registerBundledFonts } from './fonts.js';

export interface CaptionBlock {
  lines: string[];
  /** Height of the whole block, padding included, px. */
  height: number;
  lineHeight: number;
  /** Baseline offset of the first line below the text top, px. */
  ascent: number;
}

const LINE_HEIGHT = 1.25;
const ELLIPSIS = '…';

let measurer: SKRSContext2D | null = null;

function measuring(font: string): SKRSContext2D {
  registerBundledFonts();
  measurer ??= loadSkia().createCanvas(1, 1).getContext('2d');
  measurer.font = font;
  return measurer;
}

/** Lays out `caption.text` in a box `width` wide and at most `maxHeight` tall; null when not even one line fits. */
export function captionBlock(caption: CaptionLook, width: number, maxHeight: number): CaptionBlock | null {
  const lineHeight = caption.size * LINE_HEIGHT;
  const textWidth = width - 2 * caption.padding;
  const fitLines = Math.floor((maxHeight - 2 * caption.padding) / lineHeight);
  const maxLines = Math.min(caption.maxLines, fitLines);
  if (maxLines < 1 || textWidth < caption.size) return null;
  const ctx = measuring(`${caption.size}px "${caption.font}"`);
  const lines = wrapText((s) => ctx.measureText(s).width, caption.text, textWidth, maxLines);
  if (lines.length === 0) return null;
  return {
    lines,
    height: Math.ceil(lines.length * lineHeight + 2 * caption.padding),
    lineHeight,
    ascent: caption.size * 0.95 + (lineHeight - caption.size) / 2,
  };
}

/** Greedy word wrap into at most `maxLines` lines of at most `width`; overflow ends in an ellipsis. */
export function wrapText(measure: (s: string) => number, text: string, width: number, maxLines: number): string[] {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let current = '';
  let i = 0;
  for (; i < words.length; i++) {
    const word = words[i]!;
    const candidate = current ? `${current} ${word}` : word;
    if (measure(candidate) <= width) {
      current = candidate;
      continue;
    }
    if (!current) {
      // One word wider than the line: cut it.
      lines.push(ellipsize(measure, word, width));
      if (lines.length === maxLines) return lastWithEllipsis(measure, lines, width, i + 1 < words.length);
      continue;
    }
    lines.push(current);
    current = '';
    if (lines.length === maxLines) return lastWithEllipsis(measure, lines, width, true);
    i--; // this word starts the next line
  }
  if (current) lines.push(current);
  return lines;
}

function lastWithEllipsis(measure: (s: string) => number, lines: string[], width: number, more: boolean): string[] {
  if (!more) return lines;
  const last = lines[lines.length - 1]!;
  lines[lines.length - 1] = last.endsWith(ELLIPSIS) ? last : ellipsize(measure, `${last}${ELLIPSIS}`, width, true);
  return lines;
}

/** `text` cut so that it and an ellipsis fit `width` (the text itself when it fits). */
function ellipsize(measure: (s: string) => number, text: string, width: number, forced = false): string {
  if (!forced && measure(text) <= width) return text;
  let body = forced ? text.slice(0, -ELLIPSIS.length) : text;
  const chars = [...body];
  while (chars.length > 0 && measure(`${chars.join('').trimEnd()}${ELLIPSIS}`) > width) chars.pop();
  body = chars.join('').trimEnd();
  return body ? `${body}${ELLIPSIS}` : measure(ELLIPSIS) <= width ? ELLIPSIS : '';
}
