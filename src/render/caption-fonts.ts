/**
 * Each caption gets its fallback chain before anything is drawn: the characters no font in it
 * draws are left out (one warning per photo, naming them as U+ codes, never a box), the CSS
 * font list it is measured and drawn with is fixed, and an `auto` direction is resolved.
 */
import type { ImageSpec } from '../manifest/index.js';
import type { BuildWarning } from '../warnings.js';
import { codePointLabel, type FontSet } from './fonts/index.js';
import { baseDirection } from './bidi.js';

/** Code points a warning lists before "and N more". */
const LISTED = 16;

/** Settles every caption's text and fonts in place; returns a warning per caption that lost characters. */
export function settleCaptions(images: readonly ImageSpec[], fonts: FontSet): BuildWarning[] {
  const warnings: BuildWarning[] = [];
  for (const image of [...images].sort((a, b) => a.index - b.index)) {
    const caption = image.look?.caption;
    if (!caption) continue;
    const chain = fonts.chain(caption.font) ?? fonts.chain()!;
    const { text, missing } = chain.clean(caption.text);
    if (missing.length > 0) {
      const characters = missing.map(codePointLabel);
      const listed = characters.slice(0, LISTED).join(' ') + (characters.length > LISTED ? ` and ${characters.length - LISTED} more` : '');
      warnings.push({
        kind: 'missing-glyphs',
        src: image.src,
        message: `images[${image.index}] (${image.src}): caption characters no font can draw were left out: ${listed} (add a font that has them with "fonts" or --font)`,
        characters,
      });
    }
    caption.text = text.trim();
    caption.families = chain.families(caption.text);
    if (caption.direction === 'auto') caption.direction = baseDirection(caption.text);
  }
  return warnings;
}
