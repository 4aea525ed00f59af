/**
 * Stage 2, sources: bytes for each image, from the network or the disk. The per-host limit
 * lives in the HTTP agent; the global limit is the pipeline's, which also bounds decoding.
 */
import type { ImageSpec } from '../manifest/index.js';
import { createHttpDispatcher, downloadImage } from './http.js';
import { readImageFile } from './file.js';
import { DEFAULT_FETCH_OPTIONS, type FetchOptions, type LoadedSource, type SourceLoader } from './types.js';

export { DEFAULT_FETCH_OPTIONS, type FetchOptions, type LoadedSource, type SourceLoader } from './types.js';
export { formatBytes } from './http.js';

export function createSourceLoader(overrides: Partial<FetchOptions> = {}): SourceLoader {
  const options: FetchOptions = { ...DEFAULT_FETCH_OPTIONS, ...overrides };
  const dispatcher = createHttpDispatcher(options);
  return {
    async load(image: ImageSpec, signal?: AbortSignal): Promise<LoadedSource> {
      signal?.throwIfAborted();
      if (image.location.kind === 'file') {
        return { bytes: await readImageFile(image.location.path, image.src, options.maxBytes), origin: 'file' };
      }
      return { bytes: await downloadImage(image.location.url, image.src, dispatcher, options, signal), origin: 'network' };
    },
    close: () => dispatcher.close(),
  };
}
