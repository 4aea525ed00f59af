/**
 * What a cell's pixels depend on, as one key: the source's bytes (their SHA-256), the size of
 * the box the photo fills, how it fills it (fit, focus or "auto"), the bleed it continues into
 * (`extend`, for a cell on a trim edge), the page colour (under transparency), and the code that
 * decodes and resamples (collage's version, sharp's and libvips', Skia's, and CELL_REVISION).
 * Everything else about a photo's pixels (orientation, ICC profile, CMYK, the crop) follows from
 * those bytes.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import sharp from 'sharp';
import type { Rgba } from '../manifest/index.js';

/** Bump when decoding or resampling changes a cell's pixels without a version change above. */
export const CELL_REVISION = 1;

let versions: string | undefined;

function codeVersions(): string {
  if (versions === undefined) {
    const require = createRequire(import.meta.url);
    const version = (name: string) => {
      try {
        return (require(name) as { version: string }).version;
      } catch {
        return 'none';
      }
    };
    versions = JSON.stringify([CELL_REVISION, version('../../package.json'), sharp.versions, version('@napi-rs/canvas/package.json')]);
  }
  return versions;
}

export interface CellParameters {
  /** SHA-256 of the source's bytes, hex. */
  source: string;
  width: number;
  height: number;
  fit: 'cover' | 'contain';
  focus: readonly [number, number] | 'auto';
  /** Bleed `extend`: its size and which trim edges (left, top, right, bottom) the box lies on; null when the cell is not extended. */
  extend: { size: number; edges: readonly [boolean, boolean, boolean, boolean] } | null;
  background: Rgba;
}

export function cellKey(p: CellParameters): string {
  const material = JSON.stringify([codeVersions(), p.source, p.width, p.height, p.fit, p.focus, p.extend, [p.background.r, p.background.g, p.background.b]]);
  return createHash('sha256').update(material).digest('hex');
}

/**
 * An encoded band's key: its pixels, and everything else the encoder is given (`params`: format,
 * size, quality). The encoder (libjpeg-turbo through sharp) gives the same bytes for the same
 * pixels, so a band none of whose pixels changed is not encoded again. (~6 ms for a 9 MB band;
 * WebCrypto's digest, off the main thread, copies the band first: more page faults than it saves.)
 */
export function bandKey(pixels: Uint8Array, params: string): string {
  return createHash('sha256')
    .update(JSON.stringify([codeVersions(), 'band', params]))
    .update(pixels)
    .digest('hex');
}

export function sourceHash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * An encoded band's key from what is drawn into it rather than from its pixels: the page
 * (`page`: size, background, bleed, marks, encoder settings), the band's rows, and each cell that
 * reaches them or the rows its bleed mirrors (box, caption strip, cell key). A rebuild in which
 * none of these changed takes the band's bytes without reading a cell or drawing a pixel.
 */
export function bandRecipeKey(page: unknown, band: unknown, cells: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify([codeVersions(), 'band-recipe', page, band, cells]))
    .digest('hex');
}
