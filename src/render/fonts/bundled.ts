/**
 * The fonts shipped with collage, all SIL Open Font License 1.1, from npm packages (never
 * downloaded at run time), in fallback order: Inter for Latin (with Latin Extended and
 * Vietnamese), Cyrillic and Greek; Noto Sans for Arabic, Hebrew, Devanagari and Thai; Noto Color
 * Emoji (COLRv1, which the canvas engine draws in colour; the OpenType-SVG build draws nothing).
 *
 * Each file is registered under its own family name: the canvas engine uses only the first
 * file of a family, and does no fallback of its own, so the chain names every file.
 */

import { createRequire } from 'node:module';

export interface BundledFamily {
  /** What a caption's "font" calls it. */
  family: string;
  /** The npm package the files come from. */
  pkg: string;
  /** Files inside the package, in order; registered as `family #1`, `family #2`, … */
  files: string[];
  /** The package's CSS, which says which characters each file is for. */
  css: string;
}

const INTER_SUBSETS = ['latin', 'latin-ext', 'vietnamese', 'cyrillic', 'cyrillic-ext', 'greek', 'greek-ext'];
const EMOJI_FILES = 11;

export const BUNDLED_FAMILIES: readonly BundledFamily[] = [
  { family: 'Inter', pkg: '@fontsource/inter', files: INTER_SUBSETS.map((subset) => `files/inter-${subset}-400-normal.woff2`), css: '400.css' },
  ...(['Arabic', 'Hebrew', 'Devanagari', 'Thai'] as const).map((script) => {
    const name = `noto-sans-${script.toLowerCase()}`;
    return { family: `Noto Sans ${script}`, pkg: `@fontsource/${name}`, files: [`files/${name}-${script.toLowerCase()}-400-normal.woff2`], css: '400.css' };
  }),
  { family: 'Noto Color Emoji', pkg: '@infolektuell/noto-color-emoji', files: Array.from({ length: EMOJI_FILES }, (_, i) => `files/${i}.woff2`), css: 'index.css' },
];

/** The family a caption uses unless it names another. */
export const DEFAULT_FAMILY = 'Inter';

/**
 * The name file `index` of `family` is registered under. Never the family itself: the engine
 * also registers every file under the family its name table gives (all seven Inter files as
 * "Inter"), and a CSS list must name exactly one file.
 */
export function bundledAlias(family: string, index: number): string {
  return `${family} #${index + 1}`;
}

/** Whether `family` is one of the bundled families (case as a caption's "font" may write it). */
export function isBundledFamily(family: string): boolean {
  return BUNDLED_FAMILIES.some((bundled) => bundled.family.toLowerCase() === family.toLowerCase());
}

let versions: string[] | undefined;

/** Each font package's version: what text drawn with the bundled fonts depends on besides collage's own code. */
export function bundledFontVersions(): readonly string[] {
  if (versions === undefined) {
    const require = createRequire(import.meta.url);
    versions = BUNDLED_FAMILIES.map(({ pkg }) => {
      try {
        return `${pkg}@${(require(`${pkg}/package.json`) as { version: string }).version}`;
      } catch {
        return `${pkg}@none`;
      }
    });
  }
  return versions;
}
