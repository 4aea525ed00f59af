/** `collage queue status`: how many jobs wait, run, completed and failed, and why the failed ones failed. */
import { Queue } from 'bullmq';
import { checkOptions, integer, optionsSchema } from '../options.js';
import { connect, disconnect, ready, DEFAULT_QUEUE, QueueConnectionSchema, type QueueConnection } from './connection.js';
import type { RenderJobData, RenderProgress, RenderResult } from './jobs.js';

export interface QueueStatus {
  queue: string;
  counts: { waiting: number; active: number; delayed: number; completed: number; failed: number; prioritized: number };
  /** Worker connections seen by Redis. */
  workers: number;
  active: { id: string; manifest: string; progress: number; stage: string; worker: string | null }[];
  /** Newest first (at most `limit`). */
  failed: { id: string; manifest: string; output: string; reason: string; attempts: number; exitCode: number | null; finishedAt: string | null }[];
}

export interface QueueStatusOptions extends QueueConnection {
  /** Active and failed jobs listed at most (default 50). */
  limit?: number;
}

/** What queueStatus() accepts (see options.ts). */
export const QueueStatusOptionsSchema = optionsSchema<QueueStatusOptions>({ ...QueueConnectionSchema.entries, limit: integer(1) });

export async function queueStatus(options: QueueStatusOptions): Promise<QueueStatus> {
  checkOptions(QueueStatusOptionsSchema, options);
  const connection = connect(options.redis, 'producer');
  try {
    await ready(connection, options.redis);
    const name = options.queue ?? DEFAULT_QUEUE;
    const queue = new Queue<RenderJobData, RenderResult>(name, { connection });
    try {
      const c = await queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized');
      const limit = options.limit ?? 50;
      const [active, failed, workers] = await Promise.all([queue.getActive(0, limit - 1), queue.getFailed(0, limit - 1), queue.getWorkersCount()]);
      return {
        queue: name,
        counts: {
          waiting: c.waiting ?? 0,
          active: c.active ?? 0,
          delayed: c.delayed ?? 0,
          completed: c.completed ?? 0,
          failed: c.failed ?? 0,

          prioritized: c.prioritized ?? 0,
        },
        workers,
        active: active.filter(Boolean).map((job) => {
          const p = job.progress as RenderProgress | number | undefined;
          const obj = p && typeof p === 'object' ? p : null;
          return {
            id: job.id!,
            manifest: job.data?.display ?? '?',
            progress: obj?.percent ?? (typeof p === 'number' ? p : 0),
            stage: obj?.stage ?? 'waiting',
            worker: obj?.worker ?? null,
          };
        }),
        failed: failed.filter(Boolean).map((job) => {
          const p = job.progress as RenderProgress | undefined;
          return {
            id: job.id!,
            manifest: job.data?.display ?? '?',
            output: job.data?.output ?? '?',
            reason: job.failedReason ?? '',
            attempts: job.attemptsMade,
            exitCode: p && typeof p === 'object' && p.stage === 'failed' ? p.exitCode : null,
            finishedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
          };
        }),
      };
    } finally {
      await queue.close();
    }
  } finally {
    await disconnect(connection);
  }
}

/** Plain text for a terminal or a cron mail. */
export function formatStatus(status: QueueStatus): string {
  const c = status.counts;
  const lines = [
    `queue ${status.queue}: ${c.waiting + c.prioritized} waiting, ${c.active} active, ${c.delayed} delayed (retry backoff), ${c.completed} completed, ${c.failed} failed; ${status.workers} worker connection${status.workers === 1 ? '' : 's'}`,
  ];
  for (const a of status.active) lines.push(`  active  ${a.manifest}  ${a.stage} ${a.progress}%${a.worker ? ` on ${a.worker}` : ''}`);
  for (const f of status.failed) lines.push(`  failed  ${f.manifest}  after ${f.attempts} attempt${f.attempts === 1 ? '' : 's'}: ${f.reason}`);
  return lines.join('\n') + '\n';
}
