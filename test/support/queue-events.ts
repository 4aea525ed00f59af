/**
 * BullMQ's own events for queue tests: wait for a job to finish, or for its progress, instead of
 * polling `queue status` against a deadline.
 */
import { Queue, QueueEvents } from 'bullmq';
import type { TestRedis } from './redis.js';

export interface QueueWatch {
  /** Resolves with how job `id` ended, at once if it already has. */
  settled(id: string): Promise<'completed' | 'failed'>;
  /** Resolves with the first progress a job reports after this watch started. */
  progress(): Promise<{ jobId: string; data: unknown }>;
  close(): Promise<void>;
}

/** Start before the events it waits for (it listens from the moment it is ready). */
export async function watchQueue(redis: TestRedis, name: string): Promise<QueueWatch> {
  const connection = { host: '127.0.0.1', port: redis.port };
  const queue = new Queue(name, { connection });
  const events = new QueueEvents(name, { connection });
  const firstProgress = new Promise<{ jobId: string; data: unknown }>((resolve) => events.once('progress', resolve));
  await events.waitUntilReady();
  return {
    async settled(id) {
      const job = await queue.getJob(id);
      if (!job) throw new Error(`no job ${id} on queue ${name}`);
      // Race-free: it listens first, then checks whether the job has already finished.
      return job.waitUntilFinished(events).then(
        () => 'completed' as const,
        () => 'failed' as const,
      );
    },
    progress: () => firstProgress,
    async close() {
      await Promise.all([events.close(), queue.close()]);
    },
  };
}
