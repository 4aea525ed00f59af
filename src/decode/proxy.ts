/**
 * Proxies: a photo decoded while the rest of the job is still downloading, before its cell is
 * known, at the size that covers the cell the layout is expected to give it (as a cover fit
 * would scale it). A layout that needs every header first (the calendar) thus decodes while
 * downloads go on, as the grid does.
 *
 * The proxy is what decoding the photo for that cell gives before the cell's region is cut
 * out, so when the cell is as expected, the cell is cut from the proxy (a row copy) and its
 * pixels are those of a direct decode. A cell of another size is resampled from the proxy when
 * the proxy covers it, else decoded from the file.
 */
import sharp from 'sharp';
import type { CellSampling } from '../layout/index.js';
import { cellSampling } from '../layout/index.js';
import type { Rgba } from '../manifest/index.js';
import { decodeForCell, uprightSize, type Bitmap, type ImageHeader } from './index.js';

/** Proxies above this (packed RGB) are not made: the photo is decoded from its file when drawn. */
const MAX_PROXY_BYTES = 4 * 1024 * 1024;
/** A proxy may be enlarged this much for a cell a little larger than expected (not visible in print). */
const PROXY_STRETCH = 1.03;

/** The whole photo's size when it covers `cell` (cellSampling's, so it matches a direct decode), or null when too large to keep. */
export function proxySize(header: ImageHeader, cell: { width: number; height: number }): { width: number; height: number } | null {
  const upright = uprightSize(header);
  const { scaledWidth: width, scaledHeight: height } = cellSampling(upright.width, upright.height, cell.width, cell.height, 'cover', [0.5, 0.5]);
  return width * height * 3 <= MAX_PROXY_BYTES ? { width, height } : null;
}

/** The photo upright, in sRGB, on `background` where transparent, at `size`: decodeForCell for the whole photo. */
export function decodeProxy(bytes: Buffer, header: ImageHeader, size: { width: number; height: number }, background: Rgba, src: string): Promise<Bitmap> {
  const whole = { left: 0, top: 0, width: size.width, height: size.height };
  return decodeForCell(bytes, header, { scaledWidth: size.width, scaledHeight: size.height, region: whole, offset: { x: 0, y: 0 } }, background, src);
}

/** Whether a proxy of `proxy` size serves a cell for which the whole photo is scaled to `scaled`. */
export function proxyCovers(proxy: { width: number; height: number }, scaled: { width: number; height: number }): boolean {
  return scaled.width <= proxy.width * PROXY_STRETCH && scaled.height <= proxy.height * PROXY_STRETCH;
}

/** The cell's pixels from the proxy: cut out when it is the size the cell needs, else resampled first. */
export async function cellFromProxy(proxy: Bitmap, sampling: CellSampling): Promise<Bitmap> {
  const { scaledWidth, scaledHeight, region } = sampling;
  if (scaledWidth === proxy.width && scaledHeight === proxy.height) return cut(proxy, region);
  let pipeline = sharp(proxy.data, { raw: { width: proxy.width, height: proxy.height, channels: 3 } }).resize(scaledWidth, scaledHeight, { fit: 'fill', kernel: 'lanczos3' });
  if (region.width !== scaledWidth || region.height !== scaledHeight) pipeline = pipeline.extract(region);
  const { data, info } = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  if (info.width !== region.width || info.height !== region.height || info.channels !== 3) throw new Error(`proxy resample returned ${info.width}×${info.height}×${info.channels}`);
  return { data, width: info.width, height: info.height };
}

function cut(bitmap: Bitmap, region: CellSampling['region']): Bitmap {
  if (region.left === 0 && region.top === 0 && region.width === bitmap.width && region.height === bitmap.height) return bitmap;
  const data = Buffer.allocUnsafe(region.width * region.height * 3);
  for (let row = 0; row < region.height; row++) {
    const from = ((region.top + row) * bitmap.width + region.left) * 3;
    bitmap.data.copy(data, row * region.width * 3, from, from + region.width * 3);
  }
  return { data, width: region.width, height: region.height };
}
