/** The disk cache: revalidation, freshness, no-store, integrity. Always a temp cache dir. */
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createSourceLoader, listCache, cleanCache, type FetchOptions } from '../src/sources/index.js';
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

  it('a corrupted cache entry fails its integrity check and is downloaded again', async () => {
    const png = await solidImage([10, 120, 200], 8, 8, 'png');
    const server = await cachingServer(png, { 'cache-control': 'max-age=3600' });
    const cacheDir = await tempDir();
    await loadOnce(`${server.url}/a.png`, { cacheDir });
    for (const file of await readdir(path.join(cacheDir, 'content-v2'), { recursive: true, withFileTypes: true })) {
      if (file.isFile()) await writeFile(path.join(file.parentPath, file.name), 'garbage');
    }
    const second = await loadOnce(`${server.url}/a.png`, { cacheDir });
    expect(second.origin).toBe('network');
    expect(second.bytes.equals(png)).toBe(true);
    expect(server.requests).toHaveLength(2);
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
