/**
 * Baseline JPEG in bands of rows: each band is encoded on its own (in parallel, and while the
 * rest of the poster is still being drawn), then the bands are joined into one baseline JPEG
 * with restart markers.
 *
 * Why the result is one valid JPEG, and the same pixels as encoding the poster at once: with
 * standard Huffman tables and one quality, every band carries the same DQT and DHT segments and
 * the same 8×8 blocks (4:4:4, so an MCU is one block per component). A band's scan starts with
 * its DC predictions at zero and ends padded to a byte with 1-bits, which is exactly what a
 * restart marker means in the middle of a scan. So the bands' scans joined by RST0..7 markers,
 * under a DRI of one band's MCU count, are the scan of the whole image. Restart markers are
 * baseline JPEG (cameras write them); every decoder reads them.
 *
 * The header is ours: SOI, JFIF APP0 with the density, the sRGB ICC profile in APP2, tables,
 * SOF0 with the full height, DRI, SOS. No EXIF (libvips' would name a band's height; the JFIF
 * density is what print software reads).
 */
import sharp from 'sharp';
import { iccSegments, walkJpegSegments } from '../jpeg-markers.js';
import { jfifSegment } from './jfif.js';

/** A band as tall as this, in rows, when the restart interval allows it (~26 bands on a 36×24 in poster at 300 dpi). */
const TARGET_BAND_ROWS = 256;
const MCU = 8;
/** DRI holds a 16-bit MCU count. */
const MAX_RESTART_INTERVAL = 65_535;

export interface JpegBandOptions {
  quality: number;
}

/** Rows per band for a poster `width` px wide: a multiple of the MCU height whose MCU count fits in DRI. */
export function jpegBandRows(width: number): number {
  const mcusPerRow = Math.ceil(width / MCU);
  const mcuRows = Math.max(1, Math.min(TARGET_BAND_ROWS / MCU, Math.floor(MAX_RESTART_INTERVAL / mcusPerRow)));
  return mcuRows * MCU;
}

/** A band of `rows` rows of packed RGB `pixels`, `width` px wide, as a standalone baseline JPEG. */
export function encodeJpegBand(pixels: Buffer, width: number, rows: number, options: JpegBandOptions): Promise<Buffer> {
  // No profile here: the pixels are sRGB already, and the joined file carries the profile once
  // (sharp's withIccProfile would also run an sRGB → sRGB transform, ~200 ms CPU per poster).
  return sharp(pixels, { raw: { width, height: rows, channels: 3 }, limitInputPixels: false })
    .jpeg({
      quality: options.quality,
      // Baseline (photo labs refuse progressive) and 4:4:4 chroma: no colour bleeding at print size.
      progressive: false,
      chromaSubsampling: '4:4:4',
      mozjpeg: false,
      // Standard tables: optimised ones would differ per band (and cost ~3.5× the time, measured on 10800×7200).
      optimiseCoding: false,
      trellisQuantisation: false,
      overshootDeringing: false,
      optimiseScans: false,
    })
    .toBuffer();
}

interface ParsedBand {
  /** DQT and DHT segments, whole, in file order. */
  tables: Buffer[];
  sof: Buffer;
  sos: Buffer;
  /** Entropy-coded data, between SOS and EOI. */
  scan: Buffer;
}

function parseBand(jpeg: Buffer, index: number): ParsedBand {
  const fail = (why: string): never => {
    throw new Error(`JPEG band ${index}: ${why}`);
  };
  const band: Partial<ParsedBand> & { tables: Buffer[] } = { tables: [] };
  let unexpected: number | undefined;
  const wellFormed = walkJpegSegments(jpeg, (marker, segment) => {
    if (marker === 0xdb || marker === 0xc4) band.tables.push(segment);
    else if (marker === 0xc0) band.sof = segment;
    else if (marker === 0xda) band.sos = segment;
    else if ((marker >= 0xc1 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) || marker === 0xdd) unexpected = marker;
  });
  if (!wellFormed) fail('malformed marker segments');
  if (unexpected !== undefined) fail(`unexpected marker ${unexpected.toString(16)} (not a plain baseline JPEG)`);
  if (!band.sof || !band.sos) fail('no SOF0 or SOS');
  if (jpeg.readUInt16BE(jpeg.length - 2) !== 0xffd9) fail('no EOI at the end');
  // The entropy-coded data: from the end of the SOS segment to EOI.
  band.scan = jpeg.subarray(band.sos!.byteOffset - jpeg.byteOffset + band.sos!.length, jpeg.length - 2);
  // 3 components, each 1×1 sampled: one 8×8 block per component per MCU.
  const sof = band.sof!;
  if (sof[9] !== 3 || sof[11] !== 0x11 || sof[14] !== 0x11 || sof[17] !== 0x11) fail('not 4:4:4 YCbCr');
  return band as ParsedBand;
}

/**
 * Joins bands (top to bottom; all `bandRows` tall but the last) of one `width × height` poster,
 * each encoded by `encodeJpegBand` with the same options, into one baseline JPEG at `dpi`
 * tagged with the `icc` profile.
 */
export function joinJpegBands(bands: readonly Buffer[], width: number, height: number, bandRows: number, dpi: number, icc: Buffer): Buffer {
  return Buffer.concat(jpegFileParts(bands, width, height, bandRows, dpi, icc));
}

/** `joinJpegBands`'s file as the pieces it is made of, in order: written as they are (writev), they need no 13 MB copy. */
export function jpegFileParts(bands: readonly Buffer[], width: number, height: number, bandRows: number, dpi: number, icc: Buffer): Buffer[] {
  const parsed = bands.map(parseBand);
  const first = parsed[0]!;
  const tables = Buffer.concat(first.tables);
  parsed.forEach((band, i) => {
    // Same tables in every band, or the joined scan would not decode: a guard on our own assumption.
    if (!Buffer.concat(band.tables).equals(tables) || !band.sos.equals(first.sos)) throw new Error(`JPEG band ${i}: tables differ from band 0`);
    if (band.sof.readUInt16BE(7) !== width) throw new Error(`JPEG band ${i}: width ${band.sof.readUInt16BE(7)}, expected ${width}`);
  });
  const sof = Buffer.from(first.sof);
  sof.writeUInt16BE(height, 5);
  const parts: Buffer[] = [Buffer.from([0xff, 0xd8]), jfifSegment(dpi), ...iccSegments(icc)];
  // Tables before the frame header, as libjpeg writes them: DQT, SOF0, DHT.
  const dqt = first.tables.filter((s) => s[1] === 0xdb);
  const dht = first.tables.filter((s) => s[1] === 0xc4);
  parts.push(...dqt, sof, ...dht);
  if (parsed.length > 1) {
    const interval = Math.ceil(width / MCU) * (bandRows / MCU);
    const dri = Buffer.from([0xff, 0xdd, 0x00, 0x04, interval >> 8, interval & 0xff]);
    parts.push(dri);
  }
  parts.push(first.sos);
  parsed.forEach((band, i) => {
    if (i > 0) parts.push(Buffer.from([0xff, 0xd0 + ((i - 1) % 8)]));
    parts.push(band.scan);
  });
  parts.push(Buffer.from([0xff, 0xd9]));
  return parts;
}
