/** JPEG marker segments shared by decode (CMYK photos) and output (the poster). */

/** `icc` as numbered APP2 "ICC_PROFILE" segments (marker included), split at the 64 kB segment limit. */
export function iccSegments(icc: Buffer): Buffer[] {
  const chunk = 65_535 - 2 - 14;
  const count = Math.ceil(icc.length / chunk);
  const segments: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const part = icc.subarray(i * chunk, (i + 1) * chunk);
    const head = Buffer.alloc(18);
    head.writeUInt16BE(0xffe2, 0);
    head.writeUInt16BE(2 + 14 + part.length, 2);
    head.write('ICC_PROFILE\0', 4, 'latin1');
    head[16] = i + 1;
    head[17] = count;
    segments.push(Buffer.concat([head, part]));
  }
  return segments;
}

/**
 * Walks the marker segments of a JPEG from SOI up to and including SOS, calling `visit` with
 * each marker, its whole segment (marker included) and its payload. Stops early when `visit`
 * returns true. False when the segments are not well formed.
 */
export function walkJpegSegments(jpeg: Buffer, visit: (marker: number, segment: Buffer, data: Buffer) => boolean | void): boolean {
  if (jpeg.length < 4 || jpeg[0] !== 0xff || jpeg[1] !== 0xd8) return false;
  let at = 2;
  while (at + 4 <= jpeg.length) {
    if (jpeg[at] !== 0xff) return false;
    const marker = jpeg[at + 1]!;
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      at += 2; // standalone markers
      continue;
    }
    if (marker === 0xd9) return true; // EOI before any scan
    const length = jpeg.readUInt16BE(at + 2);
    const end = at + 2 + length;
    if (length < 2 || end > jpeg.length) return false;
    if (visit(marker, jpeg.subarray(at, end), jpeg.subarray(at + 4, end)) || marker === 0xda) return true;
    at = end;
  }
  return true;
}
