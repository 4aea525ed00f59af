/** `validate()`: every problem in a manifest, or its normalised form; nothing fetched. */
import { loadManifest, type CollageSpec, type ManifestOverrides, type ManifestSource } from './manifest/index.js';
import { layoutSpec } from './plan.js';

export async function validate(manifest: ManifestSource, options: ManifestOverrides = {}): Promise<CollageSpec> {
  const spec = await loadManifest(manifest, options);
  layoutSpec(spec);
  return spec;
}
