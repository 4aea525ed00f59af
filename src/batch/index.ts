/**
 * `batch()`: build many manifests, N at a time, sharing one download cache and one HTTP
 * connection pool; skip jobs whose output is up to date; one lock per output; one report.
 * A broken or failing manifest never stops the others.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pLimit from 'p-limit';
import { buildSpec, type BuildOptions } from '../build.js';
import type { CellCacheOptions } from '../cells/index.js';
import { CollageError, ExitCode, ImagesFailedError, LowResolutionError, ManifestError, errorMessage } from '../errors.js';
import * as v from 'valibot';
import { ManifestOverridesSchema, outputSize, type CollageSpec, type ManifestOverrides } from '../manifest/index.js';
import { validateFile } from '../validate.js';
import { invalidManifestReason, jobFailure } from '../job-failure.js';
import { createHttpDispatcher, DEFAULT_FETCH_OPTIONS, defaultCacheDir, FetchOptionsSchema, mergeHostHeaders, type FetchOptions } from '../sources/index.js';
import { CellCacheOptionsSchema } from '../cells/index.js';
import { abortSignal, atLeast, callback, checkOptions, flag, integer, omitEntries, optionsSchema, positive, text, texts } from '../options.js';
import { discoverManifests } from './discover.js';
import { lockOutput, type LockMode } from './lock.js';
import { batchExitCode, summarize, type BatchEvent, type BatchReport, type JobReport } from './report.js';
import { defaultJobs, jobMemoryShare } from './schedule.js';
import { defaultMaxMemory, formatMegabytes, MemoryBudget, MIN_MAX_MEMORY } from '../memory.js';
import { checkFreshness, clearState, readState, sha256, specHash, stampOf, writeState, STATE_VERSION, type Current, type Freshness, type InputRecord } from './state.js';

export { discoverManifests } from './discover.js';
export { lockPath, type LockMode } from './lock.js';
export { statePath, type JobState } from './state.js';
export { defaultJobs } from './schedule.js';
export { formatTable, formatEventLine, formatEventText, type BatchEvent, type BatchReport, type BatchSummary, type JobReport, type JobStatus } from './report.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

export interface BatchOptions extends Omit<ManifestOverrides, 'output'> {
  /** Jobs at once (default: one per core, bounded by RAM; see defaultJobs()). */
  jobs?: number;
  /** Rebuild even when up to date. */
  force?: boolean;
  /** When another run holds an output's lock: wait for it (default), or skip the job. */
  lock?: LockMode;
  /** Network and file limits, shared by every job (one connection pool, one cache). */
  fetch?: Partial<FetchOptions>;
  maxPixels?: number;
  /** The longest one job's build may take, ms (build()'s `jobTimeout`). */
  jobTimeout?: number;
  /**
   * Memory for the whole batch, bytes (default: half the machine's or container's memory). Each
   * running job builds within a share of it: an equal share, or what its poster needs.
   */
  maxMemory?: number;
  /** The cell cache every job reads and writes (see BuildOptions). */
  cellCache?: CellCacheOptions | null;
  /** Aborting stops starting jobs and aborts running ones; nothing partial is written. */
  signal?: AbortSignal;
  onEvent?: (event: BatchEvent) => void;
  /** Files never taken as manifests (e.g. this run's --report file). */
  exclude?: string[];
  /**
   * Every output must resolve inside this folder (after symbolic links). Default: each
   * manifest's own folder, so one customer's manifest cannot write over another's files.
   */
  outputRoot?: string;
  /** Write through outputs that are symbolic links (default: such a job is invalid). */
  followSymlinks?: boolean;
}

/** What batch() accepts (see options.ts). */
export const BatchOptionsSchema = optionsSchema<BatchOptions>({
  ...omitEntries(ManifestOverridesSchema.entries, 'output'),
  jobs: integer(1),
  force: flag,
  lock: v.optional(v.picklist(['wait', 'skip'], 'expected "wait" or "skip"')),
  fetch: v.optional(FetchOptionsSchema),
  maxPixels: integer(1),
  jobTimeout: positive('milliseconds'),
  maxMemory: atLeast(MIN_MAX_MEMORY, `a number of bytes ≥ ${formatMegabytes(MIN_MAX_MEMORY)}`),
  cellCache: v.optional(v.nullable(CellCacheOptionsSchema)),
  signal: abortSignal,
  onEvent: callback,
  exclude: texts,
  outputRoot: text,
  followSymlinks: flag,
});

interface Job {
  file: string;
  manifest: string;
  spec?: CollageSpec;
  current?: Current;
  /** The folder its output must stay in. */
  root?: string;
  invalid?: JobReport;
}

export async function batch(inputs: string[], options: BatchOptions = {}): Promise<BatchReport> {
  const started = performance.now();
  checkOptions(BatchOptionsSchema, options);
  const cwd = options.cwd ?? process.cwd();
  const emit = options.onEvent ?? (() => {});
  const signal = options.signal;
  const {
    jobs: _j,
    force,
    lock = 'wait',
    fetch,
    maxPixels,
    maxMemory,
    jobTimeout,
    cellCache,
    signal: _s,
    onEvent: _e,
    exclude,
    outputRoot,
    followSymlinks = false,
    ...overrides
  } = options;
  const fetchOptions: FetchOptions = { ...DEFAULT_FETCH_OPTIONS, cacheDir: defaultCacheDir(), ...fetch };
  const dispatcher = fetchOptions.dispatcher ?? createHttpDispatcher(fetchOptions);
  const concurrency = options.jobs ?? defaultJobs();
  const memory = new MemoryBudget(maxMemory ?? defaultMaxMemory());
  const optionsHash = sha256(
    JSON.stringify({ overrides: { ...overrides, cwd: undefined }, maxPixels, maxBytes: fetchOptions.maxBytes, block: fetchOptions.blockPrivateAddresses }),
  );

  const discovery = await discoverManifests(inputs, { cwd, exclude });
  const display = (file: string) => {
    const rel = path.relative(cwd, file);
    return rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
  };

  // Phase 1: read and validate every manifest (cheap), so outputs claimed twice are known.
  const jobs: Job[] = await Promise.all(discovery.manifests.map((file) => prepare(file, display(file))));
  const owners = new Map<string, Job>();
  for (const job of jobs) {
    if (!job.spec) continue;
    const owner = owners.get(job.spec.output);
    if (owner) {
      job.invalid = invalid(job, [{ path: 'output', message: `${job.spec.output} is also the output of ${owner.manifest}` }], job.spec.output);
    } else owners.set(job.spec.output, job);
  }

  /** Reads the manifest once: what is hashed, validated, locked and built are the same bytes. */
  async function prepare(file: string, manifest: string): Promise<Job> {
    const job: Job = { file, manifest };
    try {
      job.root = outputRoot ?? path.dirname(path.resolve(file));
      const { source, spec } = await validateFile(file, { ...overrides, cwd }, { root: job.root, followSymlinks });
      job.spec = spec;
      job.current = {
        collage: version,
        manifest: { size: source.size, mtimeMs: source.mtimeMs, sha256: sha256(source.bytes) },
        options: optionsHash,
        spec: specHash(spec),
        output: spec.output,
      };
    } catch (error) {
      if (error instanceof ManifestError) job.invalid = invalid(job, error.problems, null);
      else
        job.invalid = { manifest, output: null, status: 'invalid', reason: errorMessage(error), exitCode: error instanceof CollageError ? error.exitCode : ExitCode.usage, ms: 0 };
    }
    return job;
  }

  emit({ type: 'batch-start', jobs: jobs.length + discovery.problems.length, concurrency });
  const limit = pLimit(concurrency);
  const results: JobReport[] = discovery.problems.map((p) => ({
    manifest: p.input,
    output: null,
    status: 'invalid' as const,
    reason: p.reason,
    exitCode: ExitCode.usage,
    ms: 0,
  }));
  for (const r of results) emit({ type: 'job-end', job: r });
  try {
    results.push(
      ...(await Promise.all(
        jobs.map((job) =>
          limit(async () => {
            const report = await run(job);
            emit({ type: 'job-end', job: report });
            return report;
          }),
        ),
      )),
    );
  } finally {
    if (!fetchOptions.dispatcher) await dispatcher.close().catch(() => {});
  }

  async function run(job: Job): Promise<JobReport> {
    if (job.invalid) return job.invalid;
    const spec = job.spec!;
    const t = performance.now();
    const done = (fields: Omit<JobReport, 'manifest' | 'output' | 'ms'>): JobReport => ({
      manifest: job.manifest,
      output: spec.output,
      ...fields,
      ms: Math.round(performance.now() - t),
    });
    if (signal?.aborted) return done({ status: 'cancelled', reason: 'not started: the batch was interrupted', exitCode: ExitCode.unexpected });
    const jobAbort = new AbortController();
    const jobSignal = signal ? AbortSignal.any([signal, jobAbort.signal]) : jobAbort.signal;
    let release: (() => Promise<void>) | null = null;
    let freeMemory: (() => void) | null = null;
    emit({ type: 'job-start', manifest: job.manifest, output: spec.output });
    try {
      release = await lockOutput(spec.output, lock, {
        signal: jobSignal,
        onCompromised: (error) => jobAbort.abort(new CollageError(`lost the lock on ${spec.output}: ${error.message}`, ExitCode.unexpected)),
      });
      if (!release) return done({ status: 'skipped', reason: 'another run holds the lock on the output (--lock skip)', exitCode: ExitCode.ok });
      const net = { dispatcher, options: { ...fetchOptions, headers: mergeHostHeaders(spec.headers, fetchOptions.headers) }, signal: jobSignal };
      // Checked after taking the lock: a run that waited sees what the other run just built.
      const freshness: Freshness = force ? { fresh: false, reason: 'forced (--force)' } : await checkFreshness(await readState(spec.output), job.current!, net);
      if (freshness.fresh) {
        return done({ status: 'skipped', reason: freshness.reason, exitCode: ExitCode.ok, bytes: (await stampOf(spec.output))?.size ?? 0 });
      }
      await clearState(spec.output);
      const size = outputSize(spec);
      const share = jobMemoryShare(memory.budget, concurrency, size.width, size.height);
      freeMemory = await memory.acquire(share);
      jobSignal.throwIfAborted();
      const buildOptions: BuildOptions = {
        fetch: { ...fetchOptions, dispatcher, ...(freshness.changedUrls?.length && { revalidate: freshness.changedUrls }) },
        ...(maxPixels !== undefined && { maxPixels }),
        ...(jobTimeout !== undefined && { jobTimeout }),
        maxMemory: share,
        ...(cellCache && { cellCache }),
        signal: jobSignal,
        recordInputs: true,
        outputRoot: job.root,
        followSymlinks,
      };
      const report = await buildSpec(spec, buildOptions);
      const failed = new Map(report.images.failed.map((f) => [f.src, f.reason]));
      const inputs: InputRecord[] = spec.images.map((image, i) => {
        const v = report.inputs?.[i];
        const reason = failed.get(image.src);
        return reason !== undefined || !v ? { src: image.src, kind: 'failed', reason: reason ?? 'no record' } : { src: image.src, ...v };
      });
      // The record says "up to date" only for an output that is there, whole, as written.
      const output = await stampOf(spec.output);
      if (!output || output.size !== report.output.bytes) {
        throw new CollageError(`${spec.output} is not as written (${output ? `${output.size} of ${report.output.bytes} bytes` : 'missing'}); not recorded`, ExitCode.unexpected);
      }
      await writeState(spec.output, {
        stateVersion: STATE_VERSION,
        ...job.current!,
        output,
        inputs,
        builtAt: new Date().toISOString(),
      });
      const partial = report.images.failed.length > 0 ? `; ${report.images.failed.length} image(s) failed (${spec.onError})` : '';
      return done({
        status: 'built',
        reason: freshness.reason + partial,
        exitCode: ExitCode.ok,
        bytes: report.output.bytes,
        images: report.images,
        ...(report.warnings.length > 0 && { warnings: report.warnings }),
      });
    } catch (error) {
      if (jobSignal.aborted) {
        const why = jobAbort.signal.aborted ? errorMessage(jobAbort.signal.reason) : 'interrupted; nothing written';
        return done({ status: jobAbort.signal.aborted ? 'failed' : 'cancelled', reason: why, exitCode: ExitCode.unexpected });
      }
      if (error instanceof ManifestError) return { ...invalid(job, error.problems, spec.output), ms: Math.round(performance.now() - t) };
      const { exitCode, reason } = jobFailure(error, spec.images.length);
      if (error instanceof ImagesFailedError) {
        return done({ status: 'failed', reason, exitCode, images: { total: spec.images.length, fetched: 0, cached: 0, failed: error.failures, decoded: 0, cellCached: 0 } });
      }
      if (error instanceof LowResolutionError) {
        return done({ status: 'failed', reason, exitCode, images: { total: spec.images.length, fetched: 0, cached: 0, failed: [], lowResolution: error.photos } });
      }
      return done({ status: 'failed', reason, exitCode });
    } finally {
      freeMemory?.();
      await release?.();
    }
  }

  const summary = summarize(results);
  const report: BatchReport = {
    jobs: results,
    summary,
    concurrency,
    ms: Math.round(performance.now() - started),
    interrupted: Boolean(signal?.aborted),
    exitCode: batchExitCode(summary),
  };
  emit({ type: 'batch-end', summary, ms: report.ms, exitCode: report.exitCode, interrupted: report.interrupted });
  return report;
}

function invalid(job: Job, problems: ManifestError['problems'], output: string | null): JobReport {
  return { manifest: job.manifest, output, status: 'invalid', reason: invalidManifestReason(problems), exitCode: ExitCode.usage, ms: 0, problems };
}
