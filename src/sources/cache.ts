/**
 * The download cache: bodies in cacache (content-addressed, sha512 checked on every read,
 * atomic writes, safe for several processes sharing one folder), with the HTTP caching policy
 * (http-cache-semantics) stored as the entry's metadata so a re-run can skip fresh entries and
 * revalidate stale ones with If-None-Match / If-Modified-Since.
 *
 * One folder serves many manifests (a print shop's customers), so an entry is keyed by the URL
 * and by the credentials the request carried:
 * - a request without per-origin headers uses the shared entry, under the rules of a shared
 *   cache (`private` responses are not stored; `s-maxage` counts);
 * - a request with per-origin headers (a token, a cookie, anything from "headers" or
 *   COLLAGE_HTTP_HEADERS) has its own entry, keyed by a SHA-256 of those headers (never the
 *   values themselves), under the rules of a private cache: only the same headers reach it.
 * Freshness is only what the server stated (max-age, s-maxage, Expires): no heuristic from
 * Last-Modified, so a photo replaced at the same URL is seen on the next run.
 */
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type cacacheModule from 'cacache';
type Cacache = typeof cacacheModule;
import CachePolicy from 'http-cache-semantics';

/** v2: keys carry the credential scope; policies carry no heuristic freshness. v1 entries are never read. */
const KEY_PREFIX = 'collage-http:v2:';
const SHARED_SCOPE = 'shared';
/** What the policy records for a credential header's value (the scope already tells credentials apart). */
const CREDENTIAL_PLACEHOLDER = '(credential)';

export const USER_AGENT = 'collage (+https://www.npmjs.com/package/collage)';
export const ACCEPT = 'image/*,*/*;q=0.5';

let loaded: Promise<Cacache> | undefined;

/** cacache, loaded on first use (~50 ms of start-up that a `--no-cache` run does not need). */
function loadCacache(): Promise<Cacache> {
  loaded ??= import('cacache').then((m) => (m.default ?? m) as Cacache);
  return loaded;
}

/** $XDG_CACHE_HOME/collage, else ~/.cache/collage. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  return xdg && path.isAbsolute(xdg) ? path.join(xdg, 'collage') : path.join(os.homedir(), '.cache', 'collage');
}

export type HttpHeaders = Record<string, string | string[] | undefined>;

interface EntryMetadata {
  url: string;
  policy: CachePolicy.CachePolicyObject;
}

export interface CachedEntry {
  policy: CachePolicy;
  integrity: string;
  size: number;
}

/** One URL as requested with one set of credentials: where its entry lives and how its policy sees it. */
export interface CacheRequest {
  url: URL;
  /** The cacache key: scope and URL. */
  key: string;
  /** No credentials: the entry serves every manifest, under shared-cache rules. */
  shared: boolean;
  /** The request as http-cache-semantics sees it (for Vary): credential values replaced by a placeholder. */
  policyRequest: CachePolicy.Request;
}

/**
 * `credentials`: the per-origin headers the request sends (lower-case names). The scope hash
 * covers the origin too, so one token for two hosts gives two unrelated scopes.
 */
export function cacheRequest(url: URL, credentials: Record<string, string>): CacheRequest {
  const names = Object.keys(credentials).sort();
  const shared = names.length === 0;
  const scope = shared ? SHARED_SCOPE : `private-${credentialHash(url.origin, credentials)}`;
  const headers: Record<string, string> = { host: url.host, 'user-agent': USER_AGENT, accept: ACCEPT };
  for (const name of names) headers[name] = CREDENTIAL_PLACEHOLDER;
  return { url, key: `${KEY_PREFIX}${scope}:${url.href}`, shared, policyRequest: { url: url.href, method: 'GET', headers } };
}

function credentialHash(origin: string, credentials: Record<string, string>): string {
  const hash = createHash('sha256').update(`collage cache credentials v1\n${origin}\n`);
  for (const name of Object.keys(credentials).sort()) hash.update(`${name}\n${credentials[name]}\n`);
  return hash.digest('hex');
}

export function makePolicy(request: CacheRequest, status: number, headers: HttpHeaders): CachePolicy {
  return new CachePolicy(
    request.policyRequest,
    { status, headers },
    {
      shared: request.shared,
      // Only freshness the server stated: a photo without it is revalidated on every run.
      cacheHeuristic: 0,
      immutableMinTimeToLive: 0,
    },
  );
}

export class DownloadCache {
  constructor(readonly dir: string) {}

  async lookup(request: CacheRequest): Promise<CachedEntry | null> {
    const cacache = await loadCacache();
    let info: cacacheModule.CacheObject | null;
    try {
      info = await cacache.get.info(this.dir, request.key);
    } catch {
      return null;
    }
    if (!info) return null;
    const meta = info.metadata as EntryMetadata | undefined;
    if (!meta?.policy || meta.url !== request.url.href) return null;
    try {
      return { policy: CachePolicy.fromObject(meta.policy), integrity: info.integrity, size: info.size ?? 0 };
    } catch {
      return null;
    }
  }

  /**
   * The cached body, integrity-checked; null when missing or corrupt. Corrupt content is
   * deleted with its entry: cacache never overwrites content it already has, so a body that
   * stayed on disk would fail every later read and the photo would be downloaded every run.
   */
  async read(request: CacheRequest, entry: CachedEntry): Promise<Buffer | null> {
    const cacache = await loadCacache();
    try {
      return await cacache.get.byDigest(this.dir, entry.integrity);
    } catch {
      await cacache.rm.content(this.dir, entry.integrity).catch(() => {});
      await this.remove(request);
      return null;
    }
  }

  async store(request: CacheRequest, policy: CachePolicy, bytes: Buffer): Promise<void> {
    const cacache = await loadCacache();
    const metadata: EntryMetadata = { url: request.url.href, policy: policy.toObject() };
    try {
      await cacache.put(this.dir, request.key, bytes, { metadata });
    } catch {
      // A cache that cannot be written (read-only, disk full) must not fail the build.
    }
  }

  async remove(request: CacheRequest): Promise<void> {
    const cacache = await loadCacache();
    await cacache.rm.entry(this.dir, request.key).catch(() => {});
  }
}

export interface CacheListing {
  url: string;
  /** Fetched with credentials (per-origin headers): served only to requests with the same ones. */
  private: boolean;
  size: number;
  time: number;
}

export async function listCache(dir: string): Promise<CacheListing[]> {
  const cacache = await loadCacache();
  const entries = await cacache.ls(dir).catch(() => ({}) as Record<string, cacacheModule.CacheObject>);
  return Object.values(entries)
    .filter((e) => e.key.startsWith(KEY_PREFIX))
    .map((e) => {
      const rest = e.key.slice(KEY_PREFIX.length);
      const colon = rest.indexOf(':');
      return { url: rest.slice(colon + 1), private: rest.slice(0, colon) !== SHARED_SCOPE, size: e.size ?? 0, time: e.time };
    })
    .sort((a, b) => a.url.localeCompare(b.url) || Number(a.private) - Number(b.private));
}

/** Removes every entry and its content (older cache versions' too); returns how many entries and bytes were freed. */
export async function cleanCache(dir: string): Promise<{ entries: number; bytes: number }> {
  const cacache = await loadCacache();
  const entries = Object.values(await cacache.ls(dir).catch(() => ({}) as Record<string, cacacheModule.CacheObject>));
  await cacache.rm.all(dir).catch(() => {});
  return { entries: entries.length, bytes: entries.reduce((sum, e) => sum + (e.size ?? 0), 0) };
}

export interface CacheVerification {
  /** Entries kept (content present and intact). */
  entries: number;
  bytes: number;
  /** Content files whose bytes no longer match their digest: deleted. */
  corrupt: number;
  /** Content no entry refers to (replaced photos, older cache versions): deleted. */
  unreferenced: number;
  /** Bytes deleted, corrupt and unreferenced. */
  removedBytes: number;
}

/**
 * cacache's own check of the whole folder: every content file hashed, corrupt and unreferenced
 * ones deleted, the index rebuilt without entries whose content is gone or that an older cache
 * version wrote. A read repairs the one entry it finds corrupt; this does them all (e.g. from cron).
 */
export async function verifyCache(dir: string): Promise<CacheVerification> {
  const cacache = await loadCacache();
  // `filter` is a function at run time (verify.js calls it per entry); @types/cacache types it as a string.
  const filter = (entry: cacacheModule.CacheObject) => entry.key.startsWith(KEY_PREFIX);
  const stats = (await cacache.verify(dir, { filter } as unknown as cacacheModule.verify.Options)) as unknown as Record<string, number>;
  return {
    entries: stats.verifiedContent ?? 0,
    bytes: stats.keptSize ?? 0,
    corrupt: stats.badContentCount ?? 0,
    // cacache counts corrupt content among the reclaimed.
    unreferenced: (stats.reclaimedCount ?? 0) - (stats.badContentCount ?? 0),
    removedBytes: stats.reclaimedSize ?? 0,
  };
}
