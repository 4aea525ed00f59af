/**
 * Errors that cross stage boundaries. Each carries the process exit code PRODUCT.md
 * assigns to it, so the CLI never has to guess from a message.
 */

/** Exit codes from PRODUCT.md. */
export const ExitCode = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  imagesFailed: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class CollageError extends Error {
  readonly exitCode: ExitCode;
  constructor(message: string, exitCode: ExitCode, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CollageError';
    this.exitCode = exitCode;
  }
}

/** One problem in a manifest, addressed by its JSON path (`images[3].focus`). */
export interface ManifestProblem {
  path: string;
  message: string;
}

/** Bad command line or invalid manifest: nothing fetched, nothing written (exit 2). */
export class ManifestError extends CollageError {
  readonly file: string;
  readonly problems: ManifestProblem[];
  constructor(file: string, problems: ManifestProblem[]) {
    super(
      problems.map((p) => `${file}: ${p.path ? `${p.path}: ` : ''}${p.message}`).join('\n'),
      ExitCode.usage,
    );
    this.name = 'ManifestError';
    this.file = file;
    this.problems = problems;
  }
}

/** A single image could not be fetched or decoded. */
export class ImageError extends Error {
  readonly src: string;
  readonly reason: string;
  /** HTTP requests made for this image (0 for local files). */
  attempts?: number;
  /** Final HTTP status, when there was one. */
  status?: number;
  constructor(src: string, reason: string, options?: { cause?: unknown; attempts?: number; status?: number }) {
    super(`${src}: ${reason}`, options);
    this.name = 'ImageError';
    this.src = src;
    this.reason = reason;
    this.attempts = options?.attempts;
    this.status = options?.status;
  }
}

/**
 * The job's deadline (`jobTimeout`, `--job-timeout`) passed. The photos it caught unfinished
 * fail with this message as their reason (exit 3, nothing written, whatever `onError` says: a
 * collage of whatever arrived in time would differ from run to run); one that passes after
 * every photo is in stops the render (exit 1).
 */
export class JobDeadlineError extends CollageError {
  constructor(readonly ms: number) {
    super(`job deadline (${+(ms / 1000).toFixed(3)} s) passed`, ExitCode.unexpected);
    this.name = 'JobDeadlineError';
  }
}

export interface ImageFailure {
  src: string;
  /** One line: the final status or error. */
  reason: string;
  /** HTTP requests made (0 for local files and images that failed after download). */
  attempts?: number;
  status?: number;
}

/** One or more images failed and the policy is `fail` (exit 3). Nothing was written. */
export class ImagesFailedError extends CollageError {
  readonly failures: ImageFailure[];
  constructor(failures: ImageFailure[], total: number) {
    super(
      `${failures.length} of ${total} image${total === 1 ? '' : 's'} failed; nothing written\n` +
        failures.map((f) => `  ${formatFailure(f)}`).join('\n'),
      ExitCode.imagesFailed,
    );
    this.name = 'ImagesFailedError';
    this.failures = failures;
  }
}

export function formatFailure(f: ImageFailure): string {
  const tries = f.attempts && f.attempts > 1 ? ` (${f.attempts} attempts)` : '';
  return `${f.src}: ${f.reason}${tries}`;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
