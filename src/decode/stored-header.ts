/**
 * An image header as the cell cache's source index kept it (cells/sources.ts), read back: the
 * index is a file on disk, so its shape is checked before a layout trusts it. Anything that does
 * not look like a header the decoder wrote is no header (the photo is read again).
 */
import * as v from 'valibot';
import type { ImageHeader } from './index.js';

const Size = v.pipe(v.number(), v.integer(), v.minValue(1));
const StoredHeader = v.object({
  format: v.picklist(['jpeg', 'png', 'gif', 'webp', 'avif', 'heic', 'tiff', 'bmp']),
  width: Size,
  height: Size,
  orientation: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(8)),
  taken: v.optional(v.pipe(v.number(), v.finite())),
  cmyk: v.optional(v.object({ adobe: v.boolean(), profile: v.boolean() })),
  frame: v.object({
    wholeFrame: v.pipe(v.number(), v.minValue(0)),
    rowBytes: v.pipe(v.number(), v.minValue(0)),
    blockRows: v.pipe(v.number(), v.minValue(0)),
    shrink: v.picklist(['jpeg', 'scale', 'none']),
    kind: v.string(),
  }),
});

export function storedHeader(value: unknown): ImageHeader | null {
  const parsed = v.safeParse(StoredHeader, value);
  return parsed.success ? parsed.output : null;
}
