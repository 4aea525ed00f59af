/**
 * A caption's fallback chain: its own family first, then the bundled fonts, then the job's own
 * font files. The canvas engine draws each character with the first family in the CSS font
 * list that has it (and draws the .notdef box when none has), so listing the chain is the
 * fallback; what is decided here is which characters no face can draw (left out, with a
 * warning) and which faces a text needs (the list is kept to those: each family listed costs
 * every measurement).
 */
import type { Face } from './face.js';

const IGNORABLE = /^\p{Default_Ignorable_Code_Point}$/u;
const SPACE = /^\s$/u;
const ELLIPSIS = 0x2026;

export interface CleanText {
  text: string;
  /** Characters no face draws, once each, in order of appearance. */
  missing: number[];
}

export class FontChain {
  private readonly first = new Map<number, Face | null>();

  constructor(readonly faces: readonly Face[]) {}

  /** The face that draws `codePoint`: the first in the chain that has it; null when none has. */
  faceFor(codePoint: number): Face | null {
    let face = this.first.get(codePoint);
    if (face !== undefined) return face;
    face = this.faces.find((f) => f.covers(codePoint)) ?? null;
    this.first.set(codePoint, face);
    return face;
  }

  /**
   * The CSS font-family list for `text`: the chain's first face and every face that draws one
   * of its characters (or the ellipsis a cut line ends in), in chain order. The engine picks
   * the same face for each character as it would from the whole chain.
   */
  families(text: string): string {
    const used = new Set<Face>([this.faces[0]!]);
    const ellipsis = this.faceFor(ELLIPSIS);
    if (ellipsis) used.add(ellipsis);
    const seen = new Set<number>();
    for (const char of text) {
      const codePoint = char.codePointAt(0)!;
      if (seen.has(codePoint)) continue;
      seen.add(codePoint);
      const face = this.faceFor(codePoint);
      if (face) used.add(face);
    }
    return this.faces
      .filter((face) => used.has(face))
      .map((face) => cssFamily(face.alias))
      .join(', ');
  }

  /**
   * `text` without the characters no face draws. A character left out takes the marks that
   * combine with it; a space no face has becomes a plain space. Invisible format characters
   * (joiners, variation selectors, direction marks) are kept: shaping consumes them.
   */
  clean(text: string): CleanText {
    const missing = new Set<number>();
    let blankSpaces = false;
    for (const char of new Set(text)) {
      const codePoint = char.codePointAt(0)!;
      if (this.drawable(char, codePoint)) continue;
      if (SPACE.test(char)) blankSpaces = true;
      else missing.add(codePoint);
    }
    if (missing.size === 0 && !blankSpaces) return { text, missing: [] };
    let out = '';
    for (const { segment } of new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)) {
      const base = segment.codePointAt(0)!;
      if (missing.has(base)) continue;
      for (const char of segment) {
        const codePoint = char.codePointAt(0)!;
        if (missing.has(codePoint)) continue;
        out += SPACE.test(char) && !this.drawable(char, codePoint) ? ' ' : char;
      }
    }
    return { text: out, missing: [...missing] };
  }

  private drawable(char: string, codePoint: number): boolean {
    return IGNORABLE.test(char) || this.faceFor(codePoint) !== null;
  }
}

/** A family name quoted for a CSS font list. */
export function cssFamily(name: string): string {
  return `"${name.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** U+ notation: U+00E9, U+1F600. */
export function codePointLabel(codePoint: number): string {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
}
