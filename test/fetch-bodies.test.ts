/**
 * How download bodies are read (src/sources/exchange.ts), against a real server on 127.0.0.1:
 * a body nobody wants is read and dropped when small (the connection serves the next request)
 * and cut off when large; bodies with and without a Content-Length arrive whole; the caller's
 * abort stops a body mid-way.
 */
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageError } from '../src/errors.js';
import { createSourceLoader, type FetchOptions } from '../src/sources/index.js';
import { urlImage } from './sources/misbehaving.js';
import { solidImage } from './support/images.js';
import { startServer, type TestServer } from './support/server.js';

const SMALL_PAGE = Buffer.alloc(8 * 1024, 'x');
const HUGE_PAGE = Buffer.alloc(8 * 1024 * 1024, 'x');

let server: TestServer;
let png: Buffer;
/** Every connection the server has seen. */
const sockets = new Set<Socket>();
/** Called once /stall.png is being answered, with a promise of its connection's end. */
let stallSent: ((answer: { closed: Promise<void> }) => void) | null = null;

beforeAll(async () => {
  png = await solidImage([30, 160, 90], 40, 30, 'png');
  server = await startServer((req, res) => {
    sockets.add(req.socket);
    const page = (status: number, body: Buffer) => res.writeHead(status, { 'content-type': 'text/html', 'content-length': body.length }).end(body);
    switch (req.url) {
      case '/photo.png':
        return void res.writeHead(200, { 'content-type': 'image/png', 'content-length': png.length }).end(png);
      case '/moved':
        return void res.writeHead(302, { location: '/photo.png', 'content-length': SMALL_PAGE.length }).end(SMALL_PAGE);
      case '/gone':
        return void page(404, SMALL_PAGE);
      case '/huge-error':
        return void page(500, HUGE_PAGE);
      case '/chunked.png':
        // No Content-Length: chunked, in three writes.
        res.writeHead(200, { 'content-type': 'image/png' });
        res.write(png.subarray(0, 10));
        res.write(png.subarray(10, 40));
        return void res.end(png.subarray(40));
      case '/stall.png': {
        // A tenth of the body, then nothing: only an abort ends it.
        const closed = new Promise<void>((resolve) => req.socket.on('close', () => resolve()));
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': png.length });
        res.write(png.subarray(0, 10));
        stallSent?.({ closed });
        return;
      }
      default:
        return void page(404, SMALL_PAGE);
    }
  });
});
afterAll(() => server.close());

/** One try, one connection: a second connection is then a fact, not the pool's choice. */
const ONCE: Partial<FetchOptions> = { retries: 0, perHost: 1 };

async function withLoader<T>(run: (load: (path: string, signal?: AbortSignal) => Promise<Buffer>) => Promise<T>, options: Partial<FetchOptions> = ONCE): Promise<T> {
  const loader = createSourceLoader(options);
  try {
    return await run(async (path, signal) => Buffer.from((await loader.load(urlImage(`${server.url}${path}`), signal)).bytes));
  } finally {
    await loader.close();
  }
}

async function failure(promise: Promise<unknown>): Promise<ImageError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ImageError);
  return error as ImageError;
}

describe('download bodies', () => {
  it("read a redirect's small body and drop it: the photo comes over the same connection", async () => {
    sockets.clear();
    const bytes = await withLoader((load) => load('/moved'));
    expect(bytes.equals(png)).toBe(true);
    expect(sockets.size).toBe(1);
  });

  it('read an error page and drop it: the next photo reuses the connection', async () => {
    sockets.clear();
    await withLoader(async (load) => {
      const error = await failure(load('/gone'));
      expect(error.code).toBe('E_HTTP_404');
      expect((await load('/photo.png')).equals(png)).toBe(true);
    });
    expect(sockets.size).toBe(1);
  });

  it('cut off a large error page instead of reading it: the next photo comes over a new connection', async () => {
    sockets.clear();
    await withLoader(async (load) => {
      const error = await failure(load('/huge-error'));
      expect(error.code).toBe('E_HTTP_500');
      expect((await load('/photo.png')).equals(png)).toBe(true);
    });
    expect(sockets.size).toBe(2);
  });

  it('arrive whole without a Content-Length, and are refused past the size cap', async () => {
    expect((await withLoader((load) => load('/chunked.png'))).equals(png)).toBe(true);
    const error = await failure(withLoader((load) => load('/chunked.png'), { ...ONCE, maxBytes: 20 }));
    expect(error.code).toBe('E_TOO_LARGE');
    expect(error.reason).toBe('too large: more than the 20 B limit');
  });

  it("stop when the caller aborts a download in flight: the load rejects with the caller's reason and the connection closes", async () => {
    const abort = new AbortController();
    const reason = new Error('job cancelled');
    const sent = new Promise<{ closed: Promise<void> }>((resolve) => (stallSent = resolve));
    await withLoader(async (load) => {
      const loading = load('/stall.png', abort.signal).then(
        () => null,
        (e: unknown) => e,
      );
      const { closed } = await sent;
      abort.abort(reason);
      expect(await loading).toBe(reason);
      await closed;
    });
  });
});
