/** Reads print metadata straight from file bytes, independent of the code under test. */

export interface JpegSegment {
  marker: number;
  offset: number;
  data: Buffer;
}

/** Marker segments from SOI up to SOS. */
export function jpegSegments(jpeg: Buffer): JpegSegment[] {
  if (jpeg.readUInt16BE(0) !== 0xffd8) throw new Error('not a JPEG');
  const segments: JpegSegment[] = [];
  let offset = 2;
  while (offset < jpeg.length) {
    if (jpeg[offset] !== 0xff) throw new Error(`bad marker at ${offset}`);
    const marker = jpeg[offset + 1]!;
    const length = jpeg.readUInt16BE(offset + 2);
    segments.push({ marker, offset, data: jpeg.subarray(offset + 4, offset + 2 + length) });
    if (marker === 0xda) break;
    offset += 2 + length;
  }
  return segments;
}

export function readJfifDensity(jpeg: Buffer): { units: number; x: number; y: number } | null {
  const [first] = jpegSegments(jpeg);
  if (first?.marker !== 0xe0 || first.data.toString('latin1', 0, 5) !== 'JFIF\0') return null;
  return { units: first.data[7]!, x: first.data.readUInt16BE(8), y: first.data.readUInt16BE(10) };
}

export interface PngChunk {
  type: string;
  data: Buffer;
}

export function pngChunks(png: Buffer): PngChunk[] {
  if (png.toString('latin1', 1, 4) !== 'PNG') throw new Error('not a PNG');
  const chunks: PngChunk[] = [];
  let offset = 8;
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    chunks.push({ type, data: png.subarray(offset + 8, offset + 8 + length) });
    offset += 12 + length;
    if (type === 'IEND') break;
  }
  return chunks;
}

export function readPngDensity(png: Buffer): { unit: number; x: number; y: number } | null {
  const chunk = pngChunks(png).find((c) => c.type === 'pHYs');
  return chunk ? { x: chunk.data.readUInt32BE(0), y: chunk.data.readUInt32BE(4), unit: chunk.data[8]! } : null;
}
