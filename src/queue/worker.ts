/**
 * `collage worker`: takes render jobs from the queue and runs build() on each, the same
 * pipeline as `collage build`; the output is written atomically to the manifest's output path.
 * A worker that dies mid-job loses its lock; after the stall interval another worker takes the
 * job again from the start. close() (SIGTERM) finishes the running jobs and takes no new one.
 */
import os from 'node:os';
import path from 'node:path';
import { Worker, type Job } from 'bullmq';
import { buildSpec, type BuildOptions } from '../build.js';
import { ManifestError } from '../errors.js';
import { normalizeManifest, readManifestSource } from '../manifest/index.js';
import { defaultCacheDir, parseHeadersEnv } from '../sources/index.js';
import { defaultMaxMemory, formatMegabytes, MIN_MAX_MEMORY } from '../memory.js';
import { atLeast, callback, checkOptions, flag, headerMap, integer, optionsSchema, positive, text, textOrNull } from '../options.js';
import { connect, disconnect, ready, DEFAULT_QUEUE, QueueConnectionSchema, type QueueConnection } from './connection.js';
import { classifyFailure, jobError, RenderOptionsSchema, progressOf, sha256, type RenderJobData, type RenderProgress, type RenderResult } from './jobs.js';

export interface WorkerOptions extends QueueConnection {
  /** Jobs run at once by this process (default 1: a render uses a core and a lot of memory). */
  concurrency?: number;
  /** Memory for this process, bytes (default: half the machine's or container's); each job builds within an equal share. */
  maxMemory?: number;
  /** Download cache on this machine (default: the user's cache folder); null disables it. */
  cacheDir?: string | null;
  /** Per-host request headers (default: COLLAGE_HTTP_HEADERS of this process). */
  headers?: Record<string, Record<string, string>>;
  /** How long a job's lock lasts without renewal, ms (BullMQ default 30000). A dead worker's job waits this long. */
  lockDurationMs?: number;
  /** How often stalled jobs are looked for, ms (BullMQ default 30000). */
  stalledIntervalMs?: number;
  /** Times a job may stall (its worker died) before it is failed (default 2). */
  maxStalledCount?: number;
  /** Least time between progress updates written to Redis, ms (default 250). */
  progressIntervalMs?: number;
  /** Outputs must resolve inside this folder (default: the job's root, else each manifest's own folder). */
  outputRoot?: string;
  /** Write through outputs that are symbolic links (default: refuse such a job). */
  followSymlinks?: boolean;
  onEvent?: (event: WorkerEvent) => void;
}

/** What startWorker() accepts (see options.ts). */
export const WorkerOptionsSchema = optionsSchema<WorkerOptions>({
  ...QueueConnectionSchema.entries,
  concurrency: integer(1),
  maxMemory: atLeast(MIN_MAX_MEMORY, `a number of bytes ≥ ${formatMegabytes(MIN_MAX_MEMORY)}`),
  cacheDir: textOrNull,
  headers: headerMap,
  lockDurationMs: positive('milliseconds'),
  stalledIntervalMs: positive('milliseconds'),
  maxStalledCount: integer(0),
  progressIntervalMs: atLeast(0, 'a number of milliseconds ≥ 0'),
  outputRoot: text,
  followSymlinks: flag,
  onEvent: callback,
});

export type WorkerEvent =
  | { type: 'ready'; queue: string; concurrency: number; worker: string }
  | { type: 'job-start'; id: string; manifest: string; attempt: number }
  | { type: 'job-completed'; id: string; manifest: string; output: string; bytes: number; ms: number }
  | { type: 'job-failed'; id: string; manifest: string; reason: string; willRetry: boolean }
  | { type: 'error'; message: string };

export interface RenderWorker {
  /** Name this worker records on the jobs it runs (host:pid). */
  name: string;
  /** Finish the running jobs, take no new one, disconnect. */
  close(): Promise<void>;
  /** Stop at once (running jobs stall and are taken again by another worker). */
  kill(): Promise<void>;
}

export async function startWorker(options: WorkerOptions): Promise<RenderWorker> {
  checkOptions(WorkerOptionsSchema, options);
  const queue = options.queue ?? DEFAULT_QUEUE;
  const emit = options.onEvent ?? (() => {});
  const concurrency = options.concurrency ?? 1;
  const jobMemory = Math.max(MIN_MAX_MEMORY, Math.floor((options.maxMemory ?? defaultMaxMemory()) / concurrency));
  const name = `${os.hostname()}:${process.pid}`;
  const cacheDir = options.cacheDir === undefined ? defaultCacheDir() : options.cacheDir;
  const headers = options.headers ?? parseHeadersEnv(process.env.COLLAGE_HTTP_HEADERS);
  const progressEvery = options.progressIntervalMs ?? 250;
  const connection = connect(options.redis, 'blocking');
  await ready(connection, options.redis).catch(async (error) => {
    connection.disconnect();
    throw error;
  });

  const processor = async (job: Job<RenderJobData, RenderResult>): Promise<RenderResult> => {
    const data = job.data;
    const started = Date.now();
    emit({ type: 'job-start', id: job.id!, manifest: data.display, attempt: job.attemptsMade + 1 });
    const counts = { done: 0, failed: 0, total: 0 };
    let lastWrite = 0;
    let pending: Promise<void> = Promise.resolve();
    const report = (progress: RenderProgress, force = false) => {
      const now = Date.now();
      if (!force && now - lastWrite < progressEvery) return;
      lastWrite = now;
      // One write at a time, in order; a lost progress update never fails the render.
      pending = pending.then(() => job.updateProgress(progress).catch(() => {}));
    };
    const buildOptions: BuildOptions = {
      outputRoot: options.outputRoot ?? data.options.outputRoot ?? path.dirname(data.manifest),
      followSymlinks: options.followSymlinks ?? false,
      fetch: { ...data.options.fetch, cacheDir, headers },
      ...(data.options.maxPixels !== undefined && { maxPixels: data.options.maxPixels }),
      ...(data.options.jobTimeout !== undefined && { jobTimeout: data.options.jobTimeout }),
      maxMemory: jobMemory,
      onProgress: (event) => report(progressOf(event, name, counts), event.type !== 'image'),
    };
    try {
      // The job is these manifest bytes (its id is their hash): an edited manifest is a new job.
      const source = await readManifestSource(data.manifest);
      if (sha256(source.bytes) !== data.sha256) {
        throw new ManifestError(data.manifest, [{ path: '', message: 'changed since it was enqueued; enqueue it again to build the new version' }]);
      }
      // Job data comes from Redis: checked like a caller's options (a bad job fails as invalid, not retried).
      checkOptions(RenderOptionsSchema, data.options, 'job.options');
      const spec = normalizeManifest(source.raw, data.manifest, data.options.overrides ?? {});
      const result = await buildSpec(spec, buildOptions);
      await pending;
      emit({ type: 'job-completed', id: job.id!, manifest: data.display, output: result.output.path, bytes: result.output.bytes, ms: Date.now() - started });
      return result;
    } catch (error) {
      const failure = classifyFailure(error, counts.total || undefined);
      report({ stage: 'failed', percent: 100, exitCode: failure.exitCode, reason: failure.reason, worker: name }, true);
      await pending;
      const attempts = job.opts.attempts ?? 1;
      emit({ type: 'job-failed', id: job.id!, manifest: data.display, reason: failure.reason, willRetry: !failure.permanent && job.attemptsMade + 1 < attempts });
      throw jobError(failure);
    }
  };

  const worker = new Worker<RenderJobData, RenderResult>(queue, processor, {
    connection,
    concurrency,
    ...(options.lockDurationMs !== undefined && { lockDuration: options.lockDurationMs }),
    ...(options.stalledIntervalMs !== undefined && { stalledInterval: options.stalledIntervalMs }),
    maxStalledCount: options.maxStalledCount ?? 2,
    name,
  });
  worker.on('error', (error) => emit({ type: 'error', message: error.message }));
  await worker.waitUntilReady();
  emit({ type: 'ready', queue, concurrency, worker: name });

  return {
    name,
    async close() {
      await worker.close();
      await disconnect(connection);
    },
    async kill() {
      await worker.close(true);
      connection.disconnect();
    },
  };
}
