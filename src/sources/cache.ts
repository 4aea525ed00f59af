/**
 * The download cache: bodies in cacache (content-addressed, sha512 checked on every read,
 * atomic writes, safe for several processes sharing one folder), keyed by URL, with the
 * HTTP caching policy (http-cache-semantics) stored as the entry's metadata so a re-run can
 * skip fresh entries and revalidate stale ones with If-None-Match / If-Modified-Since.
 */
import os from 'node:os';
import path from 'node:path';
import type cacacheModule from 'cacache';
type Cacache = typeof cacacheModule;
import CachePolicy from 'http-cache-semantics';

const KEY_PREFIX = 'collage-http:v1:';

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

/** The request as http-cache-semantics sees it. Auth and per-host headers are not part of it. */
export function policyRequest(url: URL): CachePolicy.Request {
  return { url: url.href, method: 'GET', headers: { host: url.host, accept: 'image/*,*/*;q=0.5' } };
}

export function makePolicy(url: URL, status: number, headers: HttpHeaders): CachePolicy {
  // A private (single-user) cache: responses to requests with credentials may be kept.
  return new CachePolicy(policyRequest(url), { status, headers }, { shared: false });
}

export class DownloadCache {
  constructor(readonly dir: string) {}

  async lookup(url: URL): Promise<CachedEntry | null> {
    const cacache = await loadCacache();
    let info: cacacheModule.CacheObject | null;
    try {
      info = await cacache.get.info(this.dir, KEY_PREFIX + url.href);
    } catch {
      return null;
    }
    if (!info) return null;
    const meta = info.metadata as EntryMetadata | undefined;
    if (!meta?.policy) return null;
    try {
      return { policy: CachePolicy.fromObject(meta.policy), integrity: info.integrity, size: info.size ?? 0 };
    } catch {
      return null;
    }
  }

  /** The cached body, integrity-checked; null (and the entry dropped) when missing or corrupt. */
  async read(url: URL, entry: CachedEntry): Promise<Buffer | null> {
    const cacache = await loadCacache();
    try {
      return await cacache.get.byDigest(this.dir, entry.integrity);
    } catch {
      await this.remove(url);
      return null;
    }
  }

  async store(url: URL, policy: CachePolicy, bytes: Buffer): Promise<void> {
    const cacache = await loadCacache();
    const metadata: EntryMetadata = { url: url.href, policy: policy.toObject() };
    try {
      await cacache.put(this.dir, KEY_PREFIX + url.href, bytes, { metadata });
    } catch {
      // A cache that cannot be written (read-only, disk full) must not fail the build.
    }
  }

  async remove(url: URL): Promise<void> {
    const cacache = await loadCacache();
    await cacache.rm.entry(this.dir, KEY_PREFIX + url.href).catch(() => {});
  }
}

export interface CacheListing {
  url: string;
  size: number;
  time: number;
}

export async function listCache(dir: string): Promise<CacheListing[]> {
  const cacache = await loadCacache();
  const entries = await cacache.ls(dir).catch(() => ({}) as Record<string, cacacheModule.CacheObject>);
  return Object.values(entries)
    .filter((e) => e.key.startsWith(KEY_PREFIX))
    .map((e) => ({ url: e.key.slice(KEY_PREFIX.length), size: e.size ?? 0, time: e.time }))
    .sort((a, b) => a.url.localeCompare(b.url));
}

/** Removes every entry and its content; returns how many entries and bytes were freed. */
export async function cleanCache(dir: string): Promise<{ entries: number; bytes: number }> {
  const cacache = await loadCacache();
  const entries = await listCache(dir);
  await cacache.rm.all(dir).catch(() => {});
  return { entries: entries.length, bytes: entries.reduce((sum, e) => sum + e.size, 0) };
}
