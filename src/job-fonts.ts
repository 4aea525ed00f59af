/**
 * A job's caption fonts, before any photo is fetched: its font files (manifest `fonts`,
 * `--font`) fetched and cached like photos, checked and registered; the caption families the
 * manifest names checked against them; each caption's text settled with its fallback chain.
 */
import { CollageError, ExitCode, ImageError, ManifestError } from './errors.js';
import type { ImageSession } from './images.js';
import { unknownFontMessage, type CollageSpec, type FontFileSpec } from './manifest/index.js';
import { settleCaptions } from './render/caption-fonts.js';
import { FontSet, fontFileKind, type LoadedFontFile } from './render/fonts/index.js';
import type { BuildWarning } from './warnings.js';

export interface JobFonts {
  warnings: BuildWarning[];
  /** Unregisters the job's font files; call when the job is over, whatever happened. */
  release(): void;
}

export async function prepareJobFonts(spec: CollageSpec, session: ImageSession): Promise<JobFonts> {
  if (!spec.images.some((image) => image.look?.caption)) return { warnings: [], release: () => {} };
  const fonts = FontSet.withFiles(await fetchFontFiles(spec.fonts, (source) => session.loadFile(source)));
  try {
    const unknown = spec.captionFamilies.filter(({ font }) => !fonts.chain(font));
    if (unknown.length > 0)
      throw new ManifestError(
        spec.manifestFile,
        unknown.map(({ path, font }) => ({ path, message: unknownFontMessage(font) })),
      );
    return { warnings: settleCaptions(spec.images, fonts), release: () => fonts.release() };
  } catch (error) {
    fonts.release();
    throw error;
  }
}

/**
 * The bytes of each font file, in order, by `load` (the job's sources: cache, limits, retries).
 * A file that cannot be had or is no font stops the job (exit 2), naming it.
 */
export async function fetchFontFiles(sources: readonly FontFileSpec[], load: (source: FontFileSpec) => Promise<Buffer>): Promise<LoadedFontFile[]> {
  const files: LoadedFontFile[] = [];
  for (const source of sources) {
    let bytes: Buffer;
    try {
      bytes = await load(source);
    } catch (error) {
      if (error instanceof ImageError) throw new CollageError(`font ${source.where} (${source.src}): ${error.reason}`, ExitCode.usage, { cause: error });
      throw error;
    }
    if (!fontFileKind(bytes)) throw new CollageError(`font ${source.where} (${source.src}): not a font file (TrueType, OpenType, WOFF or WOFF2)`, ExitCode.usage);
    files.push({ src: `${source.where} (${source.src})`, bytes });
  }
  return files;
}
