/**
 * Bleed: the band outside the trim box that the print shop cuts away, and trim marks in it.
 *
 * The layout is computed on the trim box; the poster is trim + 2 × bleed, with the trim box at
 * (bleed, bleed). Each mode fills the band differently:
 *
 * - `extend`: a photo whose drawn rectangle touches a trim edge continues outward, at the same
 *   scale and position. Where the photo has pixels beyond its crop (a `cover` crop that cut them
 *   off) those real pixels are used; where the photo runs out, its own edge is mirrored outward
 *   (libvips `extend` with `mirror`). The trim area is pixel-identical to a render without bleed.
 *   Everything else in the band is background.
 * - `mirror`: the finished trim area's edge band is reflected outward: the pixel at distance d
 *   outside a trim edge equals the pixel at distance d inside it (what gallery-wrapped canvas uses).
 * - `color`: background only.
 */
import type { Box, CellSampling } from '../layout/index.js';
import type { BleedMode } from '../manifest/index.js';

/** Row access to a poster's packed RGB pixels (render/index.ts's Poster). */
export interface PosterRows {
  width: number;
  height: number;
  /** The buffer holding row `y`, its first pixel at `rowOffset(y)`. */
  rowData(y: number): Buffer;
  rowOffset(y: number): number;
}

export interface BleedSpec {
  /** px on every side. */
  size: number;
  mode: BleedMode;
}

/** Pixels to add on each side of a decoded cell by mirroring its own edge. */
export interface Pad {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

export interface BleedPlacement {
  sampling: CellSampling;
  pad: Pad;
  /** Where the (grown) bitmap goes on the poster. */
  x: number;
  y: number;
}

/** The trim box on a poster of `trimWidth × trimHeight` with `bleed` on every side. */
export function trimBox(trimWidth: number, trimHeight: number, bleed: number): Box {
  return { x: bleed, y: bleed, width: trimWidth, height: trimHeight };
}

/**
 * `extend` mode for one photo drawn at (`x`, `y`) on the poster with `sampling`: grows its
 * region outward by `bleed` on each side that lies on a trim edge, taking real pixels beyond
 * the crop first and mirroring the rest. Sides not on a trim edge are unchanged.
 */
export function extendPlacement(sampling: CellSampling, x: number, y: number, trim: Box, bleed: number): BleedPlacement {
  const { region, scaledWidth, scaledHeight } = sampling;
  const want: Pad = {
    left: x === trim.x ? bleed : 0,
    top: y === trim.y ? bleed : 0,
    right: x + region.width === trim.x + trim.width ? bleed : 0,
    bottom: y + region.height === trim.y + trim.height ? bleed : 0,
  };
  const take: Pad = {
    left: Math.min(want.left, region.left),
    top: Math.min(want.top, region.top),
    right: Math.min(want.right, scaledWidth - region.left - region.width),
    bottom: Math.min(want.bottom, scaledHeight - region.top - region.height),
  };
  return {
    sampling: {
      ...sampling,
      region: {
        left: region.left - take.left,
        top: region.top - take.top,
        width: region.width + take.left + take.right,
        height: region.height + take.top + take.bottom,
      },
    },
    pad: { left: want.left - take.left, top: want.top - take.top, right: want.right - take.right, bottom: want.bottom - take.bottom },
    x: x - want.left,
    y: y - want.top,
  };
}

/** Index `k` steps outward from an edge, reflected back into 0..n-1 (symmetric, repeating). */
function reflect(k: number, n: number): number {
  const m = k % (2 * n);
  return m < n ? m : 2 * n - 1 - m;
}

/**
 * `mirror` mode, the left and right bleed of rows `y0..y1` (clipped to the trim rows): each
 * row's own edge pixels reflected outward. Reads and writes only those rows.
 */
export function mirrorColumns(poster: PosterRows, bleed: number, y0: number, y1: number): void {
  if (bleed <= 0) return;
  const { width, height } = poster;
  const trimWidth = width - 2 * bleed;
  const right = bleed + trimWidth;
  for (let y = Math.max(y0, bleed); y < Math.min(y1, height - bleed); y++) {
    const pixels = poster.rowData(y);
    const row = poster.rowOffset(y);
    const copyPixel = (to: number, from: number) => {
      pixels[row + to] = pixels[row + from]!;
      pixels[row + to + 1] = pixels[row + from + 1]!;
      pixels[row + to + 2] = pixels[row + from + 2]!;
    };
    for (let k = 0; k < bleed; k++) {
      const inside = reflect(k, trimWidth);
      copyPixel((bleed - 1 - k) * 3, (bleed + inside) * 3);
      copyPixel((right + k) * 3, (right - 1 - inside) * 3);
    }
  }
}

/**
 * `mirror` mode: the trim row whose copy (after `mirrorColumns`, so the corners are mirrored
 * both ways) fills bleed row `y` above or below the trim box; null for a row inside it.
 */
export function mirrorSourceRow(height: number, bleed: number, y: number): number | null {
  const trimHeight = height - 2 * bleed;
  const bottom = bleed + trimHeight;
  if (y < bleed) return bleed + reflect(bleed - 1 - y, trimHeight);
  if (y >= bottom) return bottom - 1 - reflect(y - bottom, trimHeight);
  return null;
}

/** `mirror` mode, rows `y0..y1` of the top and bottom bleed: whole rows copied from `mirrorSourceRow`. */
export function mirrorRows(poster: PosterRows, bleed: number, y0: number, y1: number): void {
  if (bleed <= 0) return;
  const rowBytes = poster.width * 3;
  for (let y = y0; y < y1; y++) {
    const from = mirrorSourceRow(poster.height, bleed, y);
    if (from === null) continue;
    poster.rowData(from).copy(poster.rowData(y), poster.rowOffset(y), poster.rowOffset(from), poster.rowOffset(from) + rowBytes);
  }
}

export interface CropMarkGeometry {
  /** Line width, px (0.25 pt, at least 1 px). */
  lineWidth: number;
  /** Distance from the trim edge to where a mark starts, px. */
  offset: number;
  /** Length of each mark, px (at most 0.25 in, and never past the page edge). */
  length: number;
}

export function cropMarkGeometry(bleed: number, dpi: number): CropMarkGeometry {
  const lineWidth = Math.max(1, Math.round((dpi * 0.25) / 72));
  const offset = Math.min(bleed - 1, Math.max(1, Math.round(bleed / 4)));
  const length = Math.max(1, Math.min(bleed - offset, Math.round(dpi / 4)));
  return { lineWidth, offset, length };
}

/**
 * Eight trim marks, two per corner, on the trim lines' continuations, drawn in black in place on
 * the poster (on `rows` of it only, when given). Every mark pixel lies in the bleed (outside the
 * trim box), never on the artwork.
 */
export function drawCropMarks(poster: PosterRows, bleed: number, dpi: number, rows: { from: number; to: number } = { from: 0, to: poster.height }): void {
  if (bleed < 2) return;
  const { width, height } = poster;
  const { lineWidth, offset, length } = cropMarkGeometry(bleed, dpi);
  const fill = (x0: number, y0: number, w: number, h: number) => {
    for (let y = Math.max(rows.from, y0); y < Math.min(rows.to, height, y0 + h); y++) {
      const row = poster.rowOffset(y);
      poster.rowData(y).fill(0, row + Math.max(0, x0) * 3, row + Math.min(width, x0 + w) * 3);
    }
  };
  const half = Math.floor(lineWidth / 2);
  const left = bleed;
  const right = width - bleed; // the trim line between pixel right-1 and right
  const top = bleed;
  const bottom = height - bleed;
  // Vertical marks above and below the page, on the left and right trim lines.
  for (const x of [left, right]) {
    fill(x - half, top - offset - length, lineWidth, length);
    fill(x - half, bottom + offset, lineWidth, length);
  }
  // Horizontal marks left and right of the page, on the top and bottom trim lines.
  for (const y of [top, bottom]) {
    fill(left - offset - length, y - half, length, lineWidth);
    fill(right + offset, y - half, length, lineWidth);
  }
}
