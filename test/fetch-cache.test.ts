/** The disk cache: revalidation, freshness, no-store, integrity. Always a temp cache dir. */
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createSourceLoader, listCache, cleanCache, verifyCache, type FetchOptions } from '../src/sources/index.js';
import { solidImage } from './support/images.js';
import { startServer, type TestServer } from './support/server.js';
import { useTempDirs } from './support/files.js';
import { urlImage } from './sources/misbehaving.js';

const tempDir = useTempDirs();
const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** Serves one image with the given caching headers; answers conditional requests with 304. */
async function cachingServer(body: Buffer, headers: Record<string, string>) {
  const etag = `"${createHash('sha1').update(body).digest('hex')}"`;
  const server = await startServer((req, res) => {
    if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { etag, ...headers }).end();
    res.writeHead(200, { 'content-type': 'image/png', 'content-length': body.length, etag, ...headers }).end(body);
  });
  servers.push(server);
  return server;
}

async function loadOnce(url: string, options: Partial<FetchOptions>) {
  const loader = createSourceLoader(options);
  try {
    return await loader.load(urlImage(url));
  } finally {
    await loader.close();
  }
}

async function corruptContent(cacheDir: string): Promise<void> {
  for (const file of await readdir(path.join(cacheDir, 'content-v2'), { recursive: true, withFileTypes: true })) {
    if (file.isFile()) await writeFile(path.join(file.parentPath, file.name), 'garbage');
  }
}

describe('download cache', () => {
  it('revalidates with If-None-Match: a 304 costs no body and the bytes come from the cache', async () => {
    const png = await solidImage([10, 120, 200], 8, 8, 'png');
    const server = await cachingServer(png, { 'cache-control': 'no-cache' });
    const cacheDir = await tempDir();
    const first = await loadOnce(`${server.url}/a.png`, { cacheDir });
    expect(first.origin).toBe('network');
    const second = await loadOnce(`${server.url}/a.png`, { cacheDir });
    expect(second.origin).toBe('cache');
    expect(second.bytes.equals(png)).toBe(true);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]!.headers['if-none-match']).toMatch(/^"/);
  });

  it('a fresh entry (max-age) needs no request at all', async () => {
    const png = await solidImage([10, 120, 200], 8, 8, 'png');
    const server = await cachingServer(png, { 'cache-control': 'max-age=3600' });
    const cacheDir = await tempDir();
    await loadOnce(`${server.url}/a.png`, { cacheDir });
    const second = await loadOnce(`${server.url}/a.png`, { cacheDir });
    expect(second).toMatchObject({ origin: 'cache', attempts: 0 });
    expect(server.requests).toHaveLength(1);
  });

  it('honours Cache-Control: no-store', async () => {
    const png = await solidImage([10, 120, 200], 8, 8, 'png');
    const server = await cachingServer(png, { 'cache-control': 'no-store' });
    const cacheDir = await tempDir();
    await loadOnce(`${server.url}/a.png`, { cacheDir });
    const second = await loadOnce(`${server.url}/a.png`, { cacheDir });
    expect(second.origin).toBe('network');
    expect(server.requests[1]!.headers['if-none-match']).toBeUndefined();
    expect(await listCache(cacheDir)).toHaveLength(0);
  });

  it('a corrupted cache entry fails its integrity check, is deleted and replaced: the run after is a cache hit again', async () => {
    const png = await solidImage([10, 120, 200], 8, 8, 'png');
    const server = await cachingServer(png, { 'cache-control': 'max-age=3600' });
    const cacheDir = await tempDir();
    await loadOnce(`${server.url}/a.png`, { cacheDir });
    await corruptContent(cacheDir);
    const second = await loadOnce(`${server.url}/a.png`, { cacheDir });
    expect(second.origin).toBe('network');
    expect(second.bytes.equals(png)).toBe(true);
    expect(server.requests).toHaveLength(2);
    // Repaired: cacache keeps content it already has, so the corrupt file had to go first.
    const third = await loadOnce(`${server.url}/a.png`, { cacheDir });
    expect(third).toMatchObject({ origin: 'cache', attempts: 0 });
    expect(third.bytes.equals(png)).toBe(true);
    expect(server.requests).toHaveLength(2);
  });

  it('a corrupted body found on revalidation (304) is fetched in full and replaced', async () => {
    const png = await solidImage([10, 120, 200], 8, 8, 'png');
    const server = await cachingServer(png, { 'cache-control': 'no-cache' });
    const cacheDir = await tempDir();
    await loadOnce(`${server.url}/a.png`, { cacheDir });
    await corruptContent(cacheDir);
    const second = await loadOnce(`${server.url}/a.png`, { cacheDir });
    expect(second.bytes.equals(png)).toBe(true);
    const third = await loadOnce(`${server.url}/a.png`, { cacheDir });
    expect(third.origin).toBe('cache');
    // 200, 304 (body corrupt), 200 unconditional, then one 304 served from the repaired entry.
    expect(server.requests.map((r) => r.headers['if-none-match'] !== undefined)).toEqual([false, true, false, true]);
  });

  it('no heuristic freshness: Last-Modified a year old and no Cache-Control is revalidated on every run', async () => {
    const png = await solidImage([10, 120, 200], 8, 8, 'png');
    const server = await cachingServer(png, { 'last-modified': new Date(Date.now() - 365 * 86400_000).toUTCString() });
    const cacheDir = await tempDir();
    await loadOnce(`${server.url}/a.png`, { cacheDir });
    const second = await loadOnce(`${server.url}/a.png`, { cacheDir });
    expect(second).toMatchObject({ origin: 'cache', attempts: 1 });
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]!.headers['if-none-match']).toMatch(/^"/);
  });

  it('`revalidate` asks the server about a copy it called fresh (what batch passes for inputs it saw change)', async () => {
    const png = await solidImage([10, 120, 200], 8, 8, 'png');
    const server = await cachingServer(png, { 'cache-control': 'max-age=3600' });
    const cacheDir = await tempDir();
    const url = `${server.url}/a.png`;
    await loadOnce(url, { cacheDir });
    expect(await loadOnce(url, { cacheDir })).toMatchObject({ origin: 'cache', attempts: 0 });
    expect(await loadOnce(url, { cacheDir, revalidate: [url] })).toMatchObject({ origin: 'cache', attempts: 1 });
    expect(server.requests).toHaveLength(2);
  });

  it('Vary: * is never served without asking the server', async () => {
    const png = await solidImage([10, 120, 200], 8, 8, 'png');
    const server = await cachingServer(png, { 'cache-control': 'max-age=3600', vary: '*' });
    const cacheDir = await tempDir();
    await loadOnce(`${server.url}/a.png`, { cacheDir });
    await loadOnce(`${server.url}/a.png`, { cacheDir });
    expect(server.requests).toHaveLength(2);
  });

  it('verifyCache (collage cache verify) deletes corrupt content and the entries pointing at it', async () => {
    const png = await solidImage([10, 120, 200], 8, 8, 'png');
    const other = await solidImage([200, 120, 10], 8, 8, 'png');
    const server = await cachingServer(png, { 'cache-control': 'max-age=3600' });
    const second = await cachingServer(other, { 'cache-control': 'max-age=3600' });
    const cacheDir = await tempDir();
    await loadOnce(`${server.url}/a.png`, { cacheDir });
    await corruptContent(cacheDir);
    await loadOnce(`${second.url}/b.png`, { cacheDir });
    expect(await verifyCache(cacheDir)).toEqual({ entries: 1, bytes: other.length, corrupt: 1, unreferenced: 0, removedBytes: 'garbage'.length });
    expect((await listCache(cacheDir)).map((e) => e.url)).toEqual([`${second.url}/b.png`]);
    expect((await loadOnce(`${server.url}/a.png`, { cacheDir })).origin).toBe('network');
  });

  it('lists and cleans entries', async () => {
    const png = await solidImage([10, 120, 200], 8, 8, 'png');
    const server = await cachingServer(png, {});
    const cacheDir = await tempDir();
    await loadOnce(`${server.url}/a.png`, { cacheDir });
    await loadOnce(`${server.url}/b.png`, { cacheDir });
    const entries = await listCache(cacheDir);
    expect(entries.map((e) => e.url)).toEqual([`${server.url}/a.png`, `${server.url}/b.png`]);
    expect(entries[0]!.size).toBe(png.length);
    expect(await cleanCache(cacheDir)).toEqual({ entries: 2, bytes: 2 * png.length });
    expect(await listCache(cacheDir)).toEqual([]);
  });
});

describe('credentials and the cache', () => {
  it('a response fetched with per-origin headers is served only to the same headers; without any, the server is asked', async () => {
    const png = await solidImage([10, 120, 200], 8, 8, 'png');
    const server = await cachingServer(png, { 'cache-control': 'public, max-age=3600' });
    const cacheDir = await tempDir();
    const url = `${server.url}/a.png`;
    const withToken = (token: string) => ({ cacheDir, headers: { [server.url]: { Authorization: token } } });
    expect((await loadOnce(url, withToken('Bearer one'))).origin).toBe('network');
    expect(await loadOnce(url, withToken('Bearer one'))).toMatchObject({ origin: 'cache', attempts: 0 });
    expect((await loadOnce(url, withToken('Bearer two'))).origin).toBe('network');
    expect((await loadOnce(url, { cacheDir })).origin).toBe('network');
    expect(server.requests.map((r) => r.headers.authorization)).toEqual(['Bearer one', 'Bearer two', undefined]);
    // Three entries for one URL; no token in the index.
    const entries = await listCache(cacheDir);
    expect(entries.map((e) => e.private)).toEqual([false, true, true]);
    for (const file of await readdir(path.join(cacheDir, 'index-v5'), { recursive: true, withFileTypes: true })) {
      if (file.isFile()) expect(await readFile(path.join(file.parentPath, file.name), 'utf8')).not.toMatch(/Bearer|one|two/);
    }
  });

  it('Cache-Control: private without credentials is not stored in the shared cache', async () => {
    const png = await solidImage([10, 120, 200], 8, 8, 'png');
    const server = await cachingServer(png, { 'cache-control': 'private, max-age=3600' });
    const cacheDir = await tempDir();
    await loadOnce(`${server.url}/a.png`, { cacheDir });
    expect((await loadOnce(`${server.url}/a.png`, { cacheDir })).origin).toBe('network');
    expect(server.requests[1]!.headers['if-none-match']).toBeUndefined();
    expect(await listCache(cacheDir)).toEqual([]);
  });

  it("a redirect into another origin's credentials is not stored under the first URL", async () => {
    const png = await solidImage([10, 120, 200], 8, 8, 'png');
    const store = await cachingServer(png, { 'cache-control': 'public, max-age=3600' });
    const entry = await startServer((_req, res) => void res.writeHead(302, { location: `${store.url}/a.png` }).end());
    servers.push(entry);
    const cacheDir = await tempDir();
    // The entry URL needs no token, the store does: the bytes belong to the token, not to the entry URL.
    await loadOnce(`${entry.url}/a.png`, { cacheDir, headers: { [store.url]: { Authorization: 'Bearer one' } } });
    expect(await listCache(cacheDir)).toEqual([]);
    await loadOnce(`${entry.url}/a.png`, { cacheDir });
    expect(store.requests.map((r) => r.headers.authorization)).toEqual(['Bearer one', undefined]);
  });
});
