/**
 * HTTP(S) downloads through undici's dispatcher (exchange.ts): keep-alive pool per origin, connect/headers/
 * body-idle timeouts plus a deadline for the whole photo (every attempt and backoff), a size cap
 * enforced while streaming, redirects followed here (bounded, loop-detected, per-hop address
 * check, per-origin headers never sent to another origin or after a downgrade to http), retries
 * with backoff, and the disk cache.
 *
 * Retries are our own loop rather than undici's retry interceptor: the interceptor cannot
 * report how many attempts an image took, does not share a per-job budget, and does not
 * retry a body that fails mid-stream, all of which the report and the issue need.
 */
import type { Dispatcher } from 'undici';
import type { BufferPool } from '../buffers.js';
import { ImageError, JobDeadlineError, type ImageErrorCode } from '../errors.js';
import { createAgent } from './agent.js';
import { exchange, type ResponseBody } from './exchange.js';
import { ACCEPT, USER_AGENT, cacheRequest, makePolicy, type CacheRequest, type CachedEntry, type DownloadCache } from './cache.js';
import { BlockedAddressError, checkLiteralHost } from './guard.js';
import { headersFor } from './headers.js';
import type { HostLimits } from './hosts.js';
import { RETRY_STATUSES, type RetryBudget, errorCode, isRetryableError, parseRetryAfter, retryDelay, sleep } from './retry.js';
import type { ReadTurns } from './turns.js';
import type { FetchOptions, InputValidators } from './types.js';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** What a body without a Content-Length counts for in its turn. */
const UNKNOWN_LENGTH = 1024 * 1024;

export function createHttpDispatcher(options: FetchOptions): Dispatcher {
  return createAgent(options);
}

export interface HttpContext {
  dispatcher: Dispatcher;
  /** `headers` normalised to origins (see headers.ts). */
  options: FetchOptions;
  budget: RetryBudget;
  cache: DownloadCache | null;
  /** Where bodies of a known length are read into (given back by the loader's `release`). */
  pool: BufferPool | null;
  /** Turns at reading bodies (see turns.ts). */
  turns: ReadTurns;
  /** Requests at once per host (see hosts.ts). */
  hosts: HostLimits;
}

export interface Download {
  bytes: Buffer;
  origin: 'network' | 'cache';
  attempts: number;
  validators: InputValidators;
}

/** ETag and Last-Modified of the response the bytes came from (or of the cached one). */
function validatorsOf(url: URL, headers: Record<string, string | string[] | undefined>): InputValidators {
  const etag = headers.etag;
  const lastModified = headers['last-modified'];
  return {
    kind: 'url',
    url: url.href,
    ...(typeof etag === 'string' && { etag }),
    ...(typeof lastModified === 'string' && { lastModified }),
  };
}

/** A final (non-redirect) response that is not a usable 200/304. */
class StatusError extends Error {
  constructor(
    readonly status: number,
    readonly retryAfter: number | undefined,
  ) {
    super(`HTTP ${status}`);
  }
}

/** A failure that no retry can fix (redirect loop, too large, blocked address). */
class FinalError extends Error {
  constructor(
    message: string,
    /** The ImageError code it becomes. */
    readonly failure: ImageErrorCode,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The photo's --download-timeout passed: final, and the host counts as timed out. */
class PhotoTimeout extends FinalError {
  readonly code = 'COLLAGE_PHOTO_TIMEOUT';
  constructor(message: string, options: { cause?: unknown }) {
    super(message, 'E_TIMEOUT', options);
  }
}

interface Response {
  status: 200 | 304;
  headers: Record<string, string | string[] | undefined>;
  bytes: Buffer | null;
  url: URL;
  /**
   * A hop sent per-origin headers other than the first hop's (a redirect into another origin's
   * credentials): the response belongs to no single cache scope and is not stored.
   */
  mixedCredentials: boolean;
}

export async function downloadImage(url: URL, src: string, ctx: HttpContext, signal?: AbortSignal): Promise<Download> {
  const { options, budget, cache } = ctx;
  // One deadline for the photo: every attempt, redirect and backoff wait comes out of it.
  const deadline = AbortSignal.timeout(options.downloadTimeout);
  const ends = performance.now() + options.downloadTimeout;
  const combined = signal ? AbortSignal.any([signal, deadline]) : deadline;
  const keyed = cache ? cacheRequest(url, headersFor(options.headers, url)) : null;
  let cached = cache && keyed ? await cache.lookup(keyed) : null;
  const mustRevalidate = options.revalidate?.includes(url.href) ?? false;
  if (cached && !mustRevalidate && cached.policy.satisfiesWithoutRevalidation(keyed!.policyRequest)) {
    const bytes = await cache!.read(keyed!, cached);
    if (bytes) return { bytes, origin: 'cache', attempts: 0, validators: validatorsOf(url, cached.policy.responseHeaders()) };
    cached = null; // missing or corrupt (and now deleted): a plain download
  }
  const conditional = cached ? revalidationHeaders(keyed!, cached) : {};

  let attempts = 0;
  for (;;) {
    attempts++;
    try {
      const response = await attempt(url, conditional, ctx, combined, deadline, signal);
      if (response.status === 304 && cached && cache && keyed) {
        const bytes = await cache.read(keyed, cached);
        if (bytes) {
          const { policy } = cached.policy.revalidatedPolicy(keyed.policyRequest, { status: 304, headers: response.headers });
          if (policy.storable() && !response.mixedCredentials) await cache.store(keyed, policy, bytes);
          else await cache.remove(keyed);
          return { bytes, origin: 'cache', attempts, validators: validatorsOf(url, policy.responseHeaders()) };
        }
        // The cached body vanished or was corrupt: fetch it in full (not a retry).
        Object.keys(conditional).forEach((k) => delete conditional[k]);
        attempts--;
        continue;
      }
      if (response.status === 304) throw new FinalError('HTTP 304 without a cached copy', 'E_HTTP_304');
      const bytes = response.bytes!;
      if (cache && keyed) {
        const policy = makePolicy(keyed, 200, response.headers);
        if (policy.storable() && !response.mixedCredentials) await cache.store(keyed, policy, bytes);
        else if (cached) await cache.remove(keyed);
      }
      return { bytes, origin: 'network', attempts, validators: validatorsOf(url, response.headers) };
    } catch (error) {
      if (signal?.aborted) {
        // The job's deadline is this photo's failure; any other abort is the caller's.
        if (signal.reason instanceof JobDeadlineError) throw new ImageError(src, signal.reason.message, { code: 'E_DEADLINE', cause: error, attempts });
        throw signal.reason;
      }
      const status = error instanceof StatusError ? error.status : undefined;
      const reason = () => (error instanceof StatusError || error instanceof FinalError ? error.message : networkReason(error, options));
      const code = failureCode(error);
      const retryable = error instanceof StatusError ? RETRY_STATUSES.has(error.status) : !(error instanceof FinalError) && isRetryableError(error);
      const wait = retryable ? retryDelay(attempts, options, error instanceof StatusError ? error.retryAfter : undefined) : 0;
      // A wait that would outlast the photo's deadline is not worth starting: fail with what happened.
      if (!retryable || attempts > options.retries || performance.now() + wait >= ends || !budget.take(url.host)) {
        if (isHostFailure(error)) budget.markDead(url.host);
        throw new ImageError(src, reason(), { code, cause: error, attempts, status });
      }
      try {
        await sleep(wait, combined);
      } catch (abort) {
        if (signal?.aborted) {
          if (signal.reason instanceof JobDeadlineError) throw new ImageError(src, signal.reason.message, { code: 'E_DEADLINE', cause: abort, attempts });
          throw signal.reason;
        }
        throw new ImageError(src, reason(), { code, cause: error, attempts, status });
      }
    }
  }
}

function revalidationHeaders(request: CacheRequest, entry: CachedEntry): Record<string, string> {
  const headers = entry.policy.revalidationHeaders(request.policyRequest);
  const out: Record<string, string> = {};
  for (const name of ['if-none-match', 'if-modified-since']) {
    const value = headers[name];
    if (typeof value === 'string') out[name] = value;
  }
  return out;
}

function sameHeaders(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => b[k] === a[k]);
}

/**
 * One attempt: follows redirects, returns a 200 with its body or a 304, throws otherwise.
 * `combined` aborts it (the caller's signal or the photo's `deadline`).
 */
async function attempt(start: URL, conditional: Record<string, string>, ctx: HttpContext, combined: AbortSignal, deadline: AbortSignal, signal?: AbortSignal): Promise<Response> {
  const { options, dispatcher } = ctx;
  // The host's turn (hosts.ts); the wait is part of the photo's deadline, like a backoff.
  let release = await ctx.hosts.acquire(start, combined);
  const visited = new Set<string>();
  const firstHeaders = headersFor(options.headers, start);
  let mixedCredentials = false;
  let url = start;
  let from: URL | undefined;
  try {
    for (let hop = 0; ; hop++) {
      visited.add(url.href);
      if (options.blockPrivateAddresses) checkLiteralHost(url.hostname, Number(url.port) || (url.protocol === 'https:' ? 443 : 80), options.allowAddress);
      const hopHeaders = headersFor(options.headers, url, from);
      if (Object.keys(hopHeaders).length > 0 && !sameHeaders(hopHeaders, firstHeaders)) mixedCredentials = true;
      const { statusCode, headers, body } = await exchange(dispatcher, url, { 'user-agent': USER_AGENT, accept: ACCEPT, ...conditional, ...hopHeaders }, combined);
      if (REDIRECTS.has(statusCode)) {
        body.drain();
        const location = headers.location;
        const target = typeof location === 'string' ? safeUrl(location, url) : null;
        if (!target) throw new FinalError(`HTTP ${statusCode} without a usable Location`, 'E_REDIRECT');
        if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new FinalError(`redirect to unsupported scheme ${target.protocol}`, 'E_REDIRECT');
        if (visited.has(target.href)) throw new FinalError(`redirect loop (${target.href} visited twice)`, 'E_REDIRECT');
        if (hop + 1 > options.maxRedirects) throw new FinalError(`too many redirects (more than ${options.maxRedirects})`, 'E_REDIRECT');
        from = url;
        url = target;
        release();
        release = await ctx.hosts.acquire(url, combined);
        continue;
      }
      if (statusCode === 304) {
        body.drain();
        return { status: 304, headers, bytes: null, url, mixedCredentials };
      }
      if (statusCode !== 200) {
        body.drain();
        throw new StatusError(statusCode, parseRetryAfter(headers['retry-after']));
      }
      const declared = Number(headers['content-length']);
      // An oversized body is refused unread, without a turn.
      const done = declared > options.maxBytes ? null : await ctx.turns.take(declared > 0 ? declared : UNKNOWN_LENGTH);
      let bytes: Buffer;
      try {
        bytes = await readCapped(body, declared, options.maxBytes, ctx.pool);
      } finally {
        done?.();
      }
      return { status: 200, headers, bytes, url, mixedCredentials };
    }
  } catch (error) {
    if (deadline.aborted && !signal?.aborted) {
      throw new PhotoTimeout(`download took longer than ${seconds(options.downloadTimeout)}`, { cause: error });
    }
    throw error;
  } finally {
    release();
  }
}

/** Reads the body, aborting as soon as it passes `maxBytes`: memory stays at most the cap. */
async function readCapped(body: ResponseBody, declared: number, maxBytes: number, pool: BufferPool | null): Promise<Buffer> {
  if (Number.isFinite(declared) && declared > maxBytes) {
    body.discard();
    throw new FinalError(`too large: ${formatBytes(declared)} exceeds the ${formatBytes(maxBytes)} limit`, 'E_TOO_LARGE');
  }
  // A body of known length goes straight into a reused buffer: no fresh pages, no concat.
  if (pool && Number.isInteger(declared) && declared > 0) return readInto(body, pool.take(declared), pool);
  return body.readAll(maxBytes, () => new FinalError(`too large: more than the ${formatBytes(maxBytes)} limit`, 'E_TOO_LARGE'));
}

/** Reads a body of declared length into `target` (from `pool`, given back if the body is not exactly that long). */
async function readInto(body: ResponseBody, target: Buffer, pool: BufferPool): Promise<Buffer> {
  try {
    // undici rejects a body that ends short of its Content-Length; readInto checks our own count too.
    return await body.readInto(target, () => new FinalError(`the server sent more than its Content-Length of ${target.length} bytes`, 'E_NETWORK'));
  } catch (error) {
    pool.give(target);
    throw error;
  }
}

/** Drops a body we will not read; its abort error must not surface as an unhandled 'error'. */
export function discard(body: { destroy(): unknown; on(event: 'error', listener: () => void): unknown }): void {
  body.on('error', () => {});
  body.destroy();
}

export function safeUrl(location: string, base: URL): URL | null {
  try {
    return new URL(location, base);
  } catch {
    return null;
  }
}

/** Failures that say the host is down or hanging: it gets no more retries in this job. */
const HOST_FAILURES = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'COLLAGE_PHOTO_TIMEOUT',
]);

function isHostFailure(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && HOST_FAILURES.has(code);
}

function seconds(ms: number): string {
  return `${+(ms / 1000).toFixed(3)} s`;
}

/** One short reason for a failed request, naming the timeout that fired where there was one. */
/** The ImageError code for a final download failure. */
function failureCode(error: unknown): ImageErrorCode {
  if (error instanceof StatusError) return `E_HTTP_${error.status}`;
  if (error instanceof FinalError) return error.failure;
  if (error instanceof BlockedAddressError || (error as { cause?: unknown })?.cause instanceof BlockedAddressError) return 'E_BLOCKED_ADDRESS';
  return TIMEOUT_CODES.has(errorCode(error) ?? '') ? 'E_TIMEOUT' : 'E_NETWORK';
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

export function networkReason(error: unknown, options: FetchOptions): string {
  if (error instanceof BlockedAddressError || (error as { cause?: unknown })?.cause instanceof BlockedAddressError) {
    return error instanceof BlockedAddressError ? error.message : (error as { cause: Error }).cause.message;
  }
  const code = errorCode(error);
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return `connect timeout (${seconds(options.connectTimeout)})`;
    case 'UND_ERR_HEADERS_TIMEOUT':
      return `no response within ${seconds(options.headersTimeout)}`;
    case 'UND_ERR_BODY_TIMEOUT':
      return `download stalled for ${seconds(options.bodyTimeout)}`;
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return 'connection closed by the server';
    case 'UND_ERR_ABORTED':
    case 'ABORT_ERR':
      return 'aborted';
    default: {
      const message = error instanceof Error ? error.message : String(error);
      return code ? `${message} (${code})` : message;
    }
  }
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(0)} kB`;
  return `${bytes} B`;
}
