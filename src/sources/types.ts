import type { Dispatcher } from 'undici';
import type { ImageSpec } from '../manifest/index.js';
import type { AddressAllow } from './guard.js';
import { callback, flag, headerMap, integer, nonNegative, objectWith, optionsSchema, positive, textOrNull, texts } from '../options.js';
import * as v from 'valibot';

export interface FetchOptions {
  /** Downloads in flight across all hosts. */
  concurrency: number;
  /** Requests at once per host over HTTP/1.1: one connection each (keep-alive, reused). */
  perHost: number;
  /** Requests at once per host over HTTP/2, as streams on one connection. */
  h2Streams: number;
  /** Never offer HTTP/2 (`--http1`): every host is spoken to in HTTP/1.1. */
  http1: boolean;
  /**
   * Certificates of the authorities to trust for HTTPS instead of Node's bundled ones (PEM), e.g.
   * an internal CA (the command reads NODE_EXTRA_CA_CERTS instead). Verification is never off.
   */
  ca?: string | Buffer | (string | Buffer)[];
  /** ms to establish a TCP/TLS connection. */
  connectTimeout: number;
  /** ms from request sent to response headers. */
  headersTimeout: number;
  /** ms the body may go without receiving data. */
  bodyTimeout: number;
  /**
   * ms one photo may take in all: every attempt, redirect and backoff wait (cuts off a server
   * trickling bytes just fast enough, and a retry loop on a hanging host).
   */
  downloadTimeout: number;
  /** Largest accepted image file, downloaded or local, in bytes (enforced while streaming). */
  maxBytes: number;
  /** Redirects followed before giving up. */
  maxRedirects: number;
  /** Retries per image after the first attempt. */
  retries: number;
  /** Backoff base, ms: retry n waits random(0, min(retryMaxDelay, base·2^(n-1))). */
  retryBaseDelay: number;
  /** Largest jittered backoff, ms. */
  retryMaxDelay: number;
  /** Largest Retry-After honoured, ms. */
  retryAfterMax: number;
  /** Retries shared by all images of one job; once spent, failures are final. */
  retryBudget: number;
  /** Download cache folder; null disables the cache. */
  cacheDir: string | null;
  /** Refuse loopback, link-local, private and unique-local addresses, and local files. */
  blockPrivateAddresses: boolean;
  /** Exceptions to blockPrivateAddresses (address, port). */
  allowAddress?: AddressAllow;
  /**
   * Extra request headers per origin (e.g. an Authorization token): keys "https://host[:port]",
   * "http://host[:port]" or a bare host (both schemes, default ports). Never logged; never
   * sent to another origin, nor after a redirect from https to http. A request with any of
   * them has its own cache entry.
   */
  headers: Record<string, Record<string, string>>;
  /**
   * URLs (href) whose cached copies must be revalidated with the server before use, however
   * fresh they claim to be: batch passes the inputs its conditional HEAD saw change.
   */
  revalidate?: readonly string[];
  /**
   * An HTTP dispatcher (undici Agent) to use instead of the loader's own, so several jobs
   * share one connection pool; the loader does not close it. Built with createHttpDispatcher().
   */
  dispatcher?: Dispatcher;
}

export const DEFAULT_FETCH_OPTIONS: FetchOptions = {
  // Enough to keep one HTTP/2 host's streams busy; an HTTP/1.1 host still gets `perHost` at a
  // time (sources/hosts.ts), and local files 16 (sources/index.ts).
  concurrency: 64,
  // Not the browsers' 6: a batch job fetching 1,000+ photos from a CDN at ~40 ms a response
  // would be bound by requests ÷ 6 × latency (7.3 s for 1,095; fetch-only 7.9 s at 6, 3.0 s
  // at 16). 32, not 16: each response also waits for the main thread, busy drawing, so under
  // load a request took ~110 ms, not 40, and 16 connections fed the decoders ~130 photos/s
  // where they take ~190 (traced); at 32 the downloads stay ahead (1,095 photos at 40 ms on a
  // busy 2-core machine, 5 interleaved rounds: 1.18 × the local-files wall at 16, 1.11 × at 32).
  perHost: 32,
  // Under every CDN's SETTINGS_MAX_CONCURRENT_STREAMS (100–256; nginx 128): undici would not
  // hold back streams a server refuses. At 100 ms a response, 64 keep 2 cores' decoders fed.
  h2Streams: 64,
  http1: false,
  connectTimeout: 10_000,
  headersTimeout: 30_000,
  bodyTimeout: 30_000,
  downloadTimeout: 120_000,
  maxBytes: 100 * 1024 * 1024,
  maxRedirects: 5,
  retries: 3,
  retryBaseDelay: 500,
  retryMaxDelay: 10_000,
  retryAfterMax: 30_000,
  retryBudget: 100,
  cacheDir: null,
  blockPrivateAddresses: false,
  headers: {},
};

/** `fetch` options as the library's entry points accept them (see options.ts). */
export const FetchOptionsSchema = optionsSchema<FetchOptions>({
  concurrency: integer(1),
  perHost: integer(1),
  h2Streams: integer(1),
  http1: flag,
  ca: v.optional(v.union([v.string(), v.instance(Buffer), v.array(v.union([v.string(), v.instance(Buffer)]))], 'expected PEM text, a Buffer or an array of them')),
  connectTimeout: positive('milliseconds'),
  headersTimeout: positive('milliseconds'),
  bodyTimeout: positive('milliseconds'),
  downloadTimeout: positive('milliseconds'),
  maxBytes: integer(1),
  maxRedirects: integer(0),
  retries: integer(0),
  retryBaseDelay: nonNegative('milliseconds'),
  retryMaxDelay: nonNegative('milliseconds'),
  retryAfterMax: nonNegative('milliseconds'),
  retryBudget: integer(0),
  cacheDir: textOrNull,
  blockPrivateAddresses: flag,
  allowAddress: callback,
  headers: headerMap,
  revalidate: texts,
  dispatcher: objectWith('dispatch', 'expected an undici Dispatcher (createHttpDispatcher())'),
});

export interface LoadedSource {
  bytes: Buffer;
  /** Where the bytes came from: `cache` includes bodies revalidated with a 304. */
  origin: 'network' | 'file' | 'cache';
  /** HTTP requests made (0 for files and fresh cache hits). */
  attempts: number;
  /** What identifies the version of the input that was used (for incremental batch runs). */
  validators?: InputValidators;
}

/** A local file's size and modified time, or a URL's ETag / Last-Modified as the server gave them. */
export type InputValidators = { kind: 'file'; path: string; size: number; mtimeMs: number } | { kind: 'url'; url: string; etag?: string; lastModified?: string };

/** What the loader fetches: an image, or another file a job needs (a font). */
export interface SourceRequest extends Pick<ImageSpec, 'src' | 'location'> {
  /** Named on the command line, not in the manifest: a local file is read even with blockPrivateAddresses. */
  fromCommandLine?: boolean;
}

/** Turns an image's location into its bytes. The seam where caching and retries plug in. */
export interface SourceLoader {
  load(image: ImageSpec | SourceRequest, signal?: AbortSignal): Promise<LoadedSource>;
  /**
   * Hands back bytes from `load` or `readFile` once nothing reads them any more (decoded,
   * spooled): their memory serves the next image. Optional; never call it twice for one buffer.
   */
  release(bytes: Buffer): void;
  /**
   * Enough of the image's first bytes to read its header (a Range request where the server takes
   * one), else the whole image; `release` it after. For `plan`, which needs sizes, not pixels.
   */
  loadHead(image: ImageSpec, signal?: AbortSignal): Promise<{ bytes: Buffer; whole: boolean }>;
  /** A whole local file (e.g. a spooled download) into a reused buffer; `release` it after. */
  readFile(file: string): Promise<Buffer>;
  close(): Promise<void>;
}
