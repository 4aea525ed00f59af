/**
 * Errors that cross stage boundaries. Each carries the process exit code the README
 * assigns to it, so the CLI never has to guess from a message.
 */

/** Exit codes, as the README lists them (Exit codes and errors). */
export const ExitCode = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  imagesFailed: 3,
  /** Photos print under the resolution threshold and the policy is `fail` (`--on-low-res fail`). */
  lowResolution: 4,
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
    super(problems.map((p) => `${file}: ${p.path ? `${p.path}: ` : ''}${p.message}`).join('\n'), ExitCode.usage);
    this.name = 'ManifestError';
    this.file = file;
    this.problems = problems;
  }
}

/**
 * Why an image failed, as a stable code callers can branch on (the reason's wording may
 * change; these do not). The README lists them.
 */
export type ImageErrorCode =
  /** The server's final answer was this HTTP status (`E_HTTP_404`, `E_HTTP_503` after retries). */
  | `E_HTTP_${number}`
  /** No connection, response or data in time (connect, headers, body or the photo's download timeout). */
  | 'E_TIMEOUT'
  /** The job's deadline (`jobTimeout`) passed before the photo was in. */
  | 'E_DEADLINE'
  /** Larger than `fetch.maxBytes`. */
  | 'E_TOO_LARGE'
  /** The bytes are not an image (an HTML page, text, an empty file). */
  | 'E_NOT_IMAGE'
  /** An image format not decoded (or HEIC without its optional decoder). */
  | 'E_UNSUPPORTED'
  /** A damaged image: its header or pixels cannot be read. */
  | 'E_CORRUPT'
  /** More pixels than `maxPixels`. */
  | 'E_PIXEL_LIMIT'
  /** Decoding it needs more memory than the job's budget (`maxMemory`) has for decoding. */
  | 'E_MEMORY'
  /** Refused by `blockPrivateAddresses`: a non-public address. */
  | 'E_BLOCKED_ADDRESS'
  /** Refused by `blockPrivateAddresses`: a local file named in a manifest. */
  | 'E_BLOCKED_FILE'
  /** A redirect that could not be followed (a loop, too many, no Location, another scheme). */
  | 'E_REDIRECT'
  /** The connection failed: refused, reset, host not found, a body cut short. */
  | 'E_NETWORK'
  /** A local file could not be read (missing, permission denied, a folder or device). */
  | 'E_FILE'
  /** A calendar photo with no date (EXIF, manifest or file name). */
  | 'E_NO_DATE'
  /** Anything else (a bug or an unexpected system error). */
  | 'E_UNEXPECTED';

/** A single image could not be fetched or decoded. */
export class ImageError extends Error {
  readonly src: string;
  readonly reason: string;
  readonly code: ImageErrorCode;
  /** HTTP requests made for this image (0 for local files). */
  attempts?: number;
  /** Final HTTP status, when there was one. */
  status?: number;
  constructor(src: string, reason: string, options: { code: ImageErrorCode; cause?: unknown; attempts?: number; status?: number }) {
    super(`${src}: ${reason}`, options);
    this.name = 'ImageError';
    this.src = src;
    this.reason = reason;
    this.code = options.code;
    this.attempts = options.attempts;
    this.status = options.status;
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
  /** Why, as a stable code (ImageErrorCode). */
  code: ImageErrorCode;
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
      `${failures.length} of ${total} image${total === 1 ? '' : 's'} failed; nothing written\n` + failures.map((f) => `  ${formatFailure(f)}`).join('\n'),
      ExitCode.imagesFailed,
    );
    this.name = 'ImagesFailedError';
    this.failures = failures;
  }
}

/** A photo that prints under the resolution threshold: where, and at what effective dpi. */
export interface LowResolutionPhoto {
  src: string;
  /** Position in the manifest's `images`. */
  index: number;
  /** Source pixels shown ÷ the cell's physical size, rounded. */
  dpi: number;
  /** The cell on the output, px (bleed included), and its physical size in inches. */
  cell: { x: number; y: number; width: number; height: number; widthIn: number; heightIn: number };
}

/** Photos print under `minDpi` and the policy is `fail` (exit 4). Nothing was written. */
export class LowResolutionError extends CollageError {
  readonly photos: LowResolutionPhoto[];
  readonly minDpi: number;
  constructor(photos: LowResolutionPhoto[], total: number, minDpi: number) {
    super(
      `${photos.length} of ${total} photo${total === 1 ? '' : 's'} print under ${minDpi} dpi; nothing written\n` +
        photos.map((p) => `  ${formatLowResolution(p, minDpi)}`).join('\n'),
      ExitCode.lowResolution,
    );
    this.name = 'LowResolutionError';
    this.photos = photos;
    this.minDpi = minDpi;
  }
}

/** One line for a job's report (batch, queue): how many, and the first. */
export function lowResolutionReason(error: LowResolutionError, total: number): string {
  const first = error.photos[0];
  const more = error.photos.length > 1 ? ` (and ${error.photos.length - 1} more)` : '';
  return `${error.photos.length} of ${total} photos print under ${error.minDpi} dpi, nothing written: ${first ? formatLowResolution(first, error.minDpi) : ''}${more}`;
}

/** `photos/3.jpg prints at 120 dpi in its 5.0×3.8 in cell (minimum 150)` */
export function formatLowResolution(p: LowResolutionPhoto, minDpi: number): string {
  return `${p.src} prints at ${p.dpi} dpi in its ${p.cell.widthIn.toFixed(1)}×${p.cell.heightIn.toFixed(1)} in cell (minimum ${minDpi})`;
}

export function formatFailure(f: ImageFailure): string {
  const tries = f.attempts && f.attempts > 1 ? ` (${f.attempts} attempts)` : '';
  return `${f.src}: ${f.reason}${tries}`;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
