/**
 * What a render job is: its data on the queue, its identity (a hash of the manifest's bytes,
 * its place and the options, so enqueuing twice renders once), its retry policy, its progress,
 * and how a failure is classed (retry, or give up at once).
 */
import { createHash } from 'node:crypto';
import { UnrecoverableError } from 'bullmq';
import type { BuildOptions, BuildReport, ProgressEvent } from '../build.js';
import { ExitCode, ImagesFailedError, LowResolutionError } from '../errors.js';
import { jobFailure } from '../job-failure.js';
import * as v from 'valibot';
import { ManifestOverridesSchema, type ManifestOverrides } from '../manifest/index.js';
import { integer, nonNegative, omitEntries, optionsSchema, positive, text } from '../options.js';
import { FetchOptionsSchema, type FetchOptions } from '../sources/index.js';
import { DEFAULT_ATTEMPTS, DEFAULT_BACKOFF_MS } from './defaults.js';

/** The job name on the queue (one kind of job for now). */
export const RENDER_JOB = 'render';

/** Bumped when the job data changes shape: old and new jobs then never share an id. */
export const JOB_VERSION = 1;

/**
 * Fetch options a job carries. The cache folder, the connection pool and per-host secret
 * headers (COLLAGE_HTTP_HEADERS) belong to the worker's machine and never go into Redis.
 */
export type JobFetchOptions = Partial<Omit<FetchOptions, 'cacheDir' | 'headers' | 'dispatcher' | 'allowAddress'>>;

export interface RenderOptions {
  /** Manifest overrides (never `output` or `cwd`: the output is the manifest's own). */
  overrides?: Omit<ManifestOverrides, 'output' | 'cwd'>;
  fetch?: JobFetchOptions;
  maxPixels?: number;
  /** Outputs must resolve inside this folder (default: the manifest's own folder). */
  outputRoot?: string;
  /** build()'s `jobTimeout`, ms. */
  jobTimeout?: number;
}

/** What a job carries, checked when enqueued and again by the worker that takes it (see options.ts). */
export const RenderOptionsSchema = optionsSchema<RenderOptions>({
  overrides: v.optional(v.strictObject(omitEntries(ManifestOverridesSchema.entries, 'output', 'cwd'))),
  fetch: v.optional(v.strictObject(omitEntries(FetchOptionsSchema.entries, 'cacheDir', 'headers', 'dispatcher', 'allowAddress'))),
  maxPixels: integer(1),
  outputRoot: text,
  jobTimeout: positive('milliseconds'),
});

export interface RenderJobData {
  version: typeof JOB_VERSION;
  /** Absolute path of the manifest; workers must see the same path (shared storage). */
  manifest: string;
  /** sha256 of the manifest's bytes when enqueued. */
  sha256: string;
  /** The manifest as the user named it (for reports). */
  display: string;
  /** Absolute output path (from the manifest), for reports and status. */
  output: string;
  options: RenderOptions;
}

/** What `job.progress` holds while a job runs, and after it failed. */
export type RenderProgress =
  | { stage: 'start' | 'images' | 'encode' | 'written'; percent: number; done: number; failed: number; total: number; worker: string }
  | { stage: 'failed'; percent: number; exitCode: ExitCode; reason: string; worker: string };

export interface RetryPolicy {
  /** Tries in all, the first included (default 3). */
  attempts?: number;
  /** Exponential backoff base, ms: retry n waits base × 2^(n-1) (default 2000). */
  backoffMs?: number;
}

export { DEFAULT_ATTEMPTS, DEFAULT_BACKOFF_MS };

export const RetryPolicySchema = optionsSchema<RetryPolicy>({
  attempts: integer(1),
  backoffMs: nonNegative('milliseconds'),
});
/** Finished jobs are kept a week: long enough that enqueuing the same manifest again is a no-op. */
export const KEEP_FINISHED_SECONDS = 7 * 24 * 3600;

export function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The job's id: the manifest's bytes and absolute path (its relative image paths and output
 * resolve against its folder) and the canonical options. Hex only (BullMQ ids may not contain ':').
 */
export function renderJobId(data: Pick<RenderJobData, 'manifest' | 'sha256' | 'options'>): string {
  return sha256(JSON.stringify({ v: JOB_VERSION, manifest: data.manifest, sha256: data.sha256, options: canonical(data.options) })).slice(0, 40);
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => [k, canonical(v)]),
    );
  }
  return value;
}

/** BullMQ job options: retries with exponential backoff, finished jobs kept for deduplication. */
export function renderJobOptions(jobId: string, retry: RetryPolicy = {}) {
  return {
    jobId,
    attempts: Math.max(1, retry.attempts ?? DEFAULT_ATTEMPTS),
    backoff: { type: 'exponential' as const, delay: retry.backoffMs ?? DEFAULT_BACKOFF_MS },
    removeOnComplete: { age: KEEP_FINISHED_SECONDS },
    removeOnFail: { age: KEEP_FINISHED_SECONDS },
  };
}

/** Splits CLI/library build options into what a job carries (serialisable, no secrets). */
export function renderOptionsFrom(
  options: Pick<BuildOptions, 'fetch' | 'maxPixels' | 'jobTimeout' | 'cellCache'> & Omit<ManifestOverrides, 'output' | 'cwd'> & { outputRoot?: string },
): RenderOptions {
  // The cell cache, like the download cache, belongs to the worker's machine.
  const { fetch, maxPixels, jobTimeout, outputRoot, cellCache: _workerMachine, ...overrides } = options;
  const { cacheDir: _c, headers: _h, dispatcher: _d, allowAddress: _a, ...jobFetch } = fetch ?? {};
  const clean = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  return {
    ...(Object.keys(clean(overrides)).length > 0 && { overrides: clean(overrides) }),
    ...(Object.keys(clean(jobFetch)).length > 0 && { fetch: clean(jobFetch) }),
    ...(maxPixels !== undefined && { maxPixels }),
    ...(outputRoot !== undefined && { outputRoot }),
    ...(jobTimeout !== undefined && { jobTimeout }),
  };
}

/** Progress events from build(), as job progress (percent: images are 90 %, encode and write the rest). */
export function progressOf(event: ProgressEvent, worker: string, last: { done: number; failed: number; total: number }): RenderProgress {
  if (event.type === 'start') Object.assign(last, { done: 0, failed: 0, total: event.total });
  if (event.type === 'image') Object.assign(last, { done: event.done, failed: event.failed, total: event.total });
  const imagesShare = last.total > 0 ? (last.done + last.failed) / last.total : 1;
  const percent = event.type === 'written' ? 100 : event.type === 'encode' ? 90 : Math.round(imagesShare * 90);
  const stage = event.type === 'image' ? 'images' : event.type;
  return { stage, percent, ...last, worker };
}

export interface ClassifiedFailure {
  exitCode: ExitCode;
  reason: string;
  /** Retrying cannot help (invalid manifest, images that are not there). */
  permanent: boolean;
}

/** HTTP statuses that a retry will not change. */
const PERMANENT_STATUS = (status: number | undefined) => status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429;

/** One line, the same words a local batch uses (job-failure.ts). */
export function classifyFailure(error: unknown, totalImages?: number): ClassifiedFailure {
  const { exitCode, reason } = jobFailure(error, totalImages);
  // Network errors and 5xx were already retried per image; a 404 stays a 404.
  if (error instanceof ImagesFailedError) return { exitCode, reason, permanent: error.failures.every((f) => PERMANENT_STATUS(f.status)) };
  // The same photos in the same cells: a retry prints them no sharper.
  if (error instanceof LowResolutionError) return { exitCode, reason, permanent: true };
  return { exitCode, reason, permanent: exitCode === ExitCode.usage };
}

/** The error a worker throws: BullMQ's UnrecoverableError skips the remaining attempts. */
export function jobError(failure: ClassifiedFailure): Error {
  return failure.permanent ? new UnrecoverableError(failure.reason) : new Error(failure.reason);
}

export type RenderResult = BuildReport;
