/** --block-private-addresses and per-host headers, against real loopback servers. */
import { afterEach, describe, expect, it } from 'vitest';
import { ImageError } from '../src/errors.js';
import { createSourceLoader, type FetchOptions } from '../src/sources/index.js';
import { nonPublicRange } from '../src/sources/guard.js';
import { headersFor, headersProblems, mergeHostHeaders } from '../src/sources/headers.js';
import { solidImage } from './support/images.js';
import { startServer, type TestServer } from './support/server.js';
import { urlImage } from './sources/misbehaving.js';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(handler: Parameters<typeof startServer>[0]) {
  const server = await startServer(handler);
  servers.push(server);
  return server;
}

async function loadError(url: string, options: Partial<FetchOptions>) {
  const loader = createSourceLoader({ retries: 0, ...options });
  try {
    await loader.load(urlImage(url));
    return null;
  } catch (error) {
    return error as ImageError;
  } finally {
    await loader.close();
  }
}

describe('--block-private-addresses', () => {
  it('classifies loopback, private, link-local, unique-local and mapped addresses', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '192.168.0.1', '172.16.5.5', '169.254.169.254', '::1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', '0.0.0.0', '100.64.0.1']) {
      expect(nonPublicRange(a), a).not.toBeNull();
    }
    for (const a of ['93.184.216.34', '2606:4700::1111', '::ffff:8.8.8.8']) expect(nonPublicRange(a), a).toBeNull();
  });

  it('refuses a literal private IP without connecting', async () => {
    const error = await loadError('http://10.255.255.1/photo.jpg', { blockPrivateAddresses: true });
    expect(error).toBeInstanceOf(ImageError);
    expect(error!.reason).toBe('blocked: 10.255.255.1 is a private address (--block-private-addresses)');
  });

  it('refuses loopback in every literal spelling', async () => {
    const server = await serve((_req, res) => void res.end('x'));
    const port = new URL(server.url).port;
    for (const host of ['127.0.0.1', '[::ffff:127.0.0.1]', '2130706433']) {
      const error = await loadError(`http://${host}:${port}/a.png`, { blockPrivateAddresses: true });
      expect(error!.reason, host).toMatch(/^blocked: 127\.0\.0\.1 is a loopback address/);
    }
    expect(server.requests).toHaveLength(0);
  });

  it('checks the resolved address of a name (localhost) on connect', async () => {
    const server = await serve((_req, res) => void res.end('x'));
    const error = await loadError(`http://localhost:${new URL(server.url).port}/a.png`, { blockPrivateAddresses: true });
    expect(error!.reason).toMatch(/^blocked: (127\.0\.0\.1|::1) is a loopback address/);
    expect(server.requests).toHaveLength(0);
  });

  it('refuses a redirect to 127.0.0.1 (every hop is checked)', async () => {
    const target = await serve((_req, res) => void res.end('secret'));
    const entry = await serve((_req, res) => void res.writeHead(302, { location: `${target.url}/latest/meta-data` }).end());
    const entryPort = Number(new URL(entry.url).port);
    // The entry server stands in for a public host: it alone is exempt.
    const error = await loadError(`${entry.url}/a.png`, { blockPrivateAddresses: true, allowAddress: (_a, port) => port === entryPort });
    expect(error!.reason).toMatch(/^blocked: 127\.0\.0\.1 is a loopback address/);
    expect(entry.requests).toHaveLength(1);
    expect(target.requests).toHaveLength(0);
  });

  it('refuses local files in that mode', async () => {
    const loader = createSourceLoader({ blockPrivateAddresses: true });
    const error = await loader
      .load({ index: 0, src: './a.png', location: { kind: 'file', path: '/etc/hostname' }, focus: [0.5, 0.5], fit: 'cover', weight: 1 })
      .catch((e: ImageError) => e);
    await loader.close();
    expect((error as ImageError).reason).toBe('local files are refused with --block-private-addresses');
  });
});

describe('per-origin headers', () => {
  it('go to their origin only: never to another host or another port on redirect; a bare host key means the default ports', async () => {
    const png = await solidImage([1, 2, 3], 4, 4, 'png');
    const other = await serve((_req, res) => void res.writeHead(200, { 'content-length': png.length }).end(png));
    const otherOnLocalhost = other.url.replace('127.0.0.1', 'localhost');
    const store = await serve((req, res) => {
      if (req.url === '/to-host') return void res.writeHead(302, { location: `${otherOnLocalhost}/b.png` }).end();
      // Same host name, another port: another origin.
      if (req.url === '/to-port') return void res.writeHead(302, { location: `${other.url}/c.png` }).end();
      res.writeHead(200, { 'content-length': png.length }).end(png);
    });
    const loader = createSourceLoader({ headers: { [store.url]: { authorization: 'Bearer s3cret' } } });
    try {
      await loader.load(urlImage(`${store.url}/a.png`));
      await loader.load(urlImage(`${store.url}/to-host`));
      await loader.load(urlImage(`${store.url}/to-port`));
    } finally {
      await loader.close();
    }
    expect(store.requests.map((r) => r.headers.authorization)).toEqual(['Bearer s3cret', 'Bearer s3cret', 'Bearer s3cret']);
    expect(other.requests).toHaveLength(2);
    expect(other.requests.map((r) => r.headers.authorization)).toEqual([undefined, undefined]);

    // "127.0.0.1" (no scheme) stands for https://127.0.0.1 and http://127.0.0.1 on ports 443 and 80, not this test port.
    const bare = createSourceLoader({ headers: { '127.0.0.1': { authorization: 'Bearer s3cret' } } });
    try {
      await bare.load(urlImage(`${store.url}/a.png`));
    } finally {
      await bare.close();
    }
    expect(store.requests.at(-1)!.headers.authorization).toBeUndefined();
  });

  it('never follow a redirect from https to plain http, whatever the key', () => {
    const headers = mergeHostHeaders({ 'photos.example': { Authorization: 'Bearer a' }, 'https://photos.example:8443': { 'X-Key': 'k' } });
    expect(headers).toEqual({
      'https://photos.example': { authorization: 'Bearer a' },
      'http://photos.example': { authorization: 'Bearer a' },
      'https://photos.example:8443': { 'x-key': 'k' },
    });
    const https = new URL('https://photos.example/a.jpg');
    const http = new URL('http://photos.example/a.jpg');
    expect(headersFor(headers, https)).toEqual({ authorization: 'Bearer a' });
    expect(headersFor(headers, http)).toEqual({ authorization: 'Bearer a' });
    expect(headersFor(headers, http, https)).toEqual({});
    expect(headersFor(headers, new URL('https://photos.example:8443/a.jpg'))).toEqual({ 'x-key': 'k' });
    expect(headersFor(headers, new URL('https://photos.example:444/a.jpg'))).toEqual({});
  });

  it('refuse keys and headers that could not be sent safely', () => {
    expect(headersProblems({ 'photos.example:8443': {}, 'ftp://x': {}, 'https://x/path': {}, 'u@x': {} }).map((p) => p.message)).toEqual([
      '"photos.example:8443": a port needs its scheme, e.g. "https://photos.example:8443" or "http://photos.example:8443"',
      '"ftp://x": headers are only sent over http: and https:',
      '"https://x/path" must be a host name or an origin (scheme, host, port), without a path or user',
      '"u@x" must be a host name or an origin (scheme, host, port), without a path or user',
    ]);
    const names = ['Host', 'Connection', 'Keep-Alive', 'Transfer-Encoding', 'TE', 'Trailer', 'Upgrade', 'Proxy-Authorization', 'Content-Length', 'Bad Name'];
    const problems = headersProblems({ x: { ...Object.fromEntries(names.map((n) => [n, 'v'])), 'X-Split': 'a\r\nInjected: 1', Authorization: 'ok' } });
    expect(problems.map((p) => p.name)).toEqual([...names, 'X-Split']);
    expect(() => createSourceLoader({ headers: { x: { Host: 'evil' } } })).toThrow(/the Host header cannot be set/);
  });
});
