/**
 * Caption fonts. Without a registered font Skia draws text as nothing, silently (a slim
 * container has no system fonts), and it does no fallback of its own: a character the listed
 * families lack comes out as the .notdef box. So captions draw with a chain of fonts shipped
 * with the package (bundled.ts), the job's own font files, and installed fonts named by family;
 * a character no font in the chain draws is left out with a warning.
 */
import { loadSkia } from '../../skia.js';
import { BUNDLED_FAMILIES } from './bundled.js';

export { BUNDLED_FAMILIES, bundledFontVersions, isBundledFamily } from './bundled.js';
export { codePointLabel } from './chain.js';
export { FontSet, type LoadedFontFile } from './set.js';
export { scriptsCovered, type ScriptCoverage } from './scripts.js';
export { fontFileKind, FontFormatError } from './sfnt.js';
export type { Face } from './face.js';

/** True when `family` can draw text: a bundled font, or one installed on this machine. */
export function fontAvailable(family: string): boolean {
  const key = family.toLowerCase();
  if (BUNDLED_FAMILIES.some((bundled) => bundled.family.toLowerCase() === key)) return true;
  return loadSkia().GlobalFonts.has(family);
}
