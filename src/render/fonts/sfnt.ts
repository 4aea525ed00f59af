/**
 * The tables of a font file: TrueType/OpenType (sfnt), the first face of a collection (TTC),
 * WOFF and WOFF2. Only what the caption fallback chain needs is read from them (`cmap` for the
 * characters a face draws, `name` for its family); the canvas engine does the rest.
 *
 * Font files come from manifests, so every offset is checked against the bytes and every
 * decompression is bounded.
 */
import { brotliDecompressSync, inflateSync } from 'node:zlib';

/** A font file this reader cannot use: not a font, or damaged. */
export class FontFormatError extends Error {
  override name = 'FontFormatError';
}

/** Largest decompressed font (a whole CJK font is ~20 MB; a collection ~80 MB). */
const MAX_FONT_BYTES = 256 * 1024 * 1024;

const TAG_SFNT_TRUETYPE = 0x00010000;
const TAG_OTTO = tag('OTTO');
const TAG_TRUE = tag('true');
const TAG_TTCF = tag('ttcf');
const TAG_WOFF = tag('wOFF');
const TAG_WOFF2 = tag('wOF2');

function tag(text: string): number {
  return ((text.charCodeAt(0) << 24) | (text.charCodeAt(1) << 16) | (text.charCodeAt(2) << 8) | text.charCodeAt(3)) >>> 0;
}

function tagText(value: number): string {
  return String.fromCharCode((value >>> 24) & 255, (value >>> 16) & 255, (value >>> 8) & 255, value & 255);
}

/** The kind of font file `bytes` is, from its first four bytes; null when it is none. */
export function fontFileKind(bytes: Uint8Array): 'sfnt' | 'ttc' | 'woff' | 'woff2' | null {
  if (bytes.length < 4) return null;
  const first = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0);
  if (first === TAG_SFNT_TRUETYPE || first === TAG_OTTO || first === TAG_TRUE) return 'sfnt';
  if (first === TAG_TTCF) return 'ttc';
  if (first === TAG_WOFF) return 'woff';
  if (first === TAG_WOFF2) return 'woff2';
  return null;
}

/** Reads big-endian numbers from `bytes`, throwing FontFormatError past its end. */
export class Reader {
  private readonly view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  get length(): number {
    return this.bytes.length;
  }
  private check(at: number, size: number): void {
    if (!(at >= 0 && at + size <= this.bytes.length)) throw new FontFormatError('the font file is truncated or damaged');
  }
  u8(at: number): number {
    this.check(at, 1);
    return this.view.getUint8(at);
  }
  u16(at: number): number {
    this.check(at, 2);
    return this.view.getUint16(at);
  }
  i16(at: number): number {
    this.check(at, 2);
    return this.view.getInt16(at);
  }
  u32(at: number): number {
    this.check(at, 4);
    return this.view.getUint32(at);
  }
  slice(at: number, size: number): Uint8Array {
    this.check(at, size);
    return this.bytes.subarray(at, at + size);
  }
}

/**
 * The tables named in `wanted` (e.g. `cmap`, `name`) of the font in `bytes` (of a collection,
 * its first face). A wanted table the font lacks is absent from the map.
 */
export function readFontTables(bytes: Uint8Array, wanted: readonly string[]): Map<string, Uint8Array> {
  const kind = fontFileKind(bytes);
  const reader = new Reader(bytes);
  switch (kind) {
    case 'sfnt':
      return sfntTables(reader, 0, wanted);
    case 'ttc':
      if (reader.u32(8) < 1) throw new FontFormatError('the font collection is empty');
      return sfntTables(reader, reader.u32(12), wanted);
    case 'woff':
      return woffTables(reader, wanted);
    case 'woff2':
      return woff2Tables(reader, wanted);
    default:
      throw new FontFormatError('not a font file (TrueType, OpenType, WOFF or WOFF2)');
  }
}

function sfntTables(reader: Reader, start: number, wanted: readonly string[]): Map<string, Uint8Array> {
  const found = new Map<string, Uint8Array>();
  const count = reader.u16(start + 4);
  for (let i = 0; i < count; i++) {
    const record = start + 12 + i * 16;
    const name = tagText(reader.u32(record));
    if (wanted.includes(name)) found.set(name, reader.slice(reader.u32(record + 8), reader.u32(record + 12)));
  }
  return found;
}

function woffTables(reader: Reader, wanted: readonly string[]): Map<string, Uint8Array> {
  const found = new Map<string, Uint8Array>();
  const count = reader.u16(12);
  for (let i = 0; i < count; i++) {
    const record = 44 + i * 20;
    const name = tagText(reader.u32(record));
    if (!wanted.includes(name)) continue;
    const offset = reader.u32(record + 4);
    const compressed = reader.u32(record + 8);
    const original = reader.u32(record + 12);
    const data = reader.slice(offset, compressed);
    if (compressed >= original) {
      found.set(name, data.subarray(0, original));
      continue;
    }
    if (original > MAX_FONT_BYTES) throw new FontFormatError('the font is too large');
    found.set(
      name,
      inflate(() => inflateSync(data, { maxOutputLength: original })),
    );
  }
  return found;
}

/** WOFF2's table tags by index (the spec's "known table tags"). */
const WOFF2_TAGS = (
  'cmap head hhea hmtx maxp name OS/2 post cvt  fpgm glyf loca prep CFF  VORG EBDT EBLC gasp hdmx kern LTSH PCLT VDMX vhea vmtx BASE GDEF GPOS GSUB ' +
  'EBSC JSTF MATH CBDT CBLC COLR CPAL SVG  sbix acnt avar bdat bloc bsln cvar fdsc feat fmtx fvar gvar hsty just lcar mort morx opbd prop trak Zapf ' +
  'Silf Glat Gloc Feat Sill'
)
  .match(/.{4} ?/g)!
  .map((t) => t.slice(0, 4));

function woff2Tables(reader: Reader, wanted: readonly string[]): Map<string, Uint8Array> {
  const count = reader.u16(12);
  const totalSfntSize = reader.u32(16);
  const compressedSize = reader.u32(20);
  let at = 48;
  // Each table's place in the decompressed stream: the tables follow each other in directory order.
  const tables: { name: string; offset: number; length: number }[] = [];
  let offset = 0;
  for (let i = 0; i < count; i++) {
    const flags = reader.u8(at++);
    let name: string;
    if ((flags & 63) === 63) {
      name = tagText(reader.u32(at));
      at += 4;
    } else {
      name = WOFF2_TAGS[flags & 63] ?? '????';
    }
    const original = base128(reader, at);
    at = original.next;
    const version = flags >> 6;
    // glyf and loca are transformed at version 0 (the default); other tables at any other version.
    const transformed = name === 'glyf' || name === 'loca' ? version === 0 : version !== 0;
    let length = original.value;
    if (transformed) {
      const transformedLength = base128(reader, at);
      at = transformedLength.next;
      length = transformedLength.value;
    }
    tables.push({ name, offset, length });
    offset += length;
  }
  if (reader.u32(4) === TAG_TTCF) at = skipCollectionDirectory(reader, at);
  const wantedTables = tables.filter((t) => wanted.includes(t.name));
  const found = new Map<string, Uint8Array>();
  if (wantedTables.length === 0) return found;
  if (offset > MAX_FONT_BYTES || totalSfntSize > MAX_FONT_BYTES) throw new FontFormatError('the font is too large');
  const stream = inflate(() => brotliDecompressSync(reader.slice(at, compressedSize), { maxOutputLength: Math.max(offset, 1) }));
  const data = new Reader(stream);
  for (const table of wantedTables) if (!found.has(table.name)) found.set(table.name, data.slice(table.offset, table.length));
  return found;
}

/** Skips a WOFF2 collection directory (its faces' table lists); returns where the data starts. */
function skipCollectionDirectory(reader: Reader, at: number): number {
  at += 4; // version
  const fonts = uint255(reader, at);
  at = fonts.next;
  for (let i = 0; i < fonts.value; i++) {
    const tables = uint255(reader, at);
    at = tables.next + 4; // flavor
    for (let j = 0; j < tables.value; j++) at = uint255(reader, at).next;
  }
  return at;
}

function base128(reader: Reader, at: number): { value: number; next: number } {
  let value = 0;
  for (let i = 0; i < 5; i++) {
    const byte = reader.u8(at + i);
    if (i === 0 && byte === 0x80) throw new FontFormatError('the font file is damaged (WOFF2 number with a leading zero)');
    if (value > 0x1ffffff) throw new FontFormatError('the font file is damaged (WOFF2 number too large)');
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) return { value, next: at + i + 1 };
  }
  throw new FontFormatError('the font file is damaged (WOFF2 number too long)');
}

function uint255(reader: Reader, at: number): { value: number; next: number } {
  const code = reader.u8(at);
  if (code === 253) return { value: reader.u16(at + 1), next: at + 3 };
  if (code === 255) return { value: reader.u8(at + 1) + 253, next: at + 2 };
  if (code === 254) return { value: reader.u8(at + 1) + 506, next: at + 2 };
  return { value: code, next: at + 1 };
}

function inflate(run: () => Buffer): Uint8Array {
  try {
    return run();
  } catch (error) {
    throw new FontFormatError(`the font file is damaged (${(error as Error).message})`);
  }
}
