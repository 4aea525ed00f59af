/**
 * Producers: `collage enqueue` (put render jobs on the queue) and `collage batch --redis`
 * (enqueue, wait for every job with QueueEvents, report like a local batch).
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Queue, QueueEvents, type Job } from 'bullmq';
import * as v from 'valibot';
import type { Redis } from 'ioredis';
import { discoverManifests } from '../batch/discover.js';
import { batchExitCode, summarize, type BatchEvent, type BatchReport, type JobReport } from '../batch/report.js';
import { ExitCode, ManifestError, errorMessage } from '../errors.js';
import { validateFile } from '../validate.js';
import { invalidManifestReason, jobFailure } from '../job-failure.js';
import { abortSignal, callback, checkOptions, flag, optionsSchema, text, texts } from '../options.js';
import { connect, disconnect, ready, DEFAULT_QUEUE, QueueConnectionSchema, type QueueConnection } from './connection.js';
import {
  RenderOptionsSchema,
  RetryPolicySchema,
  renderJobId,
  renderJobOptions,
  sha256,
  RENDER_JOB,
  JOB_VERSION,
  type RenderJobData,
  type RenderOptions,
  type RenderProgress,
  type RenderResult,
  type RetryPolicy,
} from './jobs.js';

export interface EnqueueOptions extends QueueConnection, RetryPolicy {
  cwd?: string;
  /** What every job carries: manifest overrides, fetch limits, maxPixels. */
  render?: RenderOptions;
  /** Files never taken as manifests. */
  exclude?: string[];
  /** Render again even when the same job already completed (a queued or running one is not doubled). */
  force?: boolean;
}

/** What enqueue() accepts (see options.ts). */
export const EnqueueOptionsSchema = optionsSchema<EnqueueOptions>({
  ...QueueConnectionSchema.entries,
  ...RetryPolicySchema.entries,
  cwd: text,
  render: v.optional(RenderOptionsSchema),
  exclude: texts,
  force: flag,
});

export type EnqueueState =
  /** A new job. */
  | 'added'
  /** The same job (same manifest bytes and options) is already waiting or running: not added again. */
  | 'queued'
  /** The same job already completed and its output is there: nothing to do. */
  | 'done'
  /** The same job had failed: it was retried (attempts reset). */
  | 'retried';

export interface EnqueuedJob {
  id: string;
  manifest: string;
  output: string;
  state: EnqueueState;
}

export interface EnqueueResult {
  queue: string;
  jobs: EnqueuedJob[];
  /** Arguments that named nothing, and manifests that are invalid: never enqueued. */
  invalid: JobReport[];
}

export async function enqueue(inputs: string[], options: EnqueueOptions): Promise<EnqueueResult> {
  checkOptions(EnqueueOptionsSchema, options);
  const connection = connect(options.redis, 'producer');
  try {
    await ready(connection, options.redis);
    const queue = new Queue<RenderJobData, RenderResult>(options.queue ?? DEFAULT_QUEUE, { connection });
    try {
      return await enqueueOn(queue, inputs, options);
    } finally {
      await queue.close();
    }
  } finally {
    await disconnect(connection);
  }
}

async function enqueueOn(queue: Queue<RenderJobData, RenderResult>, inputs: string[], options: EnqueueOptions): Promise<EnqueueResult> {
  const cwd = options.cwd ?? process.cwd();
  const render = options.render ?? {};
  const display = (file: string) => {
    const rel = path.relative(cwd, file);
    return rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
  };
  const discovery = await discoverManifests(inputs, { cwd, exclude: options.exclude });
  const invalid: JobReport[] = discovery.problems.map((p) => ({ manifest: p.input, output: null, status: 'invalid', reason: p.reason, exitCode: ExitCode.usage, ms: 0 }));
  const jobs: EnqueuedJob[] = [];
  const outputs = new Map<string, string>();
  for (const file of discovery.manifests) {
    const manifest = display(file);
    let data: RenderJobData;
    try {
      // Validated here, so a broken manifest is reported at once and never takes a worker's time.
      const { source, spec } = await validateFile(file, { ...render.overrides, cwd }, { root: render.outputRoot ?? path.dirname(file) });
      const owner = outputs.get(spec.output);
      if (owner) {
        const problems = [{ path: 'output', message: `${spec.output} is also the output of ${owner}` }];
        invalid.push({ manifest, output: spec.output, status: 'invalid', reason: invalidManifestReason(problems), exitCode: ExitCode.usage, ms: 0, problems });
        continue;
      }
      outputs.set(spec.output, manifest);
      data = { version: JOB_VERSION, manifest: file, sha256: sha256(source.bytes), display: manifest, output: spec.output, options: render };
    } catch (error) {
      const failure = jobFailure(error);
      invalid.push({
        manifest,
        output: null,
        status: 'invalid',
        reason: failure.reason,
        exitCode: failure.exitCode,
        ms: 0,
        ...(error instanceof ManifestError && { problems: error.problems }),
      });
      continue;
    }
    const id = renderJobId(data);
    jobs.push({ id, manifest, output: data.output, state: await addOnce(queue, id, data, options, Boolean(options.force)) });
  }
  return { queue: queue.name, jobs, invalid };
}

/** Adds the job unless the same one is queued or done; a failed one is retried, a done one whose output is gone is redone. */
async function addOnce(queue: Queue<RenderJobData, RenderResult>, id: string, data: RenderJobData, retry: RetryPolicy, force: boolean): Promise<EnqueueState> {
  const existing = await queue.getJob(id);
  if (existing) {
    const state = await existing.getState();
    if (state === 'failed') {
      await existing.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
      return 'retried';
    }
    if (state === 'completed') {
      if (
        !force &&
        (await stat(data.output).then(
          (s) => s.isFile(),
          () => false,
        ))
      )
        return 'done';
      await existing.remove();
    } else if (state !== 'unknown') return 'queued';
  }
  // BullMQ ignores an add whose jobId exists, so two producers racing here still make one job.
  await queue.add(RENDER_JOB, data, renderJobOptions(id, retry));
  return 'added';
}

export interface QueueBatchOptions extends EnqueueOptions {
  signal?: AbortSignal;
  onEvent?: (event: BatchEvent) => void;
}

/**
 * Enqueue, then wait for every job and report as a local batch does: `built` (a worker
 * rendered it now), `skipped` (already rendered with these bytes and options), `failed`
 * (with the worker's reason and exit code), `invalid`. Aborting stops waiting; the jobs stay
 * on the queue.
 */
/** What queueBatch() accepts (see options.ts). */
export const QueueBatchOptionsSchema = optionsSchema<QueueBatchOptions>({
  ...EnqueueOptionsSchema.entries,
  signal: abortSignal,
  onEvent: callback,
});

export async function queueBatch(inputs: string[], options: QueueBatchOptions): Promise<BatchReport> {
  checkOptions(QueueBatchOptionsSchema, options);
  const started = performance.now();
  const emit = options.onEvent ?? (() => {});
  const connection = connect(options.redis, 'producer');
  const eventsConnection = connect(options.redis, 'blocking');
  const clients: Redis[] = [connection, eventsConnection];
  try {
    await ready(connection, options.redis);
    const name = options.queue ?? DEFAULT_QUEUE;
    const queue = new Queue<RenderJobData, RenderResult>(name, { connection });
    // Listening before the first add, so no completion is missed.
    const events = new QueueEvents(name, { connection: eventsConnection });
    events.setMaxListeners(0);
    try {
      await events.waitUntilReady();
      const result = await enqueueOn(queue, inputs, options);
      const workers = await queue.getWorkersCount().catch(() => 0);
      emit({ type: 'batch-start', jobs: result.jobs.length + result.invalid.length, concurrency: workers });
      for (const r of result.invalid) emit({ type: 'job-end', job: r });
      const aborted = new Promise<'aborted'>((resolve) => {
        if (options.signal?.aborted) resolve('aborted');
        options.signal?.addEventListener('abort', () => resolve('aborted'), { once: true });
      });
      const reports = await Promise.all(
        result.jobs.map(async (job): Promise<JobReport> => {
          const t = performance.now();
          const ms = () => Math.round(performance.now() - t);
          const base = { manifest: job.manifest, output: job.output };
          if (job.state !== 'done') emit({ type: 'job-start', manifest: job.manifest, output: job.output });
          const handle = (await queue.getJob(job.id)) as Job<RenderJobData, RenderResult> | undefined;
          let report: JobReport;
          if (!handle) {
            report = { ...base, status: 'failed', reason: `job ${job.id} vanished from the queue`, exitCode: ExitCode.unexpected, ms: ms() };
          } else {
            const outcome = await Promise.race([
              handle.waitUntilFinished(events).then(
                (value) => ({ ok: true as const, value }),
                (error: unknown) => ({ ok: false as const, error }),
              ),
              aborted,
            ]);
            if (outcome === 'aborted') {
              report = { ...base, status: 'cancelled', reason: `no longer waited for; job ${job.id} stays on the queue`, exitCode: ExitCode.unexpected, ms: ms() };
            } else if (outcome.ok) {
              const value = outcome.value ?? (await queue.getJob(job.id))?.returnvalue;
              const bytes = value?.output.bytes;
              const partial = value && value.images.failed.length > 0 ? `; ${value.images.failed.length} image(s) failed` : '';
              report =
                job.state === 'done'
                  ? {
                      ...base,
                      status: 'skipped',
                      reason: `already rendered by the queue (job ${job.id}, same manifest and options)`,
                      exitCode: ExitCode.ok,
                      ms: ms(),
                      ...(bytes !== undefined && { bytes }),
                    }
                  : {
                      ...base,
                      status: 'built',
                      reason: `rendered by a worker (job ${job.id})${partial}`,
                      exitCode: ExitCode.ok,
                      ms: ms(),
                      ...(bytes !== undefined && { bytes }),
                      ...(value && { images: value.images }),
                    };
            } else {
              const latest = await queue.getJob(job.id);
              const progress = latest?.progress as RenderProgress | undefined;
              const reason = latest?.failedReason || errorMessage(outcome.error);
              const exitCode = progress && typeof progress === 'object' && progress.stage === 'failed' ? progress.exitCode : ExitCode.unexpected;
              const tries = latest ? ` (after ${latest.attemptsMade} attempt${latest.attemptsMade === 1 ? '' : 's'})` : '';
              report = { ...base, status: exitCode === ExitCode.usage ? 'invalid' : 'failed', reason: `${reason}${tries}`, exitCode, ms: ms() };
            }
          }
          emit({ type: 'job-end', job: report });
          return report;
        }),
      );
      const jobs = [...result.invalid, ...reports];
      const summary = summarize(jobs);
      const report: BatchReport = {
        jobs,
        summary,
        concurrency: workers,
        ms: Math.round(performance.now() - started),
        interrupted: Boolean(options.signal?.aborted),
        exitCode: batchExitCode(summary),
      };
      emit({ type: 'batch-end', summary, ms: report.ms, exitCode: report.exitCode, interrupted: report.interrupted });
      return report;
    } finally {
      await events.close();
      await queue.close();
    }
  } finally {
    await disconnect(...clients);
  }
}
