/**
 * Queue commands: `collage worker`, `collage enqueue`, `collage queue status`, and the
 * `--redis` mode of `collage batch`. Registered from index.ts, which passes its option helpers.
 */
import { constants } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import type { BuildOptions } from '../build.js';
import { CollageError, ExitCode } from '../errors.js';
import type { ManifestOverrides } from '../manifest/index.js';
import { DEFAULT_QUEUE } from '../queue/defaults.js';
import type { WorkerEvent } from '../queue/index.js';
import { defaultCacheDir } from '../sources/index.js';
import { runReporting } from './batch.js';
import { addEnvironmentHelp, addOptions } from './option-builder.js';

type Flags = Record<string, unknown> & { json?: boolean; quiet?: boolean; verbose?: boolean; force?: boolean };

export interface CliHelpers {
  outputPolicyFrom(flags: never): { outputRoot?: string; followSymlinks: boolean };
  fetchOptionsFrom(flags: never): Pick<BuildOptions, 'fetch' | 'maxPixels' | 'onError' | 'jobTimeout'>;
  maxMemoryFrom(flags: { maxMemory?: number }): { maxMemory?: number };
  overridesFrom(flags: never): ManifestOverrides;
  setModes(flags: { verbose?: boolean; json?: boolean }): void;
}

export interface QueueFlags {
  redis?: string;
  queue?: string;
  attempts?: number;
  backoff?: number;
}

function requireRedis(flags: QueueFlags): string {
  if (!flags.redis) throw new CollageError('--redis <url> is required (or set COLLAGE_REDIS)', ExitCode.usage);
  return flags.redis;
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
  addEnvironmentHelp(addOptions(program.command('worker'), 'worker'))
    .description('take render jobs from a Redis queue and build them (one process per machine or container); SIGTERM finishes the running job and exits 0')
    .action(
      async (
        flags: Flags &
          QueueFlags & {
            jobs?: number;
            concurrency?: number;
            lockDuration?: number;
            stalledInterval?: number;
            maxStalled?: number;
            cacheDir?: string;
            cache?: boolean;
            logFormat?: string;
          },
      ) => {
        h.setModes(flags);
        // The old name of --jobs (build's --concurrency counts downloads): still taken, with a word.
        if (flags.concurrency !== undefined) process.stderr.write('collage: warning: worker --concurrency is deprecated; use --jobs (jobs rendered at once)\n');
        const jobs = flags.jobs ?? flags.concurrency;
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
          ...(jobs !== undefined && { concurrency: jobs }),
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
      },
    );

  addOptions(
    program
      .command('enqueue')
      .description('put render jobs on a Redis queue for `collage worker`s; the same manifest and options twice is one job')
      .argument('<manifest|dir|glob...>', 'manifest files, folders (every *.json inside) or glob patterns'),
    'enqueue',
  ).action(async (inputs: string[], flags: Flags & QueueFlags) => {
    h.setModes(flags);
    const { enqueue } = await queueModule();
    const result = await enqueue(inputs, {
      redis: requireRedis(flags),
      ...(flags.queue && { queue: flags.queue }),
      ...retryOf(flags),
      force: Boolean(flags.force),
      render: await renderOf(flags, h),
    });
    if (flags.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else if (!flags.quiet) {
      for (const job of result.jobs) process.stdout.write(`${job.state.padEnd(7)}  ${job.id.slice(0, 12)}  ${job.manifest}\n`);
      for (const bad of result.invalid) process.stdout.write(`invalid  ${'-'.padEnd(12)}  ${bad.manifest}: ${bad.reason}\n`);
      const n = (s: string) => result.jobs.filter((j) => j.state === s).length;
      process.stdout.write(
        `queue ${result.queue}: ${n('added')} added, ${n('queued')} already queued, ${n('done')} already done, ${n('retried')} retried, ${result.invalid.length} invalid\n`,
      );
    }
    process.exitCode = result.invalid.length > 0 ? ExitCode.usage : ExitCode.ok;
  });

  addOptions(
    program
      .command('queue')
      .description('inspect the Redis queue')
      .command('status')
      .description('waiting, active, completed and failed jobs, with the reasons of the failed ones'),
    'queue-status',
  ).action(async (flags: Flags & QueueFlags & { limit?: number }) => {
    h.setModes(flags);
    const { queueStatus, formatStatus } = await queueModule();
    const status = await queueStatus({ redis: requireRedis(flags), ...(flags.queue && { queue: flags.queue }), ...(flags.limit && { limit: flags.limit }) });
    process.stdout.write(flags.json ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status));
  });
}
