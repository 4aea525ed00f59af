/** Render jobs on a Redis queue (BullMQ): workers on any number of machines, producers, status. */
export { DEFAULT_QUEUE, type QueueConnection } from './connection.js';
export { renderJobId, renderOptionsFrom, type RenderJobData, type RenderOptions, type RenderProgress, type RetryPolicy, DEFAULT_ATTEMPTS, DEFAULT_BACKOFF_MS } from './jobs.js';
export { startWorker, type RenderWorker, type WorkerEvent, type WorkerOptions } from './worker.js';
export { enqueue, queueBatch, type EnqueueOptions, type EnqueueResult, type EnqueuedJob, type EnqueueState, type QueueBatchOptions } from './enqueue.js';
export { queueStatus, formatStatus, type QueueStatus, type QueueStatusOptions } from './status.js';
