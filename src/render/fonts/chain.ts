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
/** What extends a grapheme cluster: combining marks, joiners, variation selectors. */
// biome-ignore lint/suspicious/noMisleadingCharacterClass: a class of single code points (ZWJ among them), matched one at a time
const EXTENDS = /^[\p{M}\u200C\u200D\uFE00-\uFE0F\u{E0020}-\u{E007F}\u{E0100}-\u{E01EF}\u{1F3FB}-\u{1F3FF}]$/u;
const ELLIPSIS = 0x2026;
const KEEP = 0;
const DROP = 1;
const BLANK = 2;

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
   * of its characters (or the ellipsis a cut line ends in), in chain order, each registered with
   * the engine. The engine picks the same face for each character as it would from the whole chain.
   */
  families(text: string): string {
    const used = new Set<Face>([this.faces[0]!]);
    const ellipsis = this.faceFor(ELLIPSIS);
    if (ellipsis) used.add(ellipsis);
    for (const codePoint of distinctCodePoints(text)) {
      const face = this.faceFor(codePoint);
      if (face) used.add(face);
    }
    const listed = this.faces.filter((face) => used.has(face));
    for (const face of listed) face.use();
    return listed.map((face) => cssFamily(face.alias)).join(', ');
  }

  /**
   * `text` without the characters no face draws. A character left out takes the marks (and
   * joiners, selectors) that extend it; a space no face has becomes a plain space. Invisible format characters
   * (joiners, variation selectors, direction marks) are kept: shaping consumes them.
   */
  clean(text: string): CleanText {
    const missing = new Set<number>();
    const blanks = new Set<number>();
    for (const codePoint of distinctCodePoints(text)) {
      const char = String.fromCodePoint(codePoint);
      if (this.drawable(char, codePoint)) continue;
      if (SPACE.test(char)) blanks.add(codePoint);
      else missing.add(codePoint);
    }
    if (missing.size === 0 && blanks.size === 0) return { text, missing: [] };
    // Kept runs are copied whole. (Not Intl.Segmenter: V8's takes quadratic time on long text.)
    const action = (codePoint: number) => (missing.has(codePoint) ? DROP : blanks.has(codePoint) ? BLANK : KEEP);
    const kept: string[] = [];
    let run = 0;
    let dropping = false;
    for (let i = 0; i < text.length; ) {
      const codePoint = text.codePointAt(i)!;
      const size = codePoint > 0xffff ? 2 : 1;
      let what = action(codePoint);
      if (what === KEEP && dropping && EXTENDS.test(String.fromCodePoint(codePoint))) what = DROP;
      if (what !== KEEP) {
        kept.push(text.slice(run, i));
        if (what === BLANK) kept.push(' ');
        run = i + size;
      }
      dropping = what === DROP;
      i += size;
    }
    kept.push(text.slice(run));
    return { text: kept.join(''), missing: [...missing] };
  }

  private drawable(char: string, codePoint: number): boolean {
    return IGNORABLE.test(char) || this.faceFor(codePoint) !== null;
  }
}

/**
 * Each code point of `text` once, in order of appearance: one pass, a bit per BMP character
 * (captions may be a million characters long).
 */
function distinctCodePoints(text: string): number[] {
  const bmp = new Uint8Array(0x10000);
  const astral = new Set<number>();
  const found: number[] = [];
  for (let i = 0; i < text.length; ) {
    const codePoint = text.codePointAt(i)!;
    if (codePoint <= 0xffff) {
      if (!bmp[codePoint]) {
        bmp[codePoint] = 1;
        found.push(codePoint);
      }
      i++;
    } else {
      if (!astral.has(codePoint)) {
        astral.add(codePoint);
        found.push(codePoint);
      }
      i += 2;
    }
  }
  return found;
}

/** A family name quoted for a CSS font list. */
export function cssFamily(name: string): string {
  return `"${name.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** U+ notation: U+00E9, U+1F600. */
export function codePointLabel(codePoint: number): string {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
}
