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
