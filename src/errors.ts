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
  constructor(src: string, reason: string, options?: { cause?: unknown }) {
    super(`${src}: ${reason}`, options);
    this.name = 'ImageError';
    this.src = src;
    this.reason = reason;
  }
}

export interface ImageFailure {
  src: string;
  reason: string;
}

/** One or more images failed and the policy is `fail` (exit 3). Nothing was written. */
export class ImagesFailedError extends CollageError {
  readonly failures: ImageFailure[];
  constructor(failures: ImageFailure[], total: number) {
    super(
      `${failures.length} of ${total} image${total === 1 ? '' : 's'} failed; nothing written\n` +
        failures.map((f) => `  ${f.src}: ${f.reason}`).join('\n'),
      ExitCode.imagesFailed,
    );
    this.name = 'ImagesFailedError';
    this.failures = failures;
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
