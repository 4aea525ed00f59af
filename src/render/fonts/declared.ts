/**
 * The character ranges a font package declares for each of its files: the CSS `unicode-range`
 * of each `@font-face` (how @fontsource and Google Fonts split a family into files). A browser
 * draws a character with a file only inside its range; so does the chain.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Coverage } from './coverage.js';

/** File name (e.g. `inter-latin-400-normal.woff2`) → its declared range; empty when the CSS cannot be read. */
export function declaredRanges(cssFile: string): Map<string, Coverage> {
  const ranges = new Map<string, Coverage>();
  let css: string;
  try {
    css = readFileSync(cssFile, 'utf8');
  } catch {
    return ranges;
  }
  for (const block of css.split('@font-face').slice(1)) {
    const file = /url\(["']?([^"')]+)["']?\)/.exec(block)?.[1];
    const range = /unicode-range:\s*([^;}]+)/.exec(block)?.[1];
    if (!file || !range) continue;
    const pairs = range.split(',').map(parseRange);
    if (pairs.some((pair) => pair === null)) continue;
    ranges.set(path.basename(file), new Coverage(pairs as [number, number][]));
  }
  return ranges;
}

/** `U+0460-052F`, `U+20B4`, `U+4??` → [start, end]; null when malformed. */
function parseRange(text: string): [number, number] | null {
  const match = /^\s*U\+([0-9a-f?]{1,6})(?:-([0-9a-f]{1,6}))?\s*$/i.exec(text);
  if (!match) return null;
  const [, start, end] = match;
  if (start!.includes('?')) return [parseInt(start!.replace(/\?/g, '0'), 16), parseInt(start!.replace(/\?/g, 'f'), 16)];
  return [parseInt(start!, 16), parseInt(end ?? start!, 16)];
}
