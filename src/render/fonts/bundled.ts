/**
 * The fonts shipped with collage, all SIL Open Font License 1.1, from npm packages (never
 * downloaded at run time), in fallback order: Inter for Latin (with Latin Extended and
 * Vietnamese), Cyrillic and Greek; Noto Sans for Arabic, Hebrew, Devanagari and Thai; Noto Color
 * Emoji (COLRv1, which the canvas engine draws in colour; the OpenType-SVG build draws nothing).
 *
 * Each file is registered under its own family name: the canvas engine uses only the first
 * file of a family, and does no fallback of its own, so the chain names every file.
 */

export interface BundledFamily {
  /** What a caption's "font" calls it. */
  family: string;
  /** The npm package the files come from. */
  pkg: string;
  /** Files inside the package, in order; the first is registered as `family`, the others as `family #n`. */
  files: string[];
}

const INTER_SUBSETS = ['latin', 'latin-ext', 'vietnamese', 'cyrillic', 'cyrillic-ext', 'greek', 'greek-ext'];
const EMOJI_FILES = 11;

export const BUNDLED_FAMILIES: readonly BundledFamily[] = [
  { family: 'Inter', pkg: '@fontsource/inter', files: INTER_SUBSETS.map((subset) => `files/inter-${subset}-400-normal.woff2`) },
  ...(['Arabic', 'Hebrew', 'Devanagari', 'Thai'] as const).map((script) => {
    const name = `noto-sans-${script.toLowerCase()}`;
    return { family: `Noto Sans ${script}`, pkg: `@fontsource/${name}`, files: [`files/${name}-${script.toLowerCase()}-400-normal.woff2`] };
  }),
  { family: 'Noto Color Emoji', pkg: '@infolektuell/noto-color-emoji', files: Array.from({ length: EMOJI_FILES }, (_, i) => `files/${i}.woff2`) },
];

/** The family a caption uses unless it names another. */
export const DEFAULT_FAMILY = 'Inter';

/** The name file `index` of `family` is registered under. */
export function bundledAlias(family: string, index: number): string {
  return index === 0 ? family : `${family} #${index + 1}`;
}
