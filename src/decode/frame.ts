/**
 * How each format's decoder holds pixels, read from the header bytes: whether it must keep the
 * whole stored frame (progressive JPEG, interlaced PNG, lossless WebP, GIF, AVIF, HEIC, BMP) or
 * streams rows, and whether it can shrink while loading. decode/memory.ts turns this into bytes.
 *
 * The factors are measured: `node scripts/decode-memory.mjs` decodes each input to a 400×300
 * cell in a child process and reports how far its peak RSS rose beyond the file's bytes (sharp
 * 0.35.5, libvips 8.18.7, sharp.concurrency() 1, on the 2-core VM; MB = 2^20 bytes):
 *
 * | input (stored size) | peak rise | per stored pixel | estimate |
 * | --- | --- | --- | --- |
 * | baseline JPEG 4:2:0, 12800×8600 | 7 MB | streams (shrink-on-load 8) | 22 MB |
 * | the same, EXIF orientation 6 | 14 MB | rotated after the shrink | 24 MB |
 * | progressive JPEG 4:2:0, 12800×8600 | 328 MB | 3.12 B (DCT coefficients: 2 B a sample) | 352 MB |
 * | progressive JPEG 4:4:4, 12800×8600 (a 1.2 MB file) | 637 MB | 6.07 B | 683 MB |
 * | PNG RGB, 8000×6000 / 16000×3000 | 43 / 80 MB | streams ~2,000 rows (width counts) | 64 / 111 MB |
 * | interlaced PNG RGB, 8000×6000 | 168 MB | 3.67 B (the frame, 3 B, and 20 %) | 228 MB |
 * | TIFF deflate, strips / 256² tiles, 8000×6000 | 45 / 43 MB | streams | 64 MB |
 * | WebP lossy (noise), 8000×6000 | 2 MB | streams (scaled decoding) | 17 MB |
 * | WebP lossless (noise), 8000×6000 | 184 MB | 4.01 B (the ARGB frame) | 200 MB |
 * | GIF, 8000×6000 | 244 MB | 5.34 B | 317 MB |
 * | AVIF (noise), 4000×3000 | 223 MB | 19.5 B | 277 MB |
 * | BMP (Skia), 6000×4000 | 300 MB | 13.1 B (three RGBA copies; 11.9 B at 12000×8000) | 361 MB |
 *
 * HEIC (heic-decode, WASM) was measured by hand on a 6000×4000 file from Debian's heif-enc:
 * 332 MB, 13.8 B a pixel. A single 30000×30000 deflate strip still streams (162 MB); before
 * oriented photos were cropped after resampling (decode/index.ts), the same TIFF with
 * orientation 6 held its whole frame (2.7 GB).
 */
import type { ImageFormat } from './sniff.js';
import type { JpegHeader } from './jpeg-header.js';

export interface DecodeFrame {
  /** Bytes per stored pixel the decoder keeps for the whole image while decoding (0: it streams rows). */
  wholeFrame: number;
  /** Bytes per pixel of a decoded row: a streaming load keeps a window of rows. */
  rowBytes: number;
  /** Rows decoded in one piece (a TIFF's tile height), when more than the usual window. */
  blockRows: number;
  /** Shrink-on-load: JPEG's DCT scaling by 2, 4 or 8; WebP's scaled decoding by any factor; or none. */
  shrink: 'jpeg' | 'scale' | 'none';
  /** For messages: "progressive JPEG", "interlaced PNG". */
  kind: string;
}

const STREAMED = { wholeFrame: 0, blockRows: 0 };

type JpegCoding = Pick<JpegHeader, 'components' | 'coding' | 'samplesPerPixel'>;

/** What decoding `bytes` holds, from its header; `jpeg` is its marker header when it was read. */
export function decodeFrame(format: ImageFormat, bytes: Buffer, jpeg?: JpegCoding | null): DecodeFrame {
  switch (format) {
    case 'jpeg':
      return jpegFrame(jpeg);
    case 'png':
      return pngFrame(bytes);
    case 'webp':
      return webpFrame(bytes);
    case 'tiff':
      return tiffFrame(bytes);
    case 'gif':
      return { wholeFrame: 5.2, rowBytes: 4, blockRows: 0, shrink: 'none', kind: 'GIF' };
    case 'avif':
      return { wholeFrame: 20, rowBytes: 4, blockRows: 0, shrink: 'none', kind: 'AVIF' };
    case 'heic':
      return { wholeFrame: 14, rowBytes: 4, blockRows: 0, shrink: 'none', kind: 'HEIC' };
    case 'bmp':
      return { wholeFrame: 13, rowBytes: 4, blockRows: 0, shrink: 'none', kind: 'BMP' };
  }
}

/**
 * A progressive JPEG keeps every DCT coefficient (2 bytes a sample) until its last scan, even
 * when it shrinks on load; a baseline one streams (and shrinks on load by up to 8). Without a marker header (libvips read it),
 * assume progressive 4:4:4 (or CMYK).
 */
function jpegFrame(jpeg: JpegCoding | null | undefined): DecodeFrame {
  const components = jpeg?.components ?? 4;
  const rowBytes = Math.max(3, components);
  // CMYK is resampled in a CMYK pipeline, which sharp never shrinks on load.
  const shrink = components === 4 ? 'none' : 'jpeg';
  if (!jpeg || jpeg.coding === 'progressive') {
    // 2 bytes a coefficient, and 5 % for blocks padded to whole MCUs and libjpeg's own buffers (measured 6.09 B at 4:4:4).
    return { wholeFrame: 2.1 * (jpeg?.samplesPerPixel ?? 4), rowBytes, blockRows: 0, shrink, kind: 'progressive JPEG' };
  }
  if (jpeg.coding === 'lossless') return { ...STREAMED, rowBytes, shrink: 'none', kind: 'lossless JPEG' };
  return { ...STREAMED, rowBytes, shrink, kind: components === 4 ? 'CMYK JPEG' : 'JPEG' };
}

/** IHDR: bit depth at 24, colour type at 25, interlace at 28. Palettes decode to RGB(A). */
function pngFrame(bytes: Buffer): DecodeFrame {
  const depth = bytes[24] === 16 ? 2 : 1;
  const colorType = bytes[25] ?? 6;
  const channels = colorType === 0 ? 1 : colorType === 4 ? 2 : colorType === 2 ? 3 : 4;
  const rowBytes = channels * depth;
  if (bytes[28] === 1) return { wholeFrame: rowBytes * 1.2, rowBytes, blockRows: 0, shrink: 'none', kind: 'interlaced PNG' };
  return { ...STREAMED, rowBytes, shrink: 'none', kind: 'PNG' };
}

/** Lossy WebP decodes scaled, row by row; lossless, alpha and animated WebP keep an ARGB frame. */
function webpFrame(bytes: Buffer): DecodeFrame {
  const first = bytes.toString('latin1', 12, 16);
  const flags = first === 'VP8X' ? (bytes[20] ?? 0xff) : 0;
  const alphaOrAnimated = (flags & 0x12) !== 0;
  if (first === 'VP8 ' || (first === 'VP8X' && !alphaOrAnimated && !hasChunk(bytes, 'VP8L'))) {
    return { ...STREAMED, rowBytes: 4, shrink: 'scale', kind: 'WebP' };
  }
  return { wholeFrame: 4, rowBytes: 4, blockRows: 0, shrink: 'scale', kind: first === 'VP8L' ? 'lossless WebP' : 'WebP' };
}

function hasChunk(bytes: Buffer, fourcc: string): boolean {
  for (let at = 12; at + 8 <= bytes.length; ) {
    if (bytes.toString('latin1', at, at + 4) === fourcc) return true;
    at += 8 + bytes.readUInt32LE(at + 4) + (bytes.readUInt32LE(at + 4) & 1);
  }
  return false;
}

const TIFF_TAGS = { bitsPerSample: 258, samplesPerPixel: 277, planar: 284, tileLength: 323 } as const;

/**
 * TIFF streams by strips or tiles (libvips reads even one huge deflate strip piecewise); a tiled
 * one holds a row of tiles, and planar (one plane after another) is assumed to need the frame.
 */
function tiffFrame(bytes: Buffer): DecodeFrame {
  const tags = readTiffTags(bytes, Object.values(TIFF_TAGS));
  const samples = Math.max(1, tags.get(TIFF_TAGS.samplesPerPixel) ?? 1);
  const depth = Math.max(1, Math.ceil((tags.get(TIFF_TAGS.bitsPerSample) ?? 8) / 8));
  const rowBytes = samples * depth;
  if (tags.get(TIFF_TAGS.planar) === 2) return { wholeFrame: rowBytes, rowBytes, blockRows: 0, shrink: 'none', kind: 'planar TIFF' };
  return { wholeFrame: 0, rowBytes, blockRows: tags.get(TIFF_TAGS.tileLength) ?? 0, shrink: 'none', kind: 'TIFF' };
}

/** The first value of each of `wanted` in the first IFD (SHORT or LONG); absent tags are left out. */
function readTiffTags(bytes: Buffer, wanted: readonly number[]): Map<number, number> {
  const found = new Map<number, number>();
  if (bytes.length < 8) return found;
  const little = bytes[0] === 0x49;
  const u16 = (at: number) => (little ? bytes.readUInt16LE(at) : bytes.readUInt16BE(at));
  const u32 = (at: number) => (little ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at));
  const ifd = u32(4);
  if (ifd + 2 > bytes.length) return found;
  const count = u16(ifd);
  for (let i = 0, at = ifd + 2; i < count && at + 12 <= bytes.length; i++, at += 12) {
    const tag = u16(at);
    if (!wanted.includes(tag)) continue;
    const type = u16(at + 2);
    const entryCount = u32(at + 4);
    // SHORT values sit in the entry when they fit (2 of them); else the entry holds an offset.
    if (type === 3) {
      const where = entryCount <= 2 ? at + 8 : u32(at + 8);
      if (where + 2 <= bytes.length) found.set(tag, u16(where));
    } else if (type === 4) {
      const where = entryCount <= 1 ? at + 8 : u32(at + 8);
      if (where + 4 <= bytes.length) found.set(tag, u32(where));
    }
  }
  return found;
}
