/**
 * Per-host request headers (private photo stores need a token). From the manifest's
 * "headers" ({ "host": { "Header": "value" } }) and from COLLAGE_HTTP_HEADERS (same JSON),
 * the environment winning. Sent only to that exact host name, never printed.
 */
import { CollageError, ExitCode } from '../errors.js';

export type HostHeaders = Record<string, Record<string, string>>;

export function parseHeadersEnv(text: string | undefined): HostHeaders {
  if (!text) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CollageError('COLLAGE_HTTP_HEADERS is not valid JSON: expected {"host": {"Header": "value"}}', ExitCode.usage);
  }
  if (!isHostHeaders(value)) throw new CollageError('COLLAGE_HTTP_HEADERS must be {"host": {"Header": "value"}} with string values', ExitCode.usage);
  return value;
}

export function isHostHeaders(value: unknown): value is HostHeaders {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return Object.values(value).every(
    (h) => typeof h === 'object' && h !== null && !Array.isArray(h) && Object.values(h).every((x) => typeof x === 'string'),
  );
}

/** Lower-cases host names; later sources override earlier ones per header. */
export function mergeHostHeaders(...sources: (HostHeaders | undefined)[]): HostHeaders {
  const out: HostHeaders = {};
  for (const source of sources) {
    for (const [host, headers] of Object.entries(source ?? {})) {
      const key = host.toLowerCase();
      out[key] = { ...out[key], ...Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])) };
    }
  }
  return out;
}
