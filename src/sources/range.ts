/**
 * A photo's header with the least download, for `plan`: a `Range` request for the first 64 kB,
 * grown while a JPEG's segments before its first scan (EXIF, with its thumbnail; ICC; the frame
 * header) run past what came, up to 1 MB. PNG's size is in its first 33 bytes.
 *
 * Anything else takes the normal download (downloadImage: retries, the cache, the size cap and
 * its messages): a cached copy, a host that answered a range with the whole body (remembered
 * for the job), a failed or odd response, another format, a header past 1 MB.
 */
import { request } from 'undici';
import { jpegHeadLength } from '../decode/jpeg-header.js';
import { sniffFormat } from '../decode/sniff.js';
import { ACCEPT, USER_AGENT, cacheRequest } from './cache.js';
import { checkLiteralHost } from './guard.js';
import { headersFor } from './headers.js';
import { discard, downloadImage, safeUrl, type HttpContext } from './http.js';

/** First range: a phone or camera JPEG's EXIF block (thumbnail included) and frame header fit. */
const FIRST_RANGE = 64 * 1024;
/** Header bytes chased with ranges before the whole file is cheaper to take. */
const MAX_HEAD = 1024 * 1024;
const MAX_RANGES = 3;
/** PNG: signature and IHDR (width, height). */
const PNG_HEAD = 33;

export interface HeadBytes {
  bytes: Buffer;
  /** The whole file (from the normal download, or a range that covered it). */
  whole: boolean;
}

type RangeAnswer = { kind: 'part'; bytes: Buffer; total?: number } | { kind: 'whole-body' } | { kind: 'other' };

/**
 * The first bytes of the image at `url`, enough for its header. `noRanges` holds the hosts that
 * ignore ranges (or failed one): they get the normal download for the rest of the job.
 */
export async function downloadHead(url: URL, src: string, ctx: HttpContext, noRanges: Set<string>, signal?: AbortSignal): Promise<HeadBytes> {
  const whole = async (): Promise<HeadBytes> => ({ bytes: (await downloadImage(url, src, ctx, signal)).bytes, whole: true });
  if (noRanges.has(url.host)) return whole();
  // A cached copy (for these credentials) costs no body, or a 304: the normal path serves it.
  if (ctx.cache && (await ctx.cache.lookup(cacheRequest(url, headersFor(ctx.options.headers, url))))) return whole();
  let length = FIRST_RANGE;
  for (let tries = 0; tries < MAX_RANGES; tries++) {
    let answer: RangeAnswer;
    try {
      answer = await rangeRequest(url, length, ctx, signal);
    } catch {
      if (signal?.aborted) throw signal.reason;
      noRanges.add(url.host);
      return whole();
    }
    if (answer.kind === 'whole-body') noRanges.add(url.host);
    if (answer.kind !== 'part') return whole();
    const { bytes, total } = answer;
    if (total !== undefined && total > ctx.options.maxBytes) return whole(); // refused there, with its message
    if (total !== undefined && bytes.length >= total) return { bytes, whole: true };
    const format = sniffFormat(bytes);
    if (format === 'png' && bytes.length >= PNG_HEAD) return { bytes, whole: false };
    if (format !== 'jpeg') return whole();
    const need = jpegHeadLength(bytes);
    if (need === null || need > MAX_HEAD) return whole();
    if (need <= bytes.length) return { bytes, whole: false };
    length = Math.min(MAX_HEAD, need + 16 * 1024);
  }
  return whole();
}

/** One `Range: bytes=0-(length-1)` GET, redirects followed as the normal download does. */
async function rangeRequest(start: URL, length: number, ctx: HttpContext, signal?: AbortSignal): Promise<RangeAnswer> {
  const { options, dispatcher } = ctx;
  // A few kB: a server that takes longer than a response's headers would is left to the normal download.
  const deadline = AbortSignal.timeout(Math.min(options.downloadTimeout, options.headersTimeout));
  const combined = signal ? AbortSignal.any([signal, deadline]) : deadline;
  const visited = new Set<string>();
  let url = start;
  let from: URL | undefined;
  for (let hop = 0; ; hop++) {
    visited.add(url.href);
    if (options.blockPrivateAddresses) checkLiteralHost(url.hostname, Number(url.port) || (url.protocol === 'https:' ? 443 : 80), options.allowAddress);
    const { statusCode, headers, body } = await request(url, {
      dispatcher,
      method: 'GET',
      // The origin's own headers only, none after https → http (sources/headers.ts).
      headers: { 'user-agent': USER_AGENT, accept: ACCEPT, range: `bytes=0-${length - 1}`, ...headersFor(options.headers, url, from) },
      signal: combined,
    });
    if (statusCode >= 300 && statusCode < 400 && typeof headers.location === 'string') {
      discard(body);
      const target = safeUrl(headers.location, url);
      if (!target || (target.protocol !== 'http:' && target.protocol !== 'https:') || visited.has(target.href) || hop + 1 > options.maxRedirects) {
        return { kind: 'other' };
      }
      from = url;
      url = target;
      continue;
    }
    if (statusCode === 200) {
      discard(body);
      return { kind: 'whole-body' };
    }
    if (statusCode !== 206) {
      discard(body);
      return { kind: 'other' };
    }
    const total = /\/(\d+)\s*$/.exec(String(headers['content-range'] ?? ''))?.[1];
    return { kind: 'part', bytes: await readUpTo(body, length), ...(total !== undefined && { total: Number(total) }) };
  }
}

/** The body's first `length` bytes (a server may send more than asked: the rest is dropped). */
async function readUpTo(body: AsyncIterable<Buffer> & { destroy(): void; on(event: 'error', f: () => void): unknown }, length: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    received += chunk.length;
    if (received >= length) {
      discard(body);
      break;
    }
  }
  return Buffer.concat(chunks, Math.min(received, length));
}
