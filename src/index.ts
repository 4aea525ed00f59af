/**
 * collage: headless print-resolution photo collages.
 *
 *   import { build, plan, batch } from 'collage';
 *   const report = await build('poster.json', { output: 'poster.jpg' });
 */
export { build, type BuildOptions, type BuildReport, type ProgressEvent } from './build.js';
export { plan, type CropReport, type Plan, type PlanLayout, type PlanOptions, type Placement } from './plan.js';
export type { CalendarReport } from './calendar.js';
export { validate, type ValidateOptions } from './validate.js';
export { listFonts, formatFontListing, type FontListing, type FontListingEntry, type FontListingOptions } from './font-listing.js';
export type { BuildWarning } from './warnings.js';
export { proof, defaultProofPath, type ProofOptions, type ProofReport } from './proof/index.js';
export { effectiveDpi, type ResolutionSummary } from './preflight/index.js';
export {
  batch,
  defaultJobs,
  discoverManifests,
  formatTable,
  formatEventLine,
  formatEventText,
  statePath,
  lockPath,
  type BatchOptions,
  type BatchReport,
  type BatchSummary,
  type BatchEvent,
  type JobReport,
  type JobStatus,
  type JobState,
  type LockMode,
} from './batch/index.js';
export { loadManifest, manifestJsonSchema } from './manifest/index.js';
export type { CollageSpec, ImageSpec, ManifestInput, ManifestOverrides, ManifestSource, OutputFormat, Fit } from './manifest/index.js';
export {
  CollageError,
  ManifestError,
  ImageError,
  ImagesFailedError,
  LowResolutionError,
  ExitCode,
  type ImageErrorCode,
  type ImageFailure,
  type LowResolutionPhoto,
  type ManifestProblem,
} from './errors.js';
export { DEFAULT_FETCH_OPTIONS, createHttpDispatcher, defaultCacheDir, type FetchOptions, type InputValidators } from './sources/index.js';
