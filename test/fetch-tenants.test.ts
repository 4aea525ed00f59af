/**
 * One download cache, many customers (a print shop's shared --cache-dir, one `batch` run): a
 * response fetched with one manifest's credentials never reaches another manifest, and a photo
 * replaced at the same URL always reaches the pixels. The built CLI against a real server.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchReport } from '../src/batch/index.js';
import { runCli } from './support/cli.js';
import { useTempDirs } from './support/files.js';
import { colorDistance, readPixels, solidImage, type Rgb } from './support/images.js';
import { startServer, type TestServer } from './support/server.js';

const tempDir = useTempDirs();
const RED: Rgb = [220, 20, 20];
const BLUE: Rgb = [20, 20, 220];
const TOKEN = 'Bearer tenant-a-7781';
const FAST = ['--retries', '0'];

/** Path → what is served there now; `version` makes a new ETag and Last-Modified on each replace. */
const photos = new Map<string, { bytes: Buffer; etag: string; lastModified: string; cacheControl?: string }>();
let version = 0;
let server: TestServer;

async function put(name: string, color: Rgb, cacheControl?: string): Promise<void> {
  version++;
  // A year-old Last-Modified: a heuristic (10 % of its age) would call the copy fresh for a month.
  const lastModified = new Date(Date.now() - 365 * 86400_000 + version * 1000).toUTCString();
  photos.set(`/${name}`, { bytes: await solidImage(color, 16, 16, 'png'), etag: `"v${version}"`, lastModified, ...(cacheControl && { cacheControl }) });
}

beforeAll(async () => {
  server = await startServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/private.png') {
      // A customer's private photo store: only tenant A's token opens it.
      if (req.headers.authorization !== TOKEN) return void res.writeHead(401, { 'www-authenticate': 'Bearer' }).end('sign in');
      return void serve(req, res, photos.get('/private.png')!);
    }
    const photo = photos.get(url.pathname);
    if (!photo) return void res.writeHead(404).end();
    serve(req, res, photo);
  });
});
afterAll(() => server.close());

function serve(
  req: import('node:http').IncomingMessage,
  res: import('node:http').ServerResponse,
  photo: { bytes: Buffer; etag: string; lastModified: string; cacheControl?: string },
): void {
  const headers = { etag: photo.etag, 'last-modified': photo.lastModified, ...(photo.cacheControl && { 'cache-control': photo.cacheControl }) };
  if (req.headers['if-none-match'] === photo.etag) return void res.writeHead(304, headers).end();
  res.writeHead(200, { ...headers, 'content-type': 'image/png', 'content-length': photo.bytes.length });
  res.end(req.method === 'HEAD' ? undefined : photo.bytes);
}

async function writeManifest(dir: string, name: string, image: string, extra: Record<string, unknown> = {}): Promise<string> {
  const file = path.join(dir, `${name}.json`);
  await writeFile(file, JSON.stringify({ output: `${name}.png`, size: { width: 40, height: 40 }, images: [`${server.url}${image}`], ...extra }));
  return file;
}

async function centre(file: string): Promise<Rgb> {
  const pixels = await readPixels(file);
  return pixels.at(20, 20);
}

describe('credentials and the shared cache', () => {
  it('build: a manifest without the token gets the 401, never the bytes fetched with it (private, max-age=3600)', async () => {
    await put('private.png', RED, 'private, max-age=3600');
    const dir = await tempDir();
    const cache = path.join(await tempDir(), 'cache');
    const a = await writeManifest(dir, 'a', '/private.png', { headers: { [server.url]: { Authorization: TOKEN } } });
    const b = await writeManifest(dir, 'b', '/private.png');

    const first = await runCli(['build', a, '--cache-dir', cache, ...FAST]);
    expect(first.code, first.stderr).toBe(0);
    expect(colorDistance(await centre(path.join(dir, 'a.png')), RED)).toBeLessThan(8);

    const before = server.requests.length;
    const second = await runCli(['build', b, '--cache-dir', cache, '--json', ...FAST]);
    expect(second.code).toBe(3);
    expect(JSON.parse(second.stdout).images.failed).toEqual([{ src: `${server.url}/private.png`, code: 'E_HTTP_401', reason: 'HTTP 401', attempts: 1, status: 401 }]);
    expect(second.stderr).toContain(`${server.url}/private.png: HTTP 401`);
    expect(existsSync(path.join(dir, 'b.png'))).toBe(false);
    // B asked the server itself, without A's token.
    expect(server.requests.slice(before).map((r) => r.headers.authorization)).toEqual([undefined]);

    // A again: its own entry, still fresh, no request; and the listing marks it private.
    const again = await runCli(['build', a, '--cache-dir', cache, '--json', ...FAST]);
    expect(JSON.parse(again.stdout).images).toMatchObject({ fetched: 0, cached: 1 });
    const ls = JSON.parse((await runCli(['cache', 'ls', '--cache-dir', cache, '--json'])).stdout);
    expect(ls.items.map((e: { url: string; private: boolean }) => [e.url, e.private])).toEqual([[`${server.url}/private.png`, true]]);
    expect(JSON.stringify(ls) + (await runCli(['cache', 'ls', '--cache-dir', cache])).stdout).not.toContain('tenant-a');
  });

  it('batch: inside one run with one cache, the manifest without the token fails with the 401', async () => {
    await put('private.png', RED, 'private, max-age=3600');
    const dir = await tempDir();
    const cache = path.join(await tempDir(), 'cache');
    await writeManifest(dir, 'a', '/private.png', { headers: { [server.url]: { Authorization: TOKEN } } });
    await writeManifest(dir, 'b', '/private.png');
    // One job at a time, a before b: b runs with a's response already in the cache.
    const result = await runCli(['batch', '.', '--jobs', '1', '--cache-dir', cache, '--json', ...FAST], { cwd: dir });
    expect(result.code).toBe(3);
    const report = JSON.parse(result.stdout) as BatchReport;
    expect(report.jobs.map((j) => [j.manifest, j.status])).toEqual([
      ['a.json', 'built'],
      ['b.json', 'failed'],
    ]);
    expect(report.jobs[1]!.images?.failed).toEqual([expect.objectContaining({ src: `${server.url}/private.png`, reason: 'HTTP 401', status: 401 })]);
    expect(existsSync(path.join(dir, 'b.png'))).toBe(false);
    expect(colorDistance(await centre(path.join(dir, 'a.png')), RED)).toBeLessThan(8);
  });
});

describe('a photo replaced at the same URL reaches the pixels', () => {
  it('build: ETag and Last-Modified change, no Cache-Control: the next build shows the new photo', async () => {
    await put('same.png', RED);
    const dir = await tempDir();
    const cache = path.join(await tempDir(), 'cache');
    const file = await writeManifest(dir, 'same', '/same.png');
    expect((await runCli(['build', file, '--cache-dir', cache, ...FAST])).code).toBe(0);
    expect(colorDistance(await centre(path.join(dir, 'same.png')), RED)).toBeLessThan(8);

    await put('same.png', BLUE);
    const before = server.requests.length;
    const second = await runCli(['build', file, '--cache-dir', cache, '--json', ...FAST]);
    expect(second.code, second.stderr).toBe(0);
    expect(colorDistance(await centre(path.join(dir, 'same.png')), BLUE)).toBeLessThan(8);
    // Revalidated, not trusted: a conditional GET with the old ETag.
    expect(server.requests.slice(before).map((r) => r.headers['if-none-match'])).toEqual([expect.stringMatching(/^"v\d+"$/)]);
  });

  it('batch: a change its conditional HEAD sees is rebuilt from the new bytes, even from a copy the server called fresh', async () => {
    await put('plain.png', RED);
    await put('fresh.png', RED, 'max-age=3600');
    const dir = await tempDir();
    await mkdir(path.join(dir, 'jobs'));
    const cache = path.join(await tempDir(), 'cache');
    await writeManifest(path.join(dir, 'jobs'), 'plain', '/plain.png');
    await writeManifest(path.join(dir, 'jobs'), 'fresh', '/fresh.png');
    const args = ['batch', 'jobs', '--cache-dir', cache, '--json', ...FAST];
    const first = JSON.parse((await runCli(args, { cwd: dir })).stdout) as BatchReport;
    expect(first.summary.built).toBe(2);

    await put('plain.png', BLUE);
    await put('fresh.png', BLUE, 'max-age=3600');
    const second = await runCli(args, { cwd: dir });
    const report = JSON.parse(second.stdout) as BatchReport;
    expect(report.jobs.map((j) => [j.manifest, j.status])).toEqual([
      [path.join('jobs', 'fresh.json'), 'built'],
      [path.join('jobs', 'plain.json'), 'built'],
    ]);
    for (const job of report.jobs) expect(job.reason).toMatch(/changed or unverifiable: ETag "v\d+" → "v\d+"$/);
    expect(colorDistance(await centre(path.join(dir, 'jobs', 'plain.png')), BLUE)).toBeLessThan(8);
    expect(colorDistance(await centre(path.join(dir, 'jobs', 'fresh.png')), BLUE)).toBeLessThan(8);
  });
});
