/** HTTP(S) downloads through undici: keep-alive pool per origin, timeouts, size cap. */
import { Agent, interceptors, request, type Dispatcher } from 'undici';
import { ImageError } from '../errors.js';
import type { FetchOptions } from './types.js';

const USER_AGENT = 'collage (+https://www.npmjs.com/package/collage)';

export function createHttpDispatcher(options: FetchOptions): Dispatcher {
  return new Agent({
    // Per-origin connection cap doubles as the per-host concurrency limit: requests
    // beyond it wait in the origin's queue and reuse kept-alive sockets.
    connections: options.perHost,
    connectTimeout: options.connectTimeout,
    headersTimeout: options.headersTimeout,
    bodyTimeout: options.bodyTimeout,
    keepAliveTimeout: 10_000,
  }).compose(interceptors.redirect({ maxRedirections: options.maxRedirects }));
}

export async function downloadImage(
  url: URL,
  src: string,
  dispatcher: Dispatcher,
  options: FetchOptions,
  signal?: AbortSignal,
): Promise<Buffer> {
  let response: Dispatcher.ResponseData;
  try {
    response = await request(url, {
      dispatcher,
      method: 'GET',
      headers: { 'user-agent': USER_AGENT, accept: 'image/*,*/*;q=0.5' },
      signal,
    });
  } catch (error) {
    throw new ImageError(src, networkReason(error, options), { cause: error });
  }
  const { statusCode, headers, body } = response;
  if (statusCode !== 200) {
    body.dump().catch(() => {});
    const redirect = statusCode >= 300 && statusCode < 400;
    throw new ImageError(src, redirect ? `HTTP ${statusCode}: more than ${options.maxRedirects} redirects` : `HTTP ${statusCode}`);
  }
  const declared = Number(headers['content-length']);
  if (Number.isFinite(declared) && declared > options.maxBytes) {
    body.destroy();
    throw new ImageError(src, `too large: ${formatBytes(declared)} exceeds the ${formatBytes(options.maxBytes)} limit`);
  }
  const chunks: Buffer[] = [];
  let received = 0;
  try {
    for await (const chunk of body) {
      received += (chunk as Buffer).length;
      if (received > options.maxBytes) {
        body.destroy();
        throw new ImageError(src, `too large: more than the ${formatBytes(options.maxBytes)} limit`);
      }
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    if (error instanceof ImageError) throw error;
    throw new ImageError(src, networkReason(error, options), { cause: error });
  }
  return Buffer.concat(chunks, received);
}

/** One short reason for a failed request, naming the timeout that fired where there was one. */
export function networkReason(error: unknown, options: FetchOptions): string {
  const code = (error as { code?: string }).code ?? (error as { cause?: { code?: string } }).cause?.code;
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return `connect timeout (${options.connectTimeout / 1000} s)`;
    case 'UND_ERR_HEADERS_TIMEOUT':
      return `no response within ${options.headersTimeout / 1000} s`;
    case 'UND_ERR_BODY_TIMEOUT':
      return `download stalled for ${options.bodyTimeout / 1000} s`;
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'connection closed by the server';
    case 'UND_ERR_ABORTED':
    case 'ABORT_ERR':
      return 'aborted';
    default: {
      const message = error instanceof Error ? error.message : String(error);
      return code ? `${message} (${code})` : message;
    }
  }
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(0)} kB`;
  return `${bytes} B`;
}
