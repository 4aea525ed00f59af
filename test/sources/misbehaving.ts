/** A real misbehaving HTTP server on 127.0.0.1: every route is a different failure mode. */
import { startServer, type TestServer } from '../support/server.js';
import type { ImageSpec } from '../../src/manifest/index.js';

export interface Misbehaving extends TestServer {
  /** Requests per path so far. */
  count(path: string): number;
}

/** `image` is served where a route says so; `script` maps a path to per-attempt behaviour. */
export async function startMisbehaving(image: Buffer): Promise<Misbehaving> {
  const hits = new Map<string, number>();
  const server = await startServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const n = (hits.get(url.pathname) ?? 0) + 1;
    hits.set(url.pathname, n);
    const ok = () => res.writeHead(200, { 'content-type': 'image/png', 'content-length': image.length }).end(image);
    switch (url.pathname) {
      case '/ok.png':
        return void ok();
      case '/500-500-200.png':
        return n <= 2 ? void res.writeHead(500).end('boom') : void ok();
      case '/429-then-200.png':
        return n === 1 ? void res.writeHead(429, { 'retry-after': '1' }).end('slow down') : void ok();
      case '/429-long.png':
        return n === 1 ? void res.writeHead(429, { 'retry-after': '3600' }).end('slow down') : void ok();
      case '/429-forever.png':
        return void res.writeHead(429, { 'retry-after': '3600' }).end('slow down');
      case '/404.png':
        return void res.writeHead(404).end('not found');
      case '/503.png':
        return void res.writeHead(503).end('unavailable');
      case '/loop-a':
        return void res.writeHead(302, { location: '/loop-b' }).end();
      case '/loop-b':
        return void res.writeHead(302, { location: '/loop-a' }).end();
      case '/chain': {
        const i = Number(url.searchParams.get('i') ?? 0);
        return void res.writeHead(302, { location: `/chain?i=${i + 1}` }).end();
      }
      case '/reset.png':
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': 100_000 });
        res.write(Buffer.alloc(1000));
        setTimeout(() => res.socket?.destroy(), 20);
        return;
      case '/trickle.png': {
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': 100_000 });
        const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write(Buffer.alloc(1))), 50);
        res.on('close', () => clearInterval(timer));
        return;
      }
      case '/silent.png':
        return; // never answers
      case '/endless.png': {
        res.writeHead(200, { 'content-type': 'image/png' });
        const chunk = Buffer.alloc(64 * 1024, 7);
        const pump = () => {
          while (!res.destroyed && res.write(chunk));
        };
        res.on('drain', pump);
        pump();
        return;
      }
      default:
        return void res.writeHead(404).end();
    }
  });
  return { ...server, count: (path: string) => hits.get(path) ?? 0 };
}

export function urlImage(src: string, index = 0): ImageSpec {
  return { index, src, location: { kind: 'url', url: new URL(src) }, focus: [0.5, 0.5], fit: 'cover', weight: 1 };
}
