/**
 * Caption fonts. Without a registered font Skia draws text as nothing, silently (a slim
 * container has no system fonts), so captions use a font shipped with the package: Inter
 * (SIL Open Font License 1.1, from @fontsource/inter), the same glyphs on every machine.
 * Its Latin, Latin Extended, Cyrillic, Greek and Vietnamese subsets are registered under one
 * family name; other scripts fall back to whatever fonts the machine has.
 */
import { createRequire } from 'node:module';
import { loadSkia } from '../skia.js';
import { CollageError, ExitCode } from '../errors.js';

export const BUNDLED_FONTS = ['Inter'] as const;
const INTER_SUBSETS = ['latin', 'latin-ext', 'cyrillic', 'cyrillic-ext', 'greek', 'greek-ext', 'vietnamese'];

let registered = false;

/** Registers the bundled fonts once per process; throws when they cannot be registered. */
export function registerBundledFonts(): void {
  if (registered) return;
  const require = createRequire(import.meta.url);
  const { GlobalFonts } = loadSkia();
  for (const subset of INTER_SUBSETS) {
    const file = `@fontsource/inter/files/inter-${subset}-400-normal.woff2`;
    let where: string;
    try {
      where = require.resolve(file);
    } catch (error) {
      throw new CollageError(`the bundled caption font is missing (${file}); reinstall collage`, ExitCode.unexpected, { cause: error });
    }
    GlobalFonts.registerFromPath(where, 'Inter');
  }
  if (!GlobalFonts.has('Inter')) throw new CollageError('the bundled caption font Inter could not be registered with the canvas engine', ExitCode.unexpected);
  registered = true;
}

/** True when `family` can draw text: a bundled font, or one installed on this machine. */
export function fontAvailable(family: string): boolean {
  registerBundledFonts();
  return loadSkia().GlobalFonts.has(family);
}
