/**
 * Every manifest default, in one place. The schema gives them to `v.optional(…, default)` (so
 * `collage schema` shows each as "default"), normalisation falls back to them, and the command's
 * option table (src/cli/options.ts) prints them in `--help` and the README: change one here and
 * all of them change.
 */
import { DEFAULT_MAX_CROP } from '../layout/bound.js';
import { DEFAULT_MAX_AREA_RATIO } from '../layout/mosaic.js';

export const MANIFEST_DEFAULTS = {
  /** JPEG and WebP quality. */
  quality: 92,
  /** size.dpi */
  dpi: 300,
  background: '#ffffff',
  margin: 0,
  gap: 0,
  /** bleed.mode */
  bleedMode: 'extend',
  cropMarks: false,
  /** layout.fit */
  fit: 'cover',
  /** layout.maxCrop, % */
  maxCrop: DEFAULT_MAX_CROP * 100,
  /** layout.maxAreaRatio (mosaic) */
  maxAreaRatio: DEFAULT_MAX_AREA_RATIO,
  /** The centre of the photo. */
  focus: [0.5, 0.5],
  order: 'manifest',
  /** Seed for order "shuffle" and the mosaic. */
  seed: 0,
  onError: 'fail',
  /** preflight.minDpi: the effective resolution under which a photo is reported (print shops hold orders under 150). */
  minDpi: 150,
  /** preflight.onLowRes */
  onLowRes: 'warn',
  /** layout.resolutionAware (justified, masonry, mosaic) */
  resolutionAware: false,
  /** Calendar: layout.arrange, layout.dateFrom, layout.weekStart */
  arrange: 'months',
  dateFrom: 'exif',
  weekStart: 'monday',
} as const;
