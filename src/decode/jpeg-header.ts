/**
 * A JPEG's header read in JavaScript from its marker segments: size, components, EXIF, ICC and
 * Adobe markers. Every photo's header is read before its decode; through libvips that is a
 * native call and a header parse per photo (~0.5 ms of CPU, about what fetching it costs the
 * main thread), where walking a few segments costs microseconds.
 */

export interface JpegHeader {
  width: number;
  height: number;
  /** 1 grey, 3 YCbCr/RGB, 4 CMYK/YCCK. */
  components: number;
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

/** The header, or null when the markers before the first scan are not well formed (let libvips judge). */
export function readJpegHeader(bytes: Buffer): JpegHeader | null {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
  const header: Partial<JpegHeader> & { icc: boolean; adobe: boolean } = { icc: false, adobe: false };
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return null;
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      at += 2; // standalone markers
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) break; // EOI, SOS: the header is over
    const length = bytes.readUInt16BE(at + 2);
    const end = at + 2 + length;
    if (length < 2 || end > bytes.length) return null;
    const data = bytes.subarray(at + 4, end);
    if (marker === 0xe1 && data.length > 6 && data.toString('latin1', 0, 6) === 'Exif\0\0') header.exif ??= data;
    else if (marker === 0xe2 && data.toString('latin1', 0, 12) === 'ICC_PROFILE\0') header.icc = true;
    else if (marker === 0xee && data.toString('latin1', 0, 5) === 'Adobe') header.adobe = true;
    else if (isFrameHeader(marker) && header.width === undefined) {
      if (data.length < 6) return null;
      header.height = data.readUInt16BE(1);
      header.width = data.readUInt16BE(3);
      header.components = data[5]!;
    }
    at = end;
  }
  if (!header.width || !header.height || !header.components) return null;
  return header as JpegHeader;
}
