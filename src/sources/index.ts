/**
 * Stage 2, sources: bytes for each image, from the network, the download cache or the disk.
 * The per-host limit lives in the HTTP agent; the global limit is the pipeline's, which also
 * bounds decoding. One loader serves one job: its retry budget is shared by all its images.
 */
import pLimit from 'p-limit';
import { BufferPool } from '../buffers.js';
import { CollageError, ExitCode, ImageError } from '../errors.js';
import { hostLimitsFor } from './agent.js';
import { DownloadCache } from './cache.js';
import { createHttpDispatcher, downloadImage } from './http.js';
import { readImageFile } from './file.js';
import { mergeHostHeaders } from './headers.js';
import { downloadHead } from './range.js';
import { RetryBudget } from './retry.js';
import { ReadTurns } from './turns.js';
import { DEFAULT_FETCH_OPTIONS, type FetchOptions, type LoadedSource, type SourceLoader, type SourceRequest } from './types.js';

export { DEFAULT_FETCH_OPTIONS, FetchOptionsSchema, type FetchOptions, type InputValidators, type SourceLoader, type SourceRequest } from './types.js';
export { createHttpDispatcher } from './http.js';
export { formatBytes } from './http.js';
export { defaultCacheDir, listCache, cleanCache, verifyCache } from './cache.js';
export { parseHeadersEnv, mergeHostHeaders } from './headers.js';

/**
 * Bytes kept for reuse per loader: what the images in flight hold (32 × a 4 MB camera
 * original), not more.
 */
const POOL_LIMIT = 160 * 1024 * 1024;

/**
 * Body bytes read at once, and how long one keeps its turn (see turns.ts): two camera originals
 * at a time, 32 flickr-sized photos (one per HTTP/1.1 connection) all at once. (Bench, 120
 * originals of 3.7 MB, 3 interleaved runs: 6.51 s without turns, 6.35 s at 4 MB, 6.40 s at
 * 8 MB, within noise of each other; 8 MB keeps two bodies on a slow link's wire. Later, 4 runs:
 * 6.33 → 6.18 s.)
 */
const TURN_BYTES = 8 * 1024 * 1024;
const TURN_PATIENCE_MS = 100;

/** Local files read at once: reading is quick, and each read holds a whole file in memory. */
const FILE_READS = 16;

export function createSourceLoader(overrides: Partial<FetchOptions> = {}): SourceLoader {
  const options: FetchOptions = { ...DEFAULT_FETCH_OPTIONS, ...overrides };
  options.headers = mergeHostHeaders(options.headers);
  if (!(options.downloadTimeout > 0 && Number.isFinite(options.downloadTimeout))) {
    throw new CollageError(`fetch.downloadTimeout must be a positive number of milliseconds, not ${options.downloadTimeout}`, ExitCode.usage);
  }
  const shared = options.dispatcher;
  const dispatcher = shared ?? createHttpDispatcher(options);
  const pool = new BufferPool(POOL_LIMIT);
  const ctx = {
    dispatcher,
    options,
    budget: new RetryBudget(options.retryBudget),
    cache: options.cacheDir ? new DownloadCache(options.cacheDir) : null,
    pool,
    turns: new ReadTurns(TURN_BYTES, TURN_PATIENCE_MS),
    hosts: hostLimitsFor(dispatcher, options),
  };
  const reading = pLimit(FILE_READS);
  /** Hosts that ignored (or failed) a range request: whole downloads for the rest of the job. */
  const noRanges = new Set<string>();
  const loader: SourceLoader = {
    async load(image: SourceRequest, signal?: AbortSignal): Promise<LoadedSource> {
      signal?.throwIfAborted();
      if (image.location.kind === 'file') {
        if (options.blockPrivateAddresses && !image.fromCommandLine) {
          throw new ImageError(image.src, 'local files are refused with --block-private-addresses', { code: 'E_BLOCKED_FILE', attempts: 0 });
        }
        const path = image.location.path;
        const file = await reading(() => readImageFile(path, image.src, options.maxBytes, pool));
        const validators = { kind: 'file' as const, path: image.location.path, size: file.size, mtimeMs: file.mtimeMs };
        return { bytes: file.bytes, origin: 'file', attempts: 0, validators };
      }
      return downloadImage(image.location.url, image.src, ctx, signal);
    },
    async loadHead(image: SourceRequest, signal?: AbortSignal) {
      if (image.location.kind === 'file') return { bytes: (await loader.load(image, signal)).bytes, whole: true };
      signal?.throwIfAborted();
      return downloadHead(image.location.url, image.src, ctx, noRanges, signal);
    },
    release: (bytes) => pool.give(bytes),
    readFile: async (file) => (await readImageFile(file, file, Number.POSITIVE_INFINITY, pool)).bytes,
    close: () => {
      pool.clear();
      return shared ? Promise.resolve() : dispatcher.close();
    },
  };
  return loader;
}
