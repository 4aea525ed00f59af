/**
 * Per-origin request headers (private photo stores need a token), from the manifest's
 * "headers" and from COLLAGE_HTTP_HEADERS (same JSON), the environment winning.
 *
 * Headers are bound to an origin (scheme, host, port), so a redirect to another port or scheme
 * never carries them. A key is an origin, "https://host[:port]" or "http://host[:port]", or a
 * bare "host", which means that host on the default ports, https://host (443) and http://host
 * (80), as keys meant before origins were spelled out. Whatever the key, headers never follow a
 * redirect from https to plain http. Values are never printed.
 */
import { CollageError, ExitCode } from '../errors.js';

/** As written: key → header name → value. */
export type HostHeaders = Record<string, Record<string, string>>;
/** Normalised: origin (`URL.origin`) → lower-case header name → value. */
export type OriginHeaders = Record<string, Record<string, string>>;

/**
 * Headers a manifest may not set: `Host` (it would send the request to another virtual host
 * than the URL names, past --block-private-addresses' view of it), and hop-by-hop and framing
 * headers, which belong to the connection and would desynchronise it (RFC 9110 §7.6.1).
 */
const REFUSED = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'content-length', 'expect']);

/** An HTTP field name (RFC 9110 token). */
export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Why a header name may not be set from a manifest, or null when it may. */
export function refusedHeaderName(name: string): string | null {
  if (!HEADER_NAME.test(name)) return `"${name}" is not a valid header name`;
  const lower = name.toLowerCase();
  if (REFUSED.has(lower) || lower.startsWith('proxy-')) {
    return `the ${name} header cannot be set: it ${lower === 'host' ? 'names the server, which the URL does' : 'belongs to the connection, not the request'}`;
  }
  return null;
}

/** Why a header value cannot be sent (line breaks would start a new header), or null. */
export function refusedHeaderValue(value: string): string | null {
  // eslint-disable-next-line no-control-regex
  return /[\r\n\0]/.test(value) ? 'a header value cannot contain line breaks or NUL' : null;
}

/** The origins a key stands for, or a reason it is not a valid key. */
export function originsOfKey(key: string): { origins: string[] } | { problem: string } {
  const schemed = /^[a-z][a-z0-9+.-]*:\/\//i.test(key);
  let url: URL;
  try {
    url = new URL(schemed ? key : `https://${key}`);
  } catch {
    return { problem: `"${key}" is neither a host name nor an origin such as "https://photos.example:8443"` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { problem: `"${key}": headers are only sent over http: and https:` };
  if (
    url.username ||
    url.password ||
    url.search ||
    url.hash ||
    (url.pathname !== '/' && url.pathname !== '') ||
    /[/?#@]/.test(schemed ? key.replace(/^[^:]+:\/\//, '').replace(/\/$/, '') : key)
  ) {
    return { problem: `"${key}" must be a host name or an origin (scheme, host, port), without a path or user` };
  }
  if (schemed) return { origins: [url.origin] };
  if (url.port) return { problem: `"${key}": a port needs its scheme, e.g. "https://${key}" or "http://${key}"` };
  return { origins: [url.origin, `http://${url.host}`] };
}

/** Every problem with a headers object, as [key, header name | null, message]. */
export function headersProblems(headers: HostHeaders): { key: string; name?: string; message: string }[] {
  const problems: { key: string; name?: string; message: string }[] = [];
  for (const [key, fields] of Object.entries(headers)) {
    const origins = originsOfKey(key);
    if ('problem' in origins) problems.push({ key, message: origins.problem });
    for (const [name, value] of Object.entries(fields)) {
      const why = refusedHeaderName(name) ?? refusedHeaderValue(value);
      if (why) problems.push({ key, name, message: why });
    }
  }
  return problems;
}

export function parseHeadersEnv(text: string | undefined): HostHeaders {
  if (!text) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CollageError('COLLAGE_HTTP_HEADERS is not valid JSON: expected {"host": {"Header": "value"}}', ExitCode.usage);
  }
  if (!isHostHeaders(value)) throw new CollageError('COLLAGE_HTTP_HEADERS must be {"host": {"Header": "value"}} with string values', ExitCode.usage);
  const [first] = headersProblems(value);
  if (first) throw new CollageError(`COLLAGE_HTTP_HEADERS: ${JSON.stringify(first.key)}${first.name ? `.${first.name}` : ''}: ${first.message}`, ExitCode.usage);
  return value;
}

export function isHostHeaders(value: unknown): value is HostHeaders {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return Object.values(value).every((h) => typeof h === 'object' && h !== null && !Array.isArray(h) && Object.values(h).every((x) => typeof x === 'string'));
}

/**
 * Normalises keys to origins and names to lower case; later sources override earlier ones per
 * header, and within one source an origin key overrides a bare host key. Throws (exit 2) on a
 * key or header that could not be sent (the manifest schema and parseHeadersEnv report these
 * with their place first; this guards the library's `fetch.headers`).
 */
export function mergeHostHeaders(...sources: (HostHeaders | undefined)[]): OriginHeaders {
  const out: OriginHeaders = {};
  for (const source of sources) {
    const [problem] = headersProblems(source ?? {});
    if (problem) throw new CollageError(`headers: ${JSON.stringify(problem.key)}${problem.name ? `.${problem.name}` : ''}: ${problem.message}`, ExitCode.usage);
    const entries = Object.entries(source ?? {}).map(([key, fields]) => ({ key, fields, origins: (originsOfKey(key) as { origins: string[] }).origins }));
    // Bare host keys first, so an origin spelled out in the same source wins.
    entries.sort((a, b) => Number(a.origins.length === 1) - Number(b.origins.length === 1));
    for (const { fields, origins } of entries) {
      const lower = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k.toLowerCase(), v]));
      for (const origin of origins) out[origin] = { ...out[origin], ...lower };
    }
  }
  return out;
}

/**
 * The headers to send to `url`: its origin's, except after a redirect from https to plain http
 * (`from`: the URL that redirected here), which gets none.
 */
export function headersFor(headers: OriginHeaders, url: URL, from?: URL): Record<string, string> {
  if (from?.protocol === 'https:' && url.protocol === 'http:') return {};
  return headers[url.origin] ?? {};
}
