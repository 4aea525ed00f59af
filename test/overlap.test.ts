/**
 * Downloads overlap decoding: over HTTP/1.1 a grid's photos are all asked for at once (up to
 * --per-host), and the first is decoded and drawn while the others are still unanswered. Facts
 * the server controls (answers held until every request is in, then until a cell is drawn), not
 * timings: a client that broke either would wait forever (the suite's hang bound).
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { build } from '../src/index.js';
import { useTempDirs } from './support/files.js';
import { colorDistance, distinctColor, readPixels, solidImage } from './support/images.js';
import { Gate, startServer, type TestServer } from './support/server.js';

const PHOTOS = 24;
const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('downloads hidden behind decoding', () => {
  const tempDir = useTempDirs();

  it('asks for every photo before any answer, and draws the first while the rest are unanswered', async () => {
    const files = new Map<string, Buffer>();
    for (let i = 0; i < PHOTOS; i++) files.set(`/p${i}.jpg`, await solidImage(distinctColor(i), 64, 48));
    // Nothing is answered until every photo has been asked for (a client that waited for one
    // answer before the next request would stop here); then photo 0 is answered, and the rest
    // only once the build reports a photo drawn (one that drew nothing before all had arrived
    // would stop there).
    const rest = new Gate();
    rest.hold();
    let answered = 0;
    const server: TestServer = await startServer(async (req, res) => {
      await server.arrived(PHOTOS);
      const pathname = new URL(req.url ?? '/', 'http://x').pathname;
      if (pathname !== '/p0.jpg') await rest.pass();
      const body = files.get(pathname)!;
      res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': body.length }).end(body);
      answered++;
    });
    servers.push(server);
    const dir = await tempDir();
    const output = path.join(dir, 'out.png');
    let answeredWhenFirstDrawn: number | null = null;
    const report = await build(
      {
        size: { width: 600, height: 300 },
        margin: 0,
        gap: 0,
        layout: { type: 'grid', columns: 6 },
        images: Array.from({ length: PHOTOS }, (_, i) => `${server.url}/p${i}.jpg`),
      },
      {
        output,
        cwd: dir,
        onProgress: (event) => {
          // The first photo done (drawn): photo 0, the only one answered.
          if (event.type !== 'image' || answeredWhenFirstDrawn !== null) return;
          answeredWhenFirstDrawn = answered;
          rest.release();
        },
      },
    );
    expect(report.images).toMatchObject({ total: PHOTOS, fetched: PHOTOS, failed: [] });
    // The first photo was drawn from the one answer there was, 23 requests still open.
    expect(answeredWhenFirstDrawn).toBe(1);
    expect(server.requests).toHaveLength(PHOTOS);
    // And the poster is whole: each cell has its photo's colour.
    const pixels = await readPixels(output);
    for (let i = 0; i < PHOTOS; i++) {
      const x = (i % 6) * 100 + 50;
      const y = Math.floor(i / 6) * 75 + 37;
      expect(colorDistance(pixels.at(x, y), distinctColor(i))).toBeLessThan(30);
    }
  });
});
