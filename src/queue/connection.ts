/** Redis connections for the queue: one ioredis client per Queue, Worker or QueueEvents. */
import { Redis } from 'ioredis';
import * as v from 'valibot';
import { CollageError, ExitCode } from '../errors.js';
import { optionsSchema } from '../options.js';
import { DEFAULT_QUEUE } from './defaults.js';

export { DEFAULT_QUEUE };

export interface QueueConnection {
  /** redis://[user:password@]host:port[/db] (rediss:// for TLS). */
  redis: string;
  /** Queue name (default "collage"); workers and producers must agree on it. */
  queue?: string;
}

export const QueueConnectionSchema = optionsSchema<QueueConnection>({
  redis: v.string('expected a redis:// URL'),
  queue: v.optional(v.pipe(v.string('expected a queue name'), v.minLength(1, 'expected a queue name'))),
});

/**
 * A client for BullMQ. Workers and QueueEvents block on Redis, so `maxRetriesPerRequest`
 * must be null (BullMQ's rule); a producer should fail fast instead of hanging when Redis is
 * down, so it gets a short offline queue.
 */
export function connect(url: string, role: 'producer' | 'blocking'): Redis {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CollageError(`--redis ${url}: not a URL (expected redis://host:port)`, ExitCode.usage);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new CollageError(`--redis ${url}: expected a redis:// or rediss:// URL`, ExitCode.usage);
  }
  const client = new Redis(url, {
    maxRetriesPerRequest: role === 'blocking' ? null : 3,
    enableOfflineQueue: true,
    lazyConnect: false,
  });
  // ioredis reconnects by itself; its errors reach callers through failed commands and ready().
  client.on('error', () => {});
  return client;
}

/** Waits for the first connection, so a wrong URL is one clear error rather than a hang. */
export async function ready(client: Redis, url: string, timeoutMs = 10_000): Promise<void> {
  if (client.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    let lastError: Error | null = null;
    const timer = setTimeout(
      () => done(new CollageError(`cannot reach Redis at ${url} within ${timeoutMs / 1000} s${lastError ? `: ${lastError.message}` : ''}`, ExitCode.unexpected)),
      timeoutMs,
    );
    const onReady = () => done();
    const onError = (error: Error) => void (lastError = error);
    const onEnd = () => done(new CollageError(`cannot reach Redis at ${url}: ${lastError?.message ?? 'connection closed'}`, ExitCode.unexpected));
    function done(error?: Error) {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('error', onError);
      client.off('end', onEnd);
      if (error) reject(error);
      else resolve();
    }
    client.on('ready', onReady);
    client.on('error', onError);
    client.on('end', onEnd);
  });
}

export async function disconnect(...clients: Redis[]): Promise<void> {
  // quit() on a client that never connected would wait for a connection forever.
  await Promise.all(
    clients.map((c) =>
      c.status === 'ready'
        ? c.quit().then(
            () => {},
            () => c.disconnect(),
          )
        : c.disconnect(),
    ),
  );
}
