/**
 * Queue commands: `collage worker`, `collage enqueue`, `collage queue status`, and the
 * `--redis` mode of `collage batch`. Registered from index.ts, which passes its option helpers.
 */
import { constants } from 'node:os';
import path from 'node:path';
import { type Command, Option } from 'commander';
import type { BuildOptions } from '../build.js';
import { CollageError, ExitCode } from '../errors.js';
import type { ManifestOverrides } from '../manifest/index.js';
import { DEFAULT_ATTEMPTS, DEFAULT_BACKOFF_MS, DEFAULT_QUEUE } from '../queue/defaults.js';
import type { WorkerEvent } from '../queue/index.js';
import { defaultCacheDir } from '../sources/index.js';
import { runReporting } from './batch.js';

type Flags = Record<string, unknown> & { json?: boolean; quiet?: boolean; verbose?: boolean; force?: boolean };

export interface CliHelpers {
  addManifestOptions(command: Command, options?: { output?: boolean }): Command;
  addFetchOptions(command: Command): Command;
  addEnvironmentHelp(command: Command): Command;
  addOutputPolicyOptions(command: Command, byDefault: string): Command;
  outputPolicyFrom(flags: never): { outputRoot?: string; followSymlinks: boolean };
  fetchOptionsFrom(flags: never): Pick<BuildOptions, 'fetch' | 'maxPixels' | 'onError' | 'jobTimeout'>;
  addMemoryOption(command: Command, what?: string): Command;
  maxMemoryFrom(flags: { maxMemory?: number }): { maxMemory?: number };
  overridesFrom(flags: never): ManifestOverrides;
  integer(name: string, min: number, max: number): (value: string) => number;
  positiveNumber(name: string, max: number, least?: number): (value: string) => number;
  setModes(flags: { verbose?: boolean; json?: boolean }): void;
}

export interface QueueFlags {
  redis?: string;
  queue?: string;
  attempts?: number;
  backoff?: number;
}

const redisOption = () => new Option('--redis <url>', 'Redis server, e.g. redis://127.0.0.1:6379 (default $COLLAGE_REDIS)').env('COLLAGE_REDIS');
const queueOption = () => new Option('--queue <name>', `queue name; workers and producers must agree (default "${DEFAULT_QUEUE}")`);

function requireRedis(flags: QueueFlags): string {
  if (!flags.redis) throw new CollageError('--redis <url> is required (or set COLLAGE_REDIS)', ExitCode.usage);
  return flags.redis;
}

/** Retry options shared by `enqueue` and `batch --redis`. */
function addRetryOptions(command: Command, h: CliHelpers): Command {
  return command
    .option('--attempts <n>', `tries per job on a worker, the first included (default ${DEFAULT_ATTEMPTS}); invalid manifests and missing images are not retried`, h.integer('--attempts', 1, 100))
    .option('--backoff <seconds>', `exponential backoff base between tries (default ${DEFAULT_BACKOFF_MS / 1000})`, h.positiveNumber('--backoff', 3600));
}

/** `collage batch --redis URL`: the batch command's queue mode (added to its options). */
export function addQueueBatchOptions(command: Command, h: CliHelpers): Command {
  return addRetryOptions(
    command
      .addOption(new Option('--redis <url>', 'render on queue workers instead of here: enqueue, wait, report (see `collage worker`)'))
      .addOption(queueOption()),
    h,
  );
}

/**
 * The queue module (BullMQ, ioredis) loads only when a queue command runs: every other
 * command, `build` above all, starts ~0.15 s sooner without it.
 */
const queueModule = () => import('../queue/index.js');

async function renderOf(flags: Flags, h: CliHelpers) {
  const { output: _o, cwd: _c, ...overrides } = h.overridesFrom(flags as never);
  const { outputRoot } = h.outputPolicyFrom(flags as never);
  return (await queueModule()).renderOptionsFrom({ ...overrides, ...h.fetchOptionsFrom(flags as never), ...(outputRoot && { outputRoot: path.resolve(outputRoot) }) });
}

function retryOf(flags: QueueFlags) {
  return { ...(flags.attempts !== undefined && { attempts: flags.attempts }), ...(flags.backoff !== undefined && { backoffMs: Math.round(flags.backoff * 1000) }) };
}

export async function runQueueBatch(inputs: string[], flags: Flags & QueueFlags & { report?: string; logFormat?: string }, h: CliHelpers): Promise<number> {
  return runReporting(flags, {
    interrupted: 'no longer waiting; the jobs stay on the queue for the workers',
    startLine: (event) =>
      `collage: batch of ${event.jobs} manifest${event.jobs === 1 ? '' : 's'} on queue ${flags.queue ?? DEFAULT_QUEUE} (${event.concurrency} worker connection${event.concurrency === 1 ? '' : 's'})\n`,
    tableTotals: (table) => table.replace(/\((\d+) at a time\)\n$/, '($1 worker connections)\n'),
    run: async (signal, onEvent, exclude) =>
      (await queueModule()).queueBatch(inputs, {
        redis: requireRedis(flags),
        ...(flags.queue && { queue: flags.queue }),
        ...retryOf(flags),
        force: Boolean(flags.force),
        render: await renderOf(flags, h),
        signal,
        onEvent,
        exclude,
      }),
  });
}

export function registerQueueCommands(program: Command, h: CliHelpers): void {
  h.addMemoryOption(h.addOutputPolicyOptions(h.addEnvironmentHelp(program.command('worker')), "each manifest's own folder (or the enqueuer's --output-root)"), 'this worker (each running job gets an equal share)')
    .description('take render jobs from a Redis queue and build them (one process per machine or container); SIGTERM finishes the running job and exits 0')
    .addOption(redisOption())
    .addOption(queueOption())
    .option('--concurrency <n>', 'jobs rendered at once by this process (default 1)', h.integer('--concurrency', 1, 64))
    .option('--lock-duration <seconds>', "how long a job's lock lasts unrenewed: a dead worker's job is taken again after about this long (default 30)", h.positiveNumber('--lock-duration', 3600, 0.1))
    .option('--stalled-interval <seconds>', 'how often to look for jobs whose worker died (default 30)', h.positiveNumber('--stalled-interval', 3600, 0.1))
    .option('--max-stalled <n>', 'times a job may lose its worker before it is failed (default 2)', h.integer('--max-stalled', 1, 100))
    .option('--cache-dir <dir>', 'download cache folder on this machine (default $XDG_CACHE_HOME/collage or ~/.cache/collage)')
    .option('--no-cache', 'neither read nor write the download cache')
    .addOption(new Option('--log-format <format>', 'stderr events: text lines, or one JSON object per line').choices(['text', 'json']).default('text'))
    .option('-q, --quiet', 'print nothing but errors')
    .option('-v, --verbose', 'print stack traces on errors')
    .action(async (flags: Flags & QueueFlags & { concurrency?: number; lockDuration?: number; stalledInterval?: number; maxStalled?: number; cacheDir?: string; cache?: boolean; logFormat?: string }) => {
      h.setModes(flags);
      const log = (event: WorkerEvent) => {
        if (flags.logFormat === 'json') return void process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), event: event.type, ...event, type: undefined })}\n`);
        if (flags.quiet && event.type !== 'error') return;
        const line =
          event.type === 'ready'
            ? `worker ${event.worker} on queue ${event.queue}, ${event.concurrency} job${event.concurrency === 1 ? '' : 's'} at a time`
            : event.type === 'job-start'
              ? `started ${event.manifest} (job ${event.id}, attempt ${event.attempt})`
              : event.type === 'job-completed'
                ? `built ${event.manifest} → ${event.output} (${event.bytes} bytes, ${(event.ms / 1000).toFixed(2)} s)`
                : event.type === 'job-failed'
                  ? `failed ${event.manifest}${event.willRetry ? ' (will retry)' : ''}: ${event.reason}`
                  : `error: ${event.message}`;
        process.stderr.write(`collage: ${line}\n`);
      };
      const worker = await (await queueModule()).startWorker({
        redis: requireRedis(flags),
        ...(flags.queue && { queue: flags.queue }),
        ...(flags.concurrency !== undefined && { concurrency: flags.concurrency }),
        ...h.maxMemoryFrom(flags as { maxMemory?: number }),
        ...(flags.lockDuration !== undefined && { lockDurationMs: Math.round(flags.lockDuration * 1000) }),
        ...(flags.stalledInterval !== undefined && { stalledIntervalMs: Math.round(flags.stalledInterval * 1000) }),
        ...(flags.maxStalled !== undefined && { maxStalledCount: flags.maxStalled }),
        cacheDir: flags.cache === false ? null : (flags.cacheDir ?? defaultCacheDir()),
        ...h.outputPolicyFrom(flags as never),
        onEvent: log,
      });
      await new Promise<void>((resolve) => {
        let closing = false;
        const onSignal = (sig: NodeJS.Signals) => {
          if (closing) process.exit(128 + (constants.signals[sig] ?? 1));
          closing = true;
          if (!flags.quiet) process.stderr.write(`collage: ${sig}: finishing the running job, taking no new one (again to quit now)\n`);
          worker.close().then(resolve, resolve);
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
      });
      if (!flags.quiet) process.stderr.write('collage: worker stopped\n');
    });

  addRetryOptions(
    h.addOutputPolicyOptions(
      h.addFetchOptions(
        h.addManifestOptions(
          program
            .command('enqueue')
            .description('put render jobs on a Redis queue for `collage worker`s; the same manifest and options twice is one job')
            .argument('<manifest|dir|glob...>', 'manifest files, folders (every *.json inside) or glob patterns'),
          { output: false },
        ),
      ),
      "each manifest's own folder",
    )
      .addOption(redisOption())
      .addOption(queueOption())
      .option('--force', 'render again even when the same job (same manifest bytes and options) already completed'),
    h,
  ).action(async (inputs: string[], flags: Flags & QueueFlags) => {
    h.setModes(flags);
    const { enqueue } = await queueModule();
    const result = await enqueue(inputs, { redis: requireRedis(flags), ...(flags.queue && { queue: flags.queue }), ...retryOf(flags), force: Boolean(flags.force), render: await renderOf(flags, h) });
    if (flags.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else if (!flags.quiet) {
      for (const job of result.jobs) process.stdout.write(`${job.state.padEnd(7)}  ${job.id.slice(0, 12)}  ${job.manifest}\n`);
      for (const bad of result.invalid) process.stdout.write(`invalid  ${'-'.padEnd(12)}  ${bad.manifest}: ${bad.reason}\n`);
      const n = (s: string) => result.jobs.filter((j) => j.state === s).length;
      process.stdout.write(`queue ${result.queue}: ${n('added')} added, ${n('queued')} already queued, ${n('done')} already done, ${n('retried')} retried, ${result.invalid.length} invalid\n`);
    }
    process.exitCode = result.invalid.length > 0 ? ExitCode.usage : ExitCode.ok;
  });

  program
    .command('queue')
    .description('inspect the Redis queue')
    .command('status')
    .description('waiting, active, completed and failed jobs, with the reasons of the failed ones')
    .addOption(redisOption())
    .addOption(queueOption())
    .option('--limit <n>', 'failed and active jobs listed (default 50)', h.integer('--limit', 1, 10_000))
    .option('--json', 'print JSON')
    .action(async (flags: Flags & QueueFlags & { limit?: number }) => {
      h.setModes(flags);
      const { queueStatus, formatStatus } = await queueModule();
      const status = await queueStatus({ redis: requireRedis(flags), ...(flags.queue && { queue: flags.queue }), ...(flags.limit && { limit: flags.limit }) });
      process.stdout.write(flags.json ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status));
    });
}
