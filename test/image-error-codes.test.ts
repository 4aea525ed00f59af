/**
 * ImageError.code: each real failure (a 404 server, a response held past the timeout, a body
 * over maxBytes, bytes that are no image, a missing file, a photo over maxPixels) carries its
 * stable code in the build report, in ImagesFailedError and in a batch job's result.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { batch, build, ImagesFailedError } from '../src/index.js';
import { useTempDirs } from './support/files.js';
import { rawImage, solidImage } from './support/images.js';
import { startServer, type TestServer } from './support/server.js';

const tempDir = useTempDirs();

/** Serves a photo, a big photo, HTML, a 404 and a response that never comes (until `close`). */
async function failingServer(): Promise<TestServer & { unhold: () => void }> {
  const photo = await solidImage([0, 160, 0], 20, 20);
  // Noise: does not compress, so well over 4 kB.
  const big = await rawImage(randomBytes(100 * 100 * 3), 100, 100, 'png');
  let unhold = () => {};
  const held = new Promise<void>((resolve) => (unhold = resolve));
  const server = await startServer(async (req, res) => {
    const route = new URL(req.url ?? '/', 'http://x').pathname;
    if (route === '/ok.jpg') res.writeHead(200, { 'content-type': 'image/jpeg' }).end(photo);
    else if (route === '/big.png') res.writeHead(200, { 'content-type': 'image/png' }).end(big);
    else if (route === '/page.jpg') res.writeHead(200, { 'content-type': 'image/jpeg' }).end('<!doctype html><html><body>Sign in</body></html>');
    else if (route === '/held.jpg') {
      // Headers never sent while the test runs: the client's headers timeout fires first.
      await held;
      res.writeHead(200).end(photo);
    } else res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  return { ...server, unhold, close: () => (unhold(), server.close()) };
}

const failingManifest = (url: string, dir: string) => ({
  size: { width: 60, height: 40 },
  output: path.join(dir, 'out.png'),
  layout: { type: 'grid', columns: 3 },
  onError: 'placeholder',
  images: [`${url}/ok.jpg`, `${url}/gone.jpg`, `${url}/held.jpg`, `${url}/big.png`, `${url}/page.jpg`, path.join(dir, 'missing.jpg')],
});

describe('ImageError codes', () => {
  it('a 404, a held response, a body over maxBytes, non-image bytes and a missing file each have their code', async () => {
    const dir = await tempDir();
    const server = await failingServer();
    try {
      const report = await build(failingManifest(server.url, dir), {
        fetch: { headersTimeout: 200, retries: 0, maxBytes: 4096, cacheDir: null },
      });
      const codes = Object.fromEntries(report.images.failed.map((f) => [path.basename(f.src), f.code]));
      expect(codes).toEqual({
        'gone.jpg': 'E_HTTP_404',
        'held.jpg': 'E_TIMEOUT',
        'big.png': 'E_TOO_LARGE',
        'page.jpg': 'E_NOT_IMAGE',
        'missing.jpg': 'E_FILE',
      });
      expect(report.images.failed.find((f) => f.code === 'E_HTTP_404')).toMatchObject({ status: 404, reason: 'HTTP 404' });
    } finally {
      await server.close();
    }
  });

  it('a photo over maxPixels is E_PIXEL_LIMIT, in ImagesFailedError under onError "fail"', async () => {
    const dir = await tempDir();
    const server = await failingServer();
    try {
      const manifest = { ...failingManifest(server.url, dir), onError: 'fail', images: [`${server.url}/ok.jpg`, `${server.url}/big.png`] };
      const error = await build(manifest, { maxPixels: 1000 }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ImagesFailedError);
      expect((error as ImagesFailedError).failures.map((f) => f.code)).toEqual(['E_PIXEL_LIMIT']);
    } finally {
      await server.close();
    }
  });

  it('a batch job result carries the codes', async () => {
    const dir = await tempDir();
    const server = await failingServer();
    try {
      await writeFile(
        path.join(dir, 'job.json'),
        JSON.stringify({ ...failingManifest(server.url, dir), output: 'job.png', images: [`${server.url}/ok.jpg`, `${server.url}/gone.jpg`] }),
      );
      const report = await batch([dir], { fetch: { retries: 0, cacheDir: null }, jobs: 1 });
      expect(report.jobs).toHaveLength(1);
      expect(report.jobs[0]!.status).toBe('built');
      expect(report.jobs[0]!.images?.failed.map((f) => f.code)).toEqual(['E_HTTP_404']);
    } finally {
      await server.close();
    }
  });
});
