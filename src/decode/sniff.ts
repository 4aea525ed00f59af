/** Identifies image content by its first bytes, never by Content-Type or file name. */

export type ImageFormat = 'jpeg' | 'png' | 'gif' | 'webp' | 'avif' | 'heic' | 'tiff' | 'bmp';

export function sniffFormat(bytes: Uint8Array): ImageFormat | undefined {
  const ascii = (start: number, end: number) => String.fromCharCode(...bytes.subarray(start, end));
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (ascii(0, 8) === '\x89PNG\r\n\x1a\n') return 'png';
  if (ascii(0, 6) === 'GIF87a' || ascii(0, 6) === 'GIF89a') return 'gif';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  if (ascii(0, 4) === 'II*\0' || ascii(0, 4) === 'MM\0*') return 'tiff';
  if (ascii(0, 2) === 'BM' && bytes.length >= 26) return 'bmp';
  if (ascii(4, 8) === 'ftyp') {
    const brand = ascii(8, 12);
    if (brand === 'avif' || brand === 'avis') return 'avif';
    if (['heic', 'heix', 'hevc', 'heim', 'heis', 'mif1', 'msf1'].includes(brand)) return 'heic';
  }
  return undefined;
}

/** What the bytes look like when they are not an image, for the error message. */
export function describeNonImage(bytes: Uint8Array): string {
  if (bytes.length === 0) return 'empty file';
  const head = Buffer.from(bytes.subarray(0, 64)).toString('utf8').trimStart().toLowerCase();
  if (head.startsWith('<!doctype html') || head.startsWith('<html')) return 'not an image (got an HTML page)';
  if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('svg'))) return 'SVG is not supported; use a raster image';
  if (head.startsWith('{') || head.startsWith('[')) return 'not an image (got JSON)';
  return `not a supported image (starts with ${Buffer.from(bytes.subarray(0, 4)).toString('hex')})`;
}
