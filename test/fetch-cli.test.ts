/** The built CLI against real loopback servers: failure policies, exit codes, cache re-runs, bombs. */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPixelLimit, readImageHeader } from '../src/decode/index.js';
import { ImageError } from '../src/errors.js';
import { jpegClaiming, pngBomb } from './support/bombs.js';
import { runCli, spawnCli } from './support/cli.js';
import { useTempDirs } from './support/files.js';
import { colorDistance, readPixels, solidImage, type Rgb } from './support/images.js';
import { startServer, type TestServer } from './support/server.js';

const tempDir = useTempDirs();
const RED: Rgb = [220, 20, 20];
const BLUE: Rgb = [20, 20, 220];
const GREY: Rgb = [208, 208, 208];
const FAST = ['--retries', '1', '--retry-delay', '0.01'];

let server: TestServer;
const files = new Map<string, Buffer>();
beforeAll(async () => {
  files.set('/red.png', await solidImage(RED, 40, 40, 'png'));
  files.set('/blue.png', await solidImage(BLUE, 40, 40, 'png'));
  files.set('/bomb.png', pngBomb(30000, 30000));
  files.set('/bomb.jpg', await jpegClaiming(65000, 65000, RED));
  server = await startServer((req, res) => {
    const body = files.get(req.url ?? '');
    if (!body) return void res.writeHead(404).end('not found');
    const etag = `"${body.length}-${req.url}"`;
    if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { etag }).end();
    res.writeHead(200, { 'content-length': body.length, etag, 'cache-control': 'no-cache' }).end(body);
  });
});
afterAll(() => server.close());

async function manifest(dir: string, images: string[], extra: Record<string, unknown> = {}): Promise<string> {
  const file = path.join(dir, 'm.json');
  await writeFile(
    file,
    JSON.stringify({ output: 'out.png', size: { width: 300, height: 100 }, layout: { type: 'grid', rows: 1 }, images: images.map((p) => `${server.url}${p}`), ...extra }),
  );
  return file;
}

describe('failure policies', () => {
  it('fail (default): exit 3, every failure reported with attempts, nothing written', async () => {
    const dir = await tempDir();
    const file = await manifest(dir, ['/red.png', '/missing.png', '/blue.png']);
    const result = await runCli(['build', file, '--cache-dir', path.join(dir, 'cache'), '--json', ...FAST]);
    expect(result.code).toBe(3);
    expect(existsSync(path.join(dir, 'out.png'))).toBe(false);
    const report = JSON.parse(result.stdout);
    expect(report.images.failed).toEqual([{ src: `${server.url}/missing.png`, code: 'E_HTTP_404', reason: 'HTTP 404', attempts: 1, status: 404 }]);
    expect(result.stderr).toContain(`${server.url}/missing.png: HTTP 404`);
    expect(result.stderr).not.toMatch(/at .*\.js:\d+/);
  });

  it('fail: bad bytes are still reported after the job has already failed (headers checked, not decoded)', async () => {
    const dir = await tempDir();
    // A local file that is missing fails at once; the HTML page is held until the progress line
    // says so, then arrives when nothing will be drawn.
    const slow = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'image/jpeg' }).end('<!doctype html><html><body>sign in</body></html>');
    });
    try {
      const file = path.join(dir, 'm.json');
      await writeFile(file, JSON.stringify({ size: { width: 200, height: 100 }, output: 'out.png', images: ['missing.png', `${slow.url}/page.jpg`] }));
      const release = slow.hold();
      const build = spawnCli(['build', file, '--no-cache', ...FAST]);
      await build.waitForStderr(/^collage: 1\/2 images \(0 downloaded, 0 from cache, 1 failed\)/m);
      release();
      const result = await build.exited;
      expect(result.code).toBe(3);
      expect(existsSync(path.join(dir, 'out.png'))).toBe(false);
      expect(result.stderr).toMatch(/^ {2}missing\.png: no such file$/m);
      expect(result.stderr).toContain(`${slow.url}/page.jpg: not an image (got an HTML page)`);
      expect(result.stderr).toContain('2 of 2 images failed');
    } finally {
      await slow.close();
    }
  });

  it('skip: exit 0, the rest laid out again without the failure', async () => {
    const dir = await tempDir();
    const file = await manifest(dir, ['/red.png', '/missing.png', '/blue.png']);
    const result = await runCli(['build', file, '--on-error', 'skip', '--cache-dir', path.join(dir, 'cache'), '--json', ...FAST]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.images).toMatchObject({ total: 3, fetched: 2, cached: 0, failed: [{ src: `${server.url}/missing.png`, reason: 'HTTP 404', attempts: 1 }] });
    // --json keeps stdout for the report; the warning still reaches stderr, one line per photo.
    expect(result.stderr).toMatch(new RegExp(`^  ${server.url}/missing\\.png: HTTP 404$`, 'm'));
    const out = await readPixels(path.join(dir, 'out.png'));
    expect(out.width).toBe(300);
    expect(colorDistance(out.at(75, 50), RED)).toBeLessThan(8);
    expect(colorDistance(out.at(225, 50), BLUE)).toBeLessThan(8);
  });

  it('placeholder (from the manifest): exit 0, the slot filled grey, failure in the human report', async () => {
    const dir = await tempDir();
    const file = await manifest(dir, ['/red.png', '/missing.png', '/blue.png'], { onError: 'placeholder' });
    const result = await runCli(['build', file, '--cache-dir', path.join(dir, 'cache'), ...FAST]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('1 of 3 images failed');
    expect(result.stderr).toContain(`${server.url}/missing.png: HTTP 404`);
    const out = await readPixels(path.join(dir, 'out.png'));
    expect(colorDistance(out.at(50, 50), RED)).toBeLessThan(8);
    expect(colorDistance(out.at(150, 50), GREY)).toBeLessThan(3);
    expect(colorDistance(out.at(250, 50), BLUE)).toBeLessThan(8);
  });

  it('rejects an unknown policy as a usage error', async () => {
    const dir = await tempDir();
    const file = await manifest(dir, ['/red.png'], { onError: 'ignore' });
    const result = await runCli(['build', file, '--no-cache']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('onError');
  });
});

describe('cache across runs', () => {
  it('a second build makes only conditional requests and writes the same bytes', async () => {
    const dir = await tempDir();
    const cache = path.join(dir, 'cache');
    const file = await manifest(dir, ['/red.png', '/blue.png']);
    const before = server.requests.length;
    const first = await runCli(['build', file, '--cache-dir', cache, '--json', ...FAST]);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout).images).toMatchObject({ fetched: 2, cached: 0 });
    const bytes1 = await readFile(path.join(dir, 'out.png'));
    const mid = server.requests.length;
    const second = await runCli(['build', file, '--cache-dir', cache, '--json', ...FAST]);
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout).images).toMatchObject({ fetched: 0, cached: 2 });
    const again = server.requests.slice(mid);
    expect(mid - before).toBe(2);
    expect(again).toHaveLength(2);
    expect(again.every((r) => typeof r.headers['if-none-match'] === 'string')).toBe(true);
    expect((await readFile(path.join(dir, 'out.png'))).equals(bytes1)).toBe(true);

    const ls = await runCli(['cache', 'ls', '--cache-dir', cache, '--json']);
    expect(JSON.parse(ls.stdout)).toMatchObject({ entries: 2 });
    const clean = await runCli(['cache', 'clean', '--cache-dir', cache]);
    expect(clean.stdout).toMatch(/^removed 2 entries/);
    expect(JSON.parse((await runCli(['cache', 'ls', '--cache-dir', cache, '--json'])).stdout)).toMatchObject({ entries: 0 });
  });

  it('--no-cache downloads in full and writes no cache', async () => {
    const dir = await tempDir();
    const file = await manifest(dir, ['/red.png']);
    const result = await runCli(['build', file, '--no-cache', '--json', ...FAST], { env: { XDG_CACHE_HOME: path.join(dir, 'xdg') } });
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(path.join(dir, 'xdg'))).toBe(false);
  });
});

describe('decompression bombs are refused before decoding', () => {
  it('a 30000×30000 PNG and a JPEG claiming 65000×65000', async () => {
    // How fast the refusal is belongs to `npm run bench` (speed checks), not here.
    for (const [name, size] of [
      ['/bomb.png', '30000×30000'],
      ['/bomb.jpg', '65000×65000'],
    ] as const) {
      const error = await readImageHeader(files.get(name)!, name)
        .then((header) => checkPixelLimit(header, name, { maxPixels: 120_000_000 }))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ImageError);
      expect((error as ImageError).reason).toMatch(new RegExp(`^${size} px \\(\\d+ Mpx\\) is over the 120 Mpx decode limit$`));
    }
  });

  it('through the CLI, with the reason in the report', async () => {
    const dir = await tempDir();
    const file = await manifest(dir, ['/red.png', '/bomb.png', '/bomb.jpg']);
    const result = await runCli(['build', file, '--on-error', 'skip', '--cache-dir', path.join(dir, 'cache'), '--json', ...FAST]);
    expect(result.code, result.stderr).toBe(0);
    const failed = JSON.parse(result.stdout).images.failed as { reason: string }[];
    expect(failed.map((f) => f.reason)).toEqual(['30000×30000 px (900 Mpx) is over the 120 Mpx decode limit', '65000×65000 px (4225 Mpx) is over the 120 Mpx decode limit']);
  });
});

describe('--block-private-addresses (CLI)', () => {
  it('refuses a literal loopback URL and a local file', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'local.png'), files.get('/red.png')!);
    const file = path.join(dir, 'm.json');
    await writeFile(file, JSON.stringify({ output: 'out.png', size: { width: 200, height: 100 }, images: [`${server.url}/red.png`, 'local.png'] }));
    const result = await runCli(['build', file, '--block-private-addresses', '--no-cache', '--json', ...FAST]);
    expect(result.code).toBe(3);
    expect(JSON.parse(result.stdout).images.failed.map((f: { reason: string }) => f.reason)).toEqual([
      'blocked: 127.0.0.1 is a loopback address (--block-private-addresses)',
      'local files are refused with --block-private-addresses',
    ]);
    expect(existsSync(path.join(dir, 'out.png'))).toBe(false);
  });
});

describe('per-host headers from the environment', () => {
  it('are sent to their host and never printed, even when the request fails', async () => {
    const dir = await tempDir();
    const seen: (string | undefined)[] = [];
    const store = await startServer((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(401).end('no');
    });
    try {
      const file = path.join(dir, 'm.json');
      await writeFile(file, JSON.stringify({ output: 'out.png', size: { width: 100, height: 100 }, images: [`${store.url}/private.jpg`] }));
      const env = { COLLAGE_HTTP_HEADERS: JSON.stringify({ [store.url]: { Authorization: 'Bearer tok-3141592' } }) };
      const result = await runCli(['build', file, '--no-cache', '--json', '--verbose', ...FAST], { env });
      expect(result.code).toBe(3);
      expect(seen).toEqual(['Bearer tok-3141592']);
      expect(result.stdout + result.stderr).not.toContain('tok-3141592');
      expect(result.stdout).toContain('HTTP 401');
    } finally {
      await store.close();
    }
  });
});

describe('per-origin headers from the manifest', () => {
  it('Host and hop-by-hop headers are refused with their JSON path (exit 2, nothing fetched)', async () => {
    const dir = await tempDir();
    const before = server.requests.length;
    const headers = { '127.0.0.1': { Host: 'internal.example' }, [server.url]: { 'Transfer-Encoding': 'chunked', 'X-Ok': 'fine' }, 'photos.example:8443': {} };
    const file = await manifest(dir, ['/red.png'], { headers });
    for (const command of ['build', 'validate']) {
      const result = await runCli([command, file, ...(command === 'build' ? ['--no-cache'] : [])]);
      expect(result.code, command).toBe(2);
      expect(result.stderr).toContain('headers["127.0.0.1"].Host: the Host header cannot be set');
      expect(result.stderr).toContain(`headers["${server.url}"]["Transfer-Encoding"]: the Transfer-Encoding header cannot be set`);
      expect(result.stderr).toContain('headers["photos.example:8443"]: "photos.example:8443": a port needs its scheme');
    }
    expect(server.requests.length).toBe(before);
    expect(existsSync(path.join(dir, 'out.png'))).toBe(false);
  });

  it('so are they in COLLAGE_HTTP_HEADERS', async () => {
    const dir = await tempDir();
    const file = await manifest(dir, ['/red.png']);
    const env = { COLLAGE_HTTP_HEADERS: JSON.stringify({ 'photos.example': { 'Proxy-Authorization': 'x' } }) };
    const result = await runCli(['build', file, '--no-cache'], { env });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      'collage: COLLAGE_HTTP_HEADERS: "photos.example".Proxy-Authorization: the Proxy-Authorization header cannot be set: it belongs to the connection, not the request',
    );
  });
});

describe('deadlines', () => {
  it('refuses absurd timeouts, naming the option (exit 2)', async () => {
    const dir = await tempDir();
    const file = await manifest(dir, ['/red.png']);
    for (const [option, value] of [
      ['--timeout', '0.0001'],
      ['--download-timeout', 'Infinity'],
      ['--job-timeout', '0'],
      ['--timeout', '1e400'],
    ]) {
      const result = await runCli(['build', file, '--no-cache', option!, value!]);
      expect(result.code, `${option} ${value}`).toBe(2);
      expect(result.stderr).toContain(`${option} must be a number of seconds from`);
    }
  });

  it('a trickling photo ends at --download-timeout, once, whatever --retries says', async () => {
    const dir = await tempDir();
    const trickle = await startServer((_req, res) => {
      res.writeHead(200, { 'content-length': 100_000 });
      const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write(Buffer.alloc(1))), 100);
      res.on('close', () => clearInterval(timer));
    });
    try {
      const file = path.join(dir, 'm.json');
      await writeFile(file, JSON.stringify({ output: 'out.png', size: { width: 100, height: 100 }, images: [`${trickle.url}/slow.png`] }));
      const result = await runCli(['build', file, '--no-cache', '--json', '--retries', '3', '--download-timeout', '1']);
      expect(result.code).toBe(3);
      expect(JSON.parse(result.stdout).images.failed).toEqual([{ src: `${trickle.url}/slow.png`, code: 'E_TIMEOUT', reason: 'download took longer than 1 s', attempts: 1 }]);
      expect(trickle.requests).toHaveLength(1);
    } finally {
      await trickle.close();
    }
  });

  it('--job-timeout: 64 hanging photos fail with "job deadline", nothing written, exit 3 (skip too); batch reports the job failed', async () => {
    const dir = await tempDir();
    const hanging = await startServer(() => {}); // accepts, never answers
    try {
      const images = Array.from({ length: 64 }, (_, i) => `${hanging.url}/${i}.jpg`);
      const file = path.join(dir, 'm.json');
      await writeFile(file, JSON.stringify({ output: 'out.png', size: { width: 800, height: 800 }, images }));
      for (const policy of ['fail', 'skip']) {
        const result = await runCli(['build', file, '--no-cache', '--json', '--job-timeout', '1', '--on-error', policy]);
        expect(result.code, policy).toBe(3);
        const failed = JSON.parse(result.stdout).images.failed as { src: string; reason: string }[];
        expect(failed.map((f) => f.src)).toEqual(images);
        expect(new Set(failed.map((f) => f.reason))).toEqual(new Set(['job deadline (1 s) passed']));
        expect(existsSync(path.join(dir, 'out.png'))).toBe(false);
      }
      const batch = await runCli(['batch', dir, '--no-cache', '--json', '--job-timeout', '1'], { cwd: dir });
      expect(batch.code).toBe(3);
      const job = JSON.parse(batch.stdout).jobs[0];
      expect(job).toMatchObject({ status: 'failed', exitCode: 3 });
      expect(job.reason).toMatch(/^64 of 64 images failed, nothing written: .*: job deadline \(1 s\) passed/);
    } finally {
      await hanging.close();
    }
  });
});
