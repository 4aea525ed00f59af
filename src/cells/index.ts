/**
 * The cell cache: each photo's pixels as drawn into its cell (decoded, oriented, converted to
 * sRGB, resampled, cropped; before any look), kept on disk so a rebuild decodes only the photos
 * whose cells changed. A photo-a-day poster that grows by one photo a night decodes one photo.
 * See key.ts for what a cell depends on, store.ts for the files, sources.ts for local photos
 * known without reading them.
 */
import path from 'node:path';
import * as v from 'valibot';
import { integer, optionsSchema } from '../options.js';
import { CellStore } from './store.js';
import { SourceHashes } from './sources.js';

import { bandKey } from './key.js';

export { bandRecipeKey, cellKey, sourceHash, type CellParameters } from './key.js';
export type { StoredCell } from './store.js';

/** Default size cap: ~20 posters of 1,000 photos at 36×24 in, 300 dpi. */
export const DEFAULT_CELL_CACHE_BYTES = 2 * 1024 ** 3;

export interface CellCacheOptions {
  /** The folder (made when first written). */
  dir: string;
  /** Size cap in bytes; least recently used cells go first. */
  maxBytes?: number;
  /**
   * A local photo is known by its size and times only once they are this old when it is read,
   * ms (default 2,000): a file changed within the same clock tick as it was read looks unchanged.
   */
  racyMs?: number;
}

export const CellCacheOptionsSchema = optionsSchema<CellCacheOptions>({
  dir: v.string('expected a folder path'),
  maxBytes: integer(1),
  racyMs: integer(0),
});

export class CellCache {
  readonly cells: CellStore;
  readonly sources: SourceHashes;

  constructor(readonly options: CellCacheOptions) {
    this.cells = new CellStore(path.join(options.dir, 'px'), options.maxBytes ?? DEFAULT_CELL_CACHE_BYTES);
    this.sources = new SourceHashes(path.join(options.dir, 'src'), options.racyMs);
  }

  /**
   * Encoded output bands by their pixels (output/stream.ts): a rebuild in which one photo
   * changed encodes the one or two bands it lies in, not the whole poster. Kept with the cells
   * (one cap, one LRU).
   */
  readonly bands = {
    lookup: (pixels: Uint8Array, params: string): { key: string; bytes: Buffer | null } => {
      const key = bandKey(pixels, params);
      return { key, bytes: this.cells.getBytes(key) };
    },
    find: (key: string): Buffer | null => this.cells.getBytes(key),
    store: (key: string, bytes: Buffer): void => this.cells.putBytes(key, bytes),
  };
}

const open = new Map<string, CellCache>();

/** One cache object per folder and cap in a process, so the jobs of a batch share what they have written. */
export function openCellCache(options: CellCacheOptions): CellCache {
  const id = `${path.resolve(options.dir)}\0${options.maxBytes ?? DEFAULT_CELL_CACHE_BYTES}\0${options.racyMs ?? ''}`;
  let cache = open.get(id);
  if (!cache) open.set(id, (cache = new CellCache(options)));
  return cache;
}
