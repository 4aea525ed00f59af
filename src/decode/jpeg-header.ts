/**
 * A JPEG's header read in JavaScript from its marker segments: size, components, EXIF, ICC and
 * Adobe markers. Every photo's header is read before its decode; through libvips that is a
 * native call and a header parse per photo (~0.5 ms of CPU, about what fetching it costs the
 * main thread), where walking a few segments costs microseconds.
 */
import { walkJpegSegments } from '../jpeg-markers.js';

export interface JpegHeader {
  width: number;
  height: number;
  /** 1 grey, 3 YCbCr/RGB, 4 CMYK/YCCK. */
  components: number;
  /** Coded as a progressive (SOF2, SOF6, SOF10, SOF14) or lossless (SOF3, SOF7, SOF11, SOF15) frame, not sequential DCT. */
  coding: 'baseline' | 'progressive' | 'lossless';
  /**
   * Samples stored per pixel, all components together: 3 for 4:4:4, 1.5 for 4:2:0, 1 for grey
   * (each component's sampling factors over the largest).
   */
  samplesPerPixel: number;
  /** The APP1 "Exif" payload, as libvips reports it ("Exif\0\0" and the TIFF structure). */
  exif?: Buffer;
  /** An APP2 ICC_PROFILE segment is present. */
  icc: boolean;
  /** An APP14 "Adobe" segment is present (CMYK values stored inverted). */
  adobe: boolean;
}

/** Start-of-frame markers: every SOFn but DHT (C4), JPG (C8) and DAC (CC). */
function isFrameHeader(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

const PROGRESSIVE = new Set([0xc2, 0xc6, 0xca, 0xce]);
const LOSSLESS = new Set([0xc3, 0xc7, 0xcb, 0xcf]);

/** Σ (h × v) / (hmax × vmax) over the frame's components (3 bytes each after the 6-byte head). */
function samplesPerPixel(frame: Buffer): number {
  const factors: { h: number; v: number }[] = [];
  for (let i = 0, at = 6; i < frame[5]! && at + 2 < frame.length; i++, at += 3) {
    factors.push({ h: frame[at + 1]! >> 4 || 1, v: frame[at + 1]! & 15 || 1 });
  }
  if (factors.length === 0) return frame[5]!;
  const hmax = Math.max(...factors.map((f) => f.h));
  const vmax = Math.max(...factors.map((f) => f.v));
  return factors.reduce((sum, f) => sum + (f.h * f.v) / (hmax * vmax), 0);
}

/** The header, or null when the markers before the first scan are not well formed (let libvips judge). */
export function readJpegHeader(bytes: Buffer): JpegHeader | null {
  const header: Partial<JpegHeader> & { icc: boolean; adobe: boolean } = { icc: false, adobe: false };
  let frame = true;
  const wellFormed = walkJpegSegments(bytes, (marker, _segment, data) => {
    if (marker === 0xe1 && data.length > 6 && data.toString('latin1', 0, 6) === 'Exif\0\0') header.exif ??= data;
    else if (marker === 0xe2 && data.toString('latin1', 0, 12) === 'ICC_PROFILE\0') header.icc = true;
    else if (marker === 0xee && data.toString('latin1', 0, 5) === 'Adobe') header.adobe = true;
    else if (isFrameHeader(marker) && header.width === undefined) {
      if (data.length < 6) {
        frame = false;
        return true; // a truncated frame header: no need to read on
      }
      header.height = data.readUInt16BE(1);
      header.width = data.readUInt16BE(3);
      header.components = data[5]!;
      header.coding = PROGRESSIVE.has(marker) ? 'progressive' : LOSSLESS.has(marker) ? 'lossless' : 'baseline';
      header.samplesPerPixel = samplesPerPixel(data);
    }
  });
  if (!wellFormed || !frame || !header.width || !header.height || !header.components) return null;
  return header as JpegHeader;
}

/**
 * How many leading bytes of a JPEG hold every segment up to and including the start-of-scan
 * header (what readJpegHeader reads): at most `bytes.length` when they are all there, else
 * a lower bound on what to fetch. Null when the bytes are not a well-formed JPEG start.
 */
export function jpegHeadLength(bytes: Buffer): number | null {
  if (bytes.length < 2) return 4;
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
  let at = 2;
  for (;;) {
    if (at + 4 > bytes.length) return at + 4;
    if (bytes[at] !== 0xff) return null;
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at += 1;
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      at += 2;
      continue;
    }
    if (marker === 0xd9) return at + 2;
    const length = bytes.readUInt16BE(at + 2);
    if (length < 2) return null;
    const end = at + 2 + length;
    if (marker === 0xda) return end;
    at = end;
  }
}
