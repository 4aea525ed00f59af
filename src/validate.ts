/** `validate()`: every problem in a manifest, or its normalised form; nothing fetched. */
import { checkOptions, flag, optionsSchema, textOrNull } from './options.js';
import {
  loadManifest,
  ManifestOverridesSchema,
  normalizeManifest,
  readManifestSource,
  type CollageSpec,
  type ManifestFile,
  type ManifestOverrides,
  type ManifestSource,
} from './manifest/index.js';
import { confineOutput, type OutputPolicy } from './output/write.js';
import { calendarUpFront, layoutSpec, needsImageShapes } from './plan.js';

export interface ValidateOptions extends ManifestOverrides, OutputPolicy {}

/** What validate() accepts (see options.ts). */
export const ValidateOptionsSchema = optionsSchema<ValidateOptions>({
  ...ManifestOverridesSchema.entries,
  root: textOrNull,
  followSymlinks: flag,
});

export async function validate(manifest: ManifestSource, options: ValidateOptions = {}): Promise<CollageSpec> {
  checkOptions(ValidateOptionsSchema, options);
  const spec = await loadManifest(manifest, options);
  await checkSpec(spec, options);
  return spec;
}

/**
 * A manifest file read once and validated as `validate()` does it: its bytes (what batch and the
 * queue hash, lock and build are the bytes validated) and its spec. Throws ManifestError /
 * CollageError (exit 2) like `validate()`.
 */
export async function validateFile(file: string, overrides: ManifestOverrides, policy: OutputPolicy): Promise<{ source: ManifestFile; spec: CollageSpec }> {
  const source = await readManifestSource(file);
  const spec = normalizeManifest(source.raw, file, overrides);
  await checkSpec(spec, policy);
  return { source, spec };
}

/**
 * What can be known of a normalised manifest before any photo is read: the output's place
 * (root, links) and, for a grid (or a calendar the manifest fully dates), the layout itself. Layouts that follow the photos' shapes are
 * checked when the job runs, once their headers are read. `validate`, `batch` and `enqueue` all
 * accept exactly what `build` would start on.
 */
export async function checkSpec(spec: CollageSpec, policy: OutputPolicy = {}): Promise<void> {
  if (!needsImageShapes(spec)) calendarUpFront(spec) ?? layoutSpec(spec);
  await confineOutput(spec.output, policy, spec.manifestFile);
}
