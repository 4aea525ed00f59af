/**
 * HTTP/2 over TLS (ALPN), against a real node:http2 server on 127.0.0.1 that also speaks
 * HTTP/1.1: many requests on one connection, and the same retry, size-cap and address rules as
 * HTTP/1.1. The client trusts the test's self-signed certificate through `ca` (the command:
 * NODE_EXTRA_CA_CERTS); verification is never turned off.
 */
import { writeFile } from 'node:fs/promises';
import http2 from 'node:http2';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { build } from '../src/index.js';
import { ImageError } from '../src/errors.js';
import { createSourceLoader, type FetchOptions } from '../src/sources/index.js';
import { runCli } from './support/cli.js';
import { useTempDirs } from './support/files.js';
import { colorDistance, distinctColor, readPixels, solidImage } from './support/images.js';
import { startTlsServer, type TlsHandler, type TlsTestServer } from './support/tls-server.js';
import { urlImage } from './sources/misbehaving.js';

const PHOTOS = 48;
const servers: TlsTestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(handler: TlsHandler): Promise<TlsTestServer> {
  const server = await startTlsServer(handler);
  servers.push(server);
  return server;
}

async function photos(): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (let i = 0; i < PHOTOS; i++) files.set(`/p${i}.jpg`, await solidImage(distinctColor(i), 64, 48));
  return files;
}

/**
 * Serves `files`, holding responses until `gather` requests wait at once (then answering all),
 * so the most requests the client had in flight is visible; if none arrives for 2 s while some
 * wait, they are answered anyway, so a client that never sends that many fails the assertion
 * instead of hanging.
 */
function gathering(files: Map<string, Buffer>, gather: number): TlsHandler {
  let held: (() => void)[] | null = [];
  let watchdog: NodeJS.Timeout | undefined;
  const releaseAll = () => {
    clearTimeout(watchdog);
    const waiting = held ?? [];
    held = null;
    for (const answer of waiting) answer();
  };
  return (req, res) => {
    const answer = () => {
      const body = files.get(req.url);
      if (!body) res.writeHead(404).end();
      else res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': body.length }).end(body);
    };
    if (!held) return answer();
    held.push(answer);
    clearTimeout(watchdog);
    if (held.length >= gather) releaseAll();
    else watchdog = setTimeout(releaseAll, 2000);
  };
}

function manifest(server: TlsTestServer, count = PHOTOS) {
  return {
    size: { width: 800, height: Math.ceil(count / 8) * 100 },
    margin: 0,
    gap: 0,
    layout: { type: 'grid' as const, columns: 8 },
    images: Array.from({ length: count }, (_, i) => `${server.url}/p${i}.jpg`),
  };
}

async function expectCells(file: string, count = PHOTOS): Promise<void> {
  const pixels = await readPixels(file);
  expect([pixels.width, pixels.height]).toEqual([800, Math.ceil(count / 8) * 100]);
  for (let i = 0; i < count; i++) {
    expect(colorDistance(pixels.at((i % 8) * 100 + 50, Math.floor(i / 8) * 100 + 50), distinctColor(i)), `cell ${i}`).toBeLessThan(12);
  }
}

describe('HTTP/2', () => {
  const tempDir = useTempDirs();

  it('one TLS connection carries the photos as ≥ 32 concurrent streams', async () => {
    const server = await serve(gathering(await photos(), 32));
    const dir = await tempDir();
    const report = await build(manifest(server), { output: path.join(dir, 'out.jpg'), cwd: dir, fetch: { ca: server.cert } });
    expect(report.images.failed).toEqual([]);
    expect(report.images.fetched).toBe(PHOTOS);
    expect(server.requests).toHaveLength(PHOTOS);
    expect(server.requests.every((r) => r.httpVersion === '2.0')).toBe(true);
    expect(server.connections).toBe(1);
    expect(server.sessions).toBe(1);
    expect(server.maxStreamsPerSession[0]).toBeGreaterThanOrEqual(32);
    await expectCells(path.join(dir, 'out.jpg'));
  });

  it('http1: the same server is spoken to in HTTP/1.1, one request per connection, --per-host connections', async () => {
    const server = await serve(gathering(await photos(), 8));
    const dir = await tempDir();
    const report = await build(manifest(server), { output: path.join(dir, 'out.png'), cwd: dir, fetch: { ca: server.cert, http1: true, perHost: 8 } });
    expect(report.images.failed).toEqual([]);
    expect(server.requests.every((r) => r.httpVersion === '1.1')).toBe(true);
    expect(server.sessions).toBe(0);
    expect(server.connections).toBe(8);
    await expectCells(path.join(dir, 'out.png'));
  });

  it('retries a 503 (then 200) over HTTP/2, on the same connection', async () => {
    const files = await photos();
    let refused = 0;
    const server = await serve((req, res) => {
      if (req.url === '/p3.jpg' && refused++ === 0) return void res.writeHead(503, { 'retry-after': '0' }).end();
      const body = files.get(req.url)!;
      res.writeHead(200, { 'content-length': body.length }).end(body);
    });
    const dir = await tempDir();
    const report = await build(manifest(server, 8), {
      output: path.join(dir, 'out.png'),
      cwd: dir,
      fetch: { ca: server.cert, retryBaseDelay: 10 },
    });
    expect(report.images.failed).toEqual([]);
    expect(server.requests.filter((r) => r.path === '/p3.jpg')).toEqual([
      { path: '/p3.jpg', httpVersion: '2.0' },
      { path: '/p3.jpg', httpVersion: '2.0' },
    ]);
    expect(server.connections).toBe(1);
  });

  it('retries a stream the server resets (REFUSED_STREAM, as a busy server does)', async () => {
    const files = await photos();
    let reset = 0;
    const server = await serve((req, res) => {
      if (req.url === '/p5.jpg' && reset++ === 0) return void res.stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
      const body = files.get(req.url)!;
      res.writeHead(200, { 'content-length': body.length }).end(body);
    });
    const dir = await tempDir();
    const report = await build(manifest(server, 8), { output: path.join(dir, 'out.png'), cwd: dir, fetch: { ca: server.cert, retryBaseDelay: 10 } });
    expect(report.images.failed).toEqual([]);
    expect(server.requests.filter((r) => r.path === '/p5.jpg')).toHaveLength(2);
    await expectCells(path.join(dir, 'out.png'), 8);
  });

  it('cuts off a body over the size cap, declared or streamed without a length', async () => {
    const big = Buffer.alloc(64 * 1024, 7);
    const server = await serve((req, res) => {
      if (req.url === '/declared.jpg') return void res.writeHead(200, { 'content-length': big.length }).end(big);
      // No Content-Length: HTTP/2 DATA frames until the stream ends.
      res.writeHead(200);
      for (let i = 0; i < 8; i++) res.write(big.subarray(0, 16 * 1024));
      res.end();
    });
    const loader = createSourceLoader({ ca: server.cert, retries: 0, maxBytes: 20 * 1024 });
    try {
      const declared = await loader.load(urlImage(`${server.url}/declared.jpg`)).catch((e: ImageError) => e);
      expect((declared as ImageError).reason).toBe('too large: 64 kB exceeds the 20 kB limit');
      const streamed = await loader.load(urlImage(`${server.url}/streamed.jpg`)).catch((e: ImageError) => e);
      expect((streamed as ImageError).reason).toBe('too large: more than the 20 kB limit');
    } finally {
      await loader.close();
    }
    expect(server.requests.map((r) => r.httpVersion)).toEqual(['2.0', '2.0']);
  });

  it('--block-private-addresses: the resolved address is checked on connect, as over HTTP/1.1', async () => {
    const files = await photos();
    const server = await serve((req, res) => {
      const body = files.get(req.url)!;
      res.writeHead(200, { 'content-length': body.length }).end(body);
    });
    const url = `https://localhost:${server.port}/p0.jpg`;
    const load = async (options: Partial<FetchOptions>) => {
      const loader = createSourceLoader({ ca: server.cert, retries: 0, blockPrivateAddresses: true, ...options });
      try {
        return await loader.load(urlImage(url));
      } catch (error) {
        return error as ImageError;
      } finally {
        await loader.close();
      }
    };
    const blocked = await load({});
    expect((blocked as ImageError).reason).toMatch(/^blocked: (127\.0\.0\.1|::1) is a loopback address/);
    expect(server.requests).toHaveLength(0);
    // The same guarded connector, told this one address is allowed, negotiates HTTP/2.
    const allowed = await load({ allowAddress: (_address, port) => port === server.port });
    expect(allowed).not.toBeInstanceOf(ImageError);
    expect(server.requests).toEqual([{ path: '/p0.jpg', httpVersion: '2.0' }]);
  });

  it('the command: HTTP/2 by default, --http1 turns it off (the certificate trusted through NODE_EXTRA_CA_CERTS)', async () => {
    const files = await photos();
    const server = await serve((req, res) => {
      const body = files.get(req.url)!;
      res.writeHead(200, { 'content-length': body.length }).end(body);
    });
    const dir = await tempDir();
    await writeFile(path.join(dir, 'ca.pem'), server.cert);
    await writeFile(path.join(dir, 'm.json'), JSON.stringify(manifest(server, 16)));
    const env = { NODE_EXTRA_CA_CERTS: path.join(dir, 'ca.pem') };
    const h2 = await runCli(['build', 'm.json', '-o', 'h2.png', '--no-cache', '--quiet'], { cwd: dir, env });
    expect(h2.stderr).toBe('');
    expect(h2.code).toBe(0);
    expect(server.requests.map((r) => r.httpVersion)).toEqual(new Array(16).fill('2.0'));
    server.requests.length = 0;
    const h1 = await runCli(['build', 'm.json', '-o', 'h1.png', '--no-cache', '--quiet', '--http1'], { cwd: dir, env });
    expect(h1.code).toBe(0);
    expect(server.requests.map((r) => r.httpVersion)).toEqual(new Array(16).fill('1.1'));
    await expectCells(path.join(dir, 'h1.png'), 16);
    await expectCells(path.join(dir, 'h2.png'), 16);
  });
});
