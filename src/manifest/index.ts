/** Stage 1, manifest: parse, validate, normalise units. */
import { readManifestFile, readManifestSource, type ManifestFile, type RawManifest } from './read.js';
import { normalizeManifest, type CollageSpec, type ManifestOverrides } from './normalize.js';
export { outputSize, normalizeManifest, ManifestOverridesSchema } from './normalize.js';
export { readManifestSource, type ManifestFile };

export {
  manifestJsonSchema,
  type ManifestInput,
  type OutputFormat,
  type Fit,
  type OnError,
  type OnLowRes,
  type BleedMode,
  ON_ERROR,
  ON_LOW_RES,
  DEFAULT_MIN_DPI,
  FORMATS,
  BLEED_MODES,
} from './schema.js';
export type { CollageSpec, ImageSpec, ManifestOverrides, FontFileSpec } from './normalize.js';
export { unknownFontMessage } from './normalize.js';
export type { Rgba } from './units.js';

/** A manifest file path, or a manifest object (paths in it resolve against `overrides.cwd`). */
export type ManifestSource = string | Record<string, unknown>;

export async function loadManifest(source: ManifestSource, overrides: ManifestOverrides = {}): Promise<CollageSpec> {
  if (typeof source === 'string') return normalizeManifest(await readManifestFile(source), source, overrides);
  const raw: RawManifest = { kind: 'json', value: source };
  return normalizeManifest(raw, '<inline>', overrides);
}
