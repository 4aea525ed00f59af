/**
 * Placing one photo in its cell: which box it fills (the cell, less a caption strip, or a look's
 * photo area), how the decoder samples it for that box (fit and focus), where the pixels land on
 * the poster, how far they grow into the bleed (`extend`), and the share a cover fit hides. Pure:
 * sizes in, numbers out; the images stage decodes and draws what this says.
 */
import { cellSampling, coverCropFraction, type Box, type CellSampling } from '../layout/index.js';
import type { Fit } from '../manifest/index.js';
import { extendPlacement, type Pad } from './bleed.js';
import type { LookPlan } from './looks.js';
import { photoBox } from './strips.js';

/** Bleed `extend`: photos on a trim edge continue into the bleed. */
export interface ExtendBleed {
  trim: Box;
  size: number;
}

export interface PhotoPlacement {
  /** What the photo is sampled for: the cell less its caption strip, or the look's photo area. */
  target: Box;
  /** How the upright photo is resampled and cut for `target`. */
  sampling: CellSampling;
  /** Its own edge mirrored outward into the bleed (`extend`), when it lies on a trim edge. */
  pad: Pad | undefined;
  /** Where the sampled (and padded) pixels go on the poster. */
  x: number;
  y: number;
  /** Share of the photo a cover fit hides (0 for contain). */
  crop: number;
}

/** The box a photo fills in `cell`: a look's photo area, else the cell above its caption strip. */
export function photoTarget(cell: Box, look: LookPlan | null, strip = 0): Box {
  return look?.photo ?? photoBox(cell, strip);
}

/**
 * Where a photo of `upright` size goes in `cell` (with its look and caption strip), fitted
 * `fit` around `focus`; with `extend`, a photo without a look that touches a trim edge grows
 * into the bleed (a cell with a look keeps its shape).
 */
export function placePhoto(
  upright: { width: number; height: number },
  photo: { fit: Fit; focus: readonly [number, number] },
  cell: Box,
  look: LookPlan | null,
  strip: number,
  extend: ExtendBleed | null,
): PhotoPlacement {
  const target = photoTarget(cell, look, strip);
  const sampling = cellSampling(upright.width, upright.height, target.width, target.height, photo.fit, photo.focus);
  const x = target.x + sampling.offset.x;
  const y = target.y + sampling.offset.y;
  const crop = photo.fit === 'cover' ? coverCropFraction(upright.width / upright.height, target.width, target.height) : 0;
  if (extend && !look) return { target, crop, ...extendPlacement(sampling, x, y, extend.trim, extend.size) };
  return { target, sampling, pad: undefined, x, y, crop };
}
