import type { ImageSpec } from '../manifest/index.js';

export interface FetchOptions {
  /** Downloads in flight across all hosts. */
  concurrency: number;
  /** Connections per origin (keep-alive, reused). */
  perHost: number;
  /** ms to establish a TCP/TLS connection. */
  connectTimeout: number;
  /** ms from request sent to response headers. */
  headersTimeout: number;
  /** ms the body may go without receiving data. */
  bodyTimeout: number;
  /** Largest accepted image file, in bytes. */
  maxBytes: number;
  /** Redirects followed before giving up. */
  maxRedirects: number;
}

export const DEFAULT_FETCH_OPTIONS: FetchOptions = {
  concurrency: 16,
  perHost: 6,
  connectTimeout: 10_000,
  headersTimeout: 30_000,
  bodyTimeout: 30_000,
  maxBytes: 100 * 1024 * 1024,
  maxRedirects: 5,
};

export interface LoadedSource {
  bytes: Buffer;
  /** Where the bytes came from; `cache` is reserved for the download cache. */
  origin: 'network' | 'file' | 'cache';
}

/** Turns an image's location into its bytes. The seam where caching and retries plug in. */
export interface SourceLoader {
  load(image: ImageSpec, signal?: AbortSignal): Promise<LoadedSource>;
  close(): Promise<void>;
}
