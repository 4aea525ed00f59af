/**
 * Has a URL input changed since the last build? A conditional HEAD (If-None-Match /
 * If-Modified-Since) through the batch's shared connection pool: 304, or a 2xx with the same
 * ETag (else the same Last-Modified), means unchanged. A server that refuses HEAD (405/501)
 * is asked with a conditional GET whose body is dropped. Anything else counts as changed:
 * the job is rebuilt rather than trusted. Per-origin headers follow the loader's rules (that
 * origin only, never after a redirect from https to http).
 */
import { request, type Dispatcher } from 'undici';
import { checkLiteralHost } from '../sources/guard.js';
import { headersFor } from '../sources/headers.js';
import type { FetchOptions } from '../sources/index.js';

export interface UrlValidators {
  url: string;
  etag?: string;
  lastModified?: string;
}

export interface Revalidation {
  unchanged: boolean;
  /** One line: what the server said. */
  detail: string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export async function revalidateUrl(
  input: UrlValidators,
  /** `options.headers` normalised to origins (mergeHostHeaders). */
  ctx: { dispatcher: Dispatcher; options: FetchOptions; signal?: AbortSignal },
): Promise<Revalidation> {
  if (!input.etag && !input.lastModified) return { unchanged: false, detail: 'the server gave neither ETag nor Last-Modified' };
  const conditional: Record<string, string> = input.etag ? { 'if-none-match': input.etag } : { 'if-modified-since': input.lastModified! };
  const timeout = AbortSignal.timeout(ctx.options.connectTimeout + ctx.options.headersTimeout);
  const signal = ctx.signal ? AbortSignal.any([ctx.signal, timeout]) : timeout;
  let method: 'HEAD' | 'GET' = 'HEAD';
  let url = new URL(input.url);
  let from: URL | undefined;
  try {
    for (let hop = 0; ; ) {
      if (ctx.options.blockPrivateAddresses) checkLiteralHost(url.hostname, Number(url.port) || (url.protocol === 'https:' ? 443 : 80), ctx.options.allowAddress);
      const { statusCode, headers, body } = await request(url, {
        dispatcher: ctx.dispatcher,
        method,
        headers: { accept: 'image/*,*/*;q=0.5', ...conditional, ...headersFor(ctx.options.headers, url, from) },
        signal,
      });
      await body.dump().catch(() => {});
      if (REDIRECTS.has(statusCode) && typeof headers.location === 'string' && hop++ < ctx.options.maxRedirects) {
        from = url;
        url = new URL(headers.location, url);
        continue;
      }
      if ((statusCode === 405 || statusCode === 501) && method === 'HEAD') {
        method = 'GET';
        continue;
      }
      if (statusCode === 304) return { unchanged: true, detail: '304 Not Modified' };
      if (statusCode < 200 || statusCode > 299) return { unchanged: false, detail: `${method} answered HTTP ${statusCode}` };
      const etag = typeof headers.etag === 'string' ? headers.etag : undefined;
      const lastModified = typeof headers['last-modified'] === 'string' ? headers['last-modified'] : undefined;
      if (input.etag) {
        return etag === input.etag ? { unchanged: true, detail: 'same ETag' } : { unchanged: false, detail: `ETag ${input.etag} → ${etag ?? 'none'}` };
      }
      return lastModified === input.lastModified
        ? { unchanged: true, detail: 'same Last-Modified' }
        : { unchanged: false, detail: `Last-Modified ${input.lastModified} → ${lastModified ?? 'none'}` };
    }
  } catch (error) {
    ctx.signal?.throwIfAborted();
    return { unchanged: false, detail: `could not revalidate: ${error instanceof Error ? error.message : String(error)}` };
  }
}
