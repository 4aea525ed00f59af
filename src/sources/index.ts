/**
 * Stage 2, sources: bytes for each image, from the network, the download cache or the disk.
 * The per-host limit lives in the HTTP agent; the global limit is the pipeline's, which also
 * bounds decoding. One loader serves one job: its retry budget is shared by all its images.
 */
import { ImageError } from '../errors.js';
import type { ImageSpec } from '../manifest/index.js';
import { DownloadCache } from './cache.js';
import { createHttpDispatcher, downloadImage } from './http.js';
import { readImageFile } from './file.js';
import { RetryBudget } from './retry.js';
import { DEFAULT_FETCH_OPTIONS, type FetchOptions, type LoadedSource, type SourceLoader } from './types.js';

export { DEFAULT_FETCH_OPTIONS, type FetchOptions, type InputValidators, type LoadedSource, type SourceLoader } from './types.js';
export { createHttpDispatcher } from './http.js';
export { formatBytes } from './http.js';
export { defaultCacheDir, listCache, cleanCache, type CacheListing } from './cache.js';
export { parseHeadersEnv, mergeHostHeaders, type HostHeaders } from './headers.js';

export function createSourceLoader(overrides: Partial<FetchOptions> = {}): SourceLoader {
  const options: FetchOptions = { ...DEFAULT_FETCH_OPTIONS, ...overrides };
  const shared = options.dispatcher;
  const dispatcher = shared ?? createHttpDispatcher(options);
  const ctx = {
    dispatcher,
    options,
    budget: new RetryBudget(options.retryBudget),
    cache: options.cacheDir ? new DownloadCache(options.cacheDir) : null,
  };
  return {
    async load(image: ImageSpec, signal?: AbortSignal): Promise<LoadedSource> {
      signal?.throwIfAborted();
      if (image.location.kind === 'file') {
        if (options.blockPrivateAddresses) {
          throw new ImageError(image.src, 'local files are refused with --block-private-addresses', { attempts: 0 });
        }
        const file = await readImageFile(image.location.path, image.src, options.maxBytes);
        const validators = { kind: 'file' as const, path: image.location.path, size: file.size, mtimeMs: file.mtimeMs };
        return { bytes: file.bytes, origin: 'file', attempts: 0, validators };
      }
      return downloadImage(image.location.url, image.src, ctx, signal);
    },
    close: () => (shared ? Promise.resolve() : dispatcher.close()),
  };
}
