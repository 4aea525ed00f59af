/**
 * Retry policy: which failures are worth another attempt, and how long to wait.
 * Exponential backoff with full jitter (AWS architecture blog): wait = random(0, min(max, base·2^n)).
 * A server's Retry-After (seconds or HTTP-date) replaces the jittered wait, capped.
 */

/** Statuses retried: timeouts, throttling and transient server errors. */
export const RETRY_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

/** Network error codes worth retrying (the server may be back in a moment). */
const RETRY_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
  // HTTP/2: a stream reset (REFUSED_STREAM, ENHANCE_YOUR_CALM from a busy server) or a session
  // that went away (GOAWAY): the request may be sent again.
  'ERR_HTTP2_STREAM_ERROR',
  'ERR_HTTP2_SESSION_ERROR',
  'ERR_HTTP2_GOAWAY_SESSION',
  'ERR_HTTP2_STREAM_CANCEL',
]);

export function errorCode(error: unknown): string | undefined {
  const e = error as { code?: string; cause?: { code?: string } } | undefined;
  return e?.code ?? e?.cause?.code;
}

export function isRetryableError(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && RETRY_CODES.has(code);
}

/** Milliseconds to wait from a Retry-After header value, or undefined if absent/unparseable. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

export interface BackoffOptions {
  /** Base delay in ms for the first retry. */
  retryBaseDelay: number;
  /** Largest jittered backoff, ms. */
  retryMaxDelay: number;
  /** Largest Retry-After honoured, ms (longer values are capped to this). */
  retryAfterMax: number;
}

/** Delay before retry number `retry` (1-based). */
export function retryDelay(retry: number, options: BackoffOptions, retryAfter?: number, random = Math.random): number {
  if (retryAfter !== undefined) return Math.min(retryAfter, options.retryAfterMax);
  const ceiling = Math.min(options.retryMaxDelay, options.retryBaseDelay * 2 ** (retry - 1));
  return Math.round(random() * ceiling);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * A per-job retry budget shared by all images of one build, so a dead host (or a host
 * answering 503 to everything) cannot cost minutes per image: once spent, failures are final.
 * Hosts that ended an image with a connection-level failure get no retries afterwards either.
 */
export class RetryBudget {
  private remaining: number;
  private readonly deadHosts = new Set<string>();
  constructor(total: number) {
    this.remaining = total;
  }
  /** Takes one retry from the budget; false when spent or the host is known dead. */
  take(host: string): boolean {
    if (this.deadHosts.has(host) || this.remaining <= 0) return false;
    this.remaining--;
    return true;
  }
  markDead(host: string): void {
    this.deadHosts.add(host);
  }
}
