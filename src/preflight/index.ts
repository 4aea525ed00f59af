/**
 * Preflight: before anything is printed, every photo's effective resolution in its cell
 * (resolution.ts), resolution-aware layout weights (weights.ts), and what the reports say.
 * build(), plan() and proof() call it with the photos' upright sizes, read from their headers.
 */
import type { LowResolutionPhoto } from '../errors.js';
import { LayoutError, layoutPage, type Box, type ImageShape, type PageLayoutSpec } from '../layout/index.js';
import type { CollageSpec, ImageSpec } from '../manifest/index.js';
import { planLook } from '../render/looks.js';
import { checkResolution, type PlacedPhoto, type ResolutionCheck } from './resolution.js';
import { DEFAULT_FLOOR, resolutionAwareWeights } from './weights.js';

export { checkResolution, effectiveDpi, type PlacedPhoto, type ResolutionCheck } from './resolution.js';
export { resolutionAwareWeights, type WeightInput } from './weights.js';

/** An upright (EXIF-rotated) size by manifest index; undefined when the photo failed. */
export type SizeOf = (index: number) => { width: number; height: number } | undefined;

/** What `--json` and `plan` report about resolution. */
export interface ResolutionSummary {
  /** The threshold. */
  minDpi: number;
  /** Lowest and median effective dpi of the photos placed (null when none could be read). */
  min: number | null;
  median: number | null;
  /** `layout.resolutionAware`: photos that would be under minDpi without it, and how many fewer are. */
  resolutionAware?: { lowWithout: number; saved: number };
}

/** PRODUCT.md: no layout crops a photo more than layout.maxCrop, default 5 %. */
const DEFAULT_MAX_CROP = 0.05;

/**
 * The shapes a layout takes for `placed`: each photo's upright aspect (1 for one that failed)
 * and its manifest weight, resolution-aware when the layout asks for it.
 *
 * How a layout turns a weight into area is its own business (a justified row can only widen a
 * cell, which costs crop): the water-filled weights are tried at full strength and softened
 * (w^0.5, w^0.25), each laid out, and the one with the fewest photos under minDpi wins, among
 * those that crop no more than the plain layout or the layout's bound do. None better: plain.
 */
export function layoutShapes(spec: CollageSpec, placed: readonly ImageSpec[], sizeOf: SizeOf, aware = isResolutionAware(spec)): ImageShape[] {
  const sizes = placed.map((image) => sizeOf(image.index));
  const plain = placed.map((image, i) => {
    const size = sizes[i];
    return { aspect: size ? size.width / size.height : 1, weight: image.weight };
  });
  if (!aware || placed.length === 0) return plain;
  const content = { width: spec.width - 2 * spec.margin, height: spec.height - 2 * spec.margin };
  // The gaps' share of the page, for an average square cell.
  const side = Math.sqrt((content.width * content.height) / placed.length);
  const area = content.width * content.height * (side / (side + spec.gap)) ** 2;
  const maxCrop = (spec.layout as { maxCrop?: number }).maxCrop ?? DEFAULT_MAX_CROP;
  const weights = resolutionAwareWeights(
    plain.map((shape, i) => ({ weight: shape.weight, ...(sizes[i] && { pixels: sizes[i]!.width * sizes[i]!.height }) })),
    { area, dpi: spec.dpi, minDpi: spec.preflight.minDpi, floor: DEFAULT_FLOOR },
  );
  const tryShapes = (shapes: ImageShape[]) => {
    try {
      const page = layoutPage(awareLayout(spec), spec, placed.length, shapes);
      const low = assessResolution(spec, placed, page.boxes, sizeOf).low.length;
      const crop = Math.max(0, ...page.boxes.map((box) => ('crop' in box ? box.crop : 0)));
      return { shapes, low, crop, unfilled: page.unfilled };
    } catch (error) {
      if (error instanceof LayoutError) return null; // laid out (and reported) by the caller
      throw error;
    }
  };
  const base = tryShapes(plain);
  if (!base || base.low === 0) return plain;
  const bound = Math.max(base.crop, maxCrop) + 1e-3;
  let best = base;
  for (const shapes of awareCandidates(spec, plain, sizes, weights)) {
    const candidate = tryShapes(shapes);
    if (candidate && candidate.crop <= bound && candidate.unfilled <= base.unfilled + UNFILLED_ROOM && candidate.low < best.low) best = candidate;
  }
  return best.shapes;
}

/** How strongly resolution-aware weights are applied: tried in turn (1 = as water-filled). */
const AWARE_STRENGTHS = [1, 0.5, 0.25];
/** A resolution-aware page may leave at most this much more of the content box background than the plain one. */
const UNFILLED_ROOM = 0.002;

/**
 * The shapes tried for a resolution-aware layout. The mosaic turns weights into area at the
 * photos' own shapes: the water-filled weights, at full strength and softened. Justified rows and
 * masonry columns turn a weight into width, so crop: they are given instead each photo's `sharp`
 * size (its pixels at minDpi), and choose row breaks (justified) or pair a photo with a neighbour
 * in its column (masonry) to keep cells within it.
 */
function awareCandidates(
  spec: CollageSpec,
  plain: readonly ImageShape[],
  sizes: readonly ({ width: number; height: number } | undefined)[],
  weights: readonly number[],
): ImageShape[][] {
  if (spec.layout.type === 'mosaic') {
    return AWARE_STRENGTHS.map((strength) => plain.map((shape, i) => ({ ...shape, weight: shape.weight! * (weights[i]! / shape.weight!) ** strength })));
  }
  const scale = spec.dpi / spec.preflight.minDpi;
  return [plain.map((shape, i) => (sizes[i] ? { ...shape, sharp: { width: sizes[i]!.width * scale, height: sizes[i]!.height * scale } } : shape))];
}

export function isResolutionAware(spec: CollageSpec): boolean {
  return spec.layout.type !== 'grid' && 'resolutionAware' in spec.layout && spec.layout.resolutionAware === true;
}

/** The layout of a resolution-aware spec: never a grid, so never one whose cell aspect is still "auto". */
function awareLayout(spec: CollageSpec): PageLayoutSpec {
  if (spec.layout.type === 'grid') throw new Error('a grid is never resolution-aware');
  return spec.layout;
}

/** Checks `placed` in `cells` (on the output, bleed included: what is drawn). */
export function assessResolution(spec: CollageSpec, placed: readonly ImageSpec[], cells: readonly Box[], sizeOf: SizeOf): ResolutionCheck {
  const photos: PlacedPhoto[] = placed.map((image, j) => {
    const cell = cells[j]!;
    const size = sizeOf(image.index);
    return {
      index: image.index,
      src: image.src,
      fit: image.fit,
      cell,
      ...(image.look && { photo: planLook(cell, image.look).photo }),
      ...(size && { size }),
    };
  });
  return checkResolution(photos, spec.dpi, spec.preflight.minDpi);
}

/**
 * The summary for reports. With `layout.resolutionAware`, the page is also laid out without it
 * (a pure function of the same shapes) to count the photos it kept over the threshold.
 */
export function summarizeResolution(spec: CollageSpec, placed: readonly ImageSpec[], check: ResolutionCheck, sizeOf: SizeOf): ResolutionSummary {
  const summary: ResolutionSummary = { minDpi: check.minDpi, min: check.min, median: check.median };
  if (isResolutionAware(spec) && placed.length > 0) {
    const page = layoutPage(awareLayout(spec), spec, placed.length, layoutShapes(spec, placed, sizeOf, false));
    const cells = page.boxes.map((box) => ({ ...box, x: box.x + spec.bleed.size, y: box.y + spec.bleed.size }));
    const lowWithout = assessResolution(spec, placed, cells, sizeOf).low.length;
    summary.resolutionAware = { lowWithout, saved: lowWithout - check.low.length };
  }
  return summary;
}

export type { LowResolutionPhoto };
