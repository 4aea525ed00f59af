/**
 * One line for a job that did not build, in the same words wherever jobs are reported: a local
 * batch, the queue's producers and its workers.
 */
import { CollageError, ExitCode, ImagesFailedError, LowResolutionError, ManifestError, errorMessage, formatFailure, lowResolutionReason, type ManifestProblem } from './errors.js';

/** `invalid manifest: images[2].src: … (and 3 more)`. */
export function invalidManifestReason(problems: readonly ManifestProblem[]): string {
  const first = problems[0];
  if (!first) return 'invalid manifest';
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
  return `invalid manifest: ${first.path ? `${first.path}: ` : ''}${first.message}${more}`;
}

/** `2 of 9 images failed, nothing written: <first failure> (and 1 more)`. */
export function imagesFailedReason(error: ImagesFailedError, total: number): string {
  const first = error.failures[0];
  const more = error.failures.length > 1 ? ` (and ${error.failures.length - 1} more)` : '';
  return `${error.failures.length} of ${total} images failed, nothing written: ${first ? formatFailure(first) : ''}${more}`;
}

/** What a job that threw `error` reports: its exit code and one line. */
export function jobFailure(error: unknown, totalImages?: number): { exitCode: ExitCode; reason: string } {
  if (error instanceof ManifestError) return { exitCode: ExitCode.usage, reason: error.problems.length > 0 ? invalidManifestReason(error.problems) : errorMessage(error) };
  if (error instanceof ImagesFailedError) return { exitCode: ExitCode.imagesFailed, reason: imagesFailedReason(error, totalImages ?? error.failures.length) };
  if (error instanceof LowResolutionError) return { exitCode: ExitCode.lowResolution, reason: lowResolutionReason(error, totalImages ?? error.photos.length) };
  return { exitCode: error instanceof CollageError ? error.exitCode : ExitCode.unexpected, reason: errorMessage(error).split('\n')[0]! };
}
