/** Fetching basics: per-host and global limits on a keep-alive pool, size cap, content by magic bytes. */
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { useTempDirs } from './support/files.js';
import { solidImage } from './support/images.js';
import { Gate, startServer, type TestServer } from './support/server.js';

describe('HTTP sources', () => {
  const tempDir = useTempDirs();
  let server: TestServer;
  let photo: Buffer;
  /** Requests arrived and not yet answered: answers wait at `gate` while a test holds it. */
  let inFlight = 0;
  let peakInFlight = 0;
  const sockets = new Set<unknown>();
  const gate = new Gate();

  beforeAll(async () => {
    photo = await solidImage([90, 140, 200], 64, 48);
    server = await startServer(async (req, res) => {
      sockets.add(req.socket);
      inFlight++;
      peakInFlight = Math.max(peakInFlight, inFlight);
      await gate.pass();
      inFlight--;
      if (req.url === '/page.jpg') {
        res.writeHead(200, { 'content-type': 'image/jpeg' }).end('<!DOCTYPE html><html><body>Sign in</body></html>');
      } else if (req.url === '/big.jpg') {
        res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': 3 * 1024 * 1024 }).end(Buffer.alloc(3 * 1024 * 1024));
      } else {
        // Served as octet-stream on purpose: the content is identified by its bytes.
        res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(photo);
      }
    });
  });
  afterAll(() => server.close());

  /**
   * Runs the CLI with answers held until `limit` requests are in flight, so the limit is reached
   * however slow the machine; a correct client then sends nothing more until answered. The
   * 100 ms before the release only give a broken limit room to show: passing never depends on it.
   */
  async function runHeldAt(limit: number, args: string[]) {
    const release = gate.hold();
    try {
      const before = server.requests.length;
      const run = runCli(args);
      await server.arrived(before + limit);
      await new Promise((resolve) => setTimeout(resolve, 100));
      release();
      return await run;
    } finally {
      release();
    }
  }

  async function manifest(dir: string, images: string[]): Promise<string> {
    const file = path.join(dir, 'm.json');
    await writeFile(file, JSON.stringify({ size: { width: 600, height: 400 }, output: 'out.jpg', images }));
    return file;
  }

  it('keeps at most --per-host requests in flight per host, on reused keep-alive connections', async () => {
    const dir = await tempDir();
    peakInFlight = 0;
    sockets.clear();
    const images = Array.from({ length: 24 }, (_, i) => `${server.url}/p${i}.jpg`);
    const before = server.requests.length;
    const result = await runHeldAt(3, ['build', await manifest(dir, images), '--per-host', '3', '--concurrency', '8', '-q']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(server.requests.length - before).toBe(24);
    expect(peakInFlight).toBe(3);
    expect(sockets.size).toBeLessThanOrEqual(3);
  });

  it("opens 32 connections to one host by default (a CDN batch, not a browser's 6), asking for the photos in manifest order", async () => {
    const dir = await tempDir();
    peakInFlight = 0;
    sockets.clear();
    const images = Array.from({ length: 80 }, (_, i) => `${server.url}/d${i}.jpg`);
    const before = server.requests.length;
    const result = await runHeldAt(32, ['build', await manifest(dir, images), '-q']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(peakInFlight).toBe(32);
    expect(sockets.size).toBeLessThanOrEqual(32);
    // The first 32 to arrive are from the top of the grid (its first bands), not any 32 of the 80:
    // asked for in manifest order (arrival order can differ by a few under load).
    const first = server.requests.slice(before, before + 32).map((r) => Number(/\/d(\d+)\.jpg$/.exec(r.path)![1]));
    expect(Math.max(...first)).toBeLessThan(40);
  });

  it('keeps at most --concurrency images in flight overall', async () => {
    const dir = await tempDir();
    peakInFlight = 0;
    const images = Array.from({ length: 12 }, (_, i) => `${server.url}/q${i}.jpg`);
    const result = await runHeldAt(2, ['build', await manifest(dir, images), '--per-host', '16', '--concurrency', '2', '-q']);
    expect(result.code).toBe(0);
    expect(peakInFlight).toBe(2);
  });

  it('identifies content by bytes: an HTML page served as image/jpeg fails with a reason', async () => {
    const dir = await tempDir();
    const result = await runCli(['build', await manifest(dir, [`${server.url}/ok.jpg`, `${server.url}/page.jpg`])]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`${server.url}/page.jpg: not an image (got an HTML page)`);
    expect(await readdir(dir)).toEqual(['m.json']);
  });

  it('refuses a download over --max-download from its Content-Length', async () => {
    const dir = await tempDir();
    const result = await runCli(['build', await manifest(dir, [`${server.url}/big.jpg`]), '--max-download', '1']);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`${server.url}/big.jpg: too large: 3.0 MB exceeds the 1.0 MB limit`);
  });

  it('reads local files and file: URLs, and names a missing one', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'a.jpg'), photo);
    const images = ['a.jpg', `file://${path.join(dir, 'a.jpg')}`, 'missing.jpg'];
    const result = await runCli(['build', await manifest(dir, images)]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^ {2}missing\.jpg: no such file$/m);
    expect(result.stderr).toContain('1 of 3 images failed; nothing written');
  });

  it('reads only regular files: /dev/zero, a FIFO and a folder fail at once with one line each; a big file is refused by --max-download', async () => {
    const dir = await tempDir();
    execFileSync('mkfifo', [path.join(dir, 'pipe.jpg')]);
    await mkdir(path.join(dir, 'folder.jpg'));
    await writeFile(path.join(dir, 'big.jpg'), Buffer.alloc(2 * 1024 * 1024));
    await writeFile(path.join(dir, 'a.jpg'), photo);
    const images = ['a.jpg', '/dev/zero', 'pipe.jpg', 'folder.jpg', 'big.jpg'];
    // Before: /dev/zero was read until memory ran out and the FIFO waited forever for a writer.
    const result = await runCli(['build', await manifest(dir, images), '--max-download', '1', '--on-error', 'skip']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('4 of 5 images failed');
    expect(result.stderr).toMatch(/^ {2}\/dev\/zero: is a device, not an image file$/m);
    expect(result.stderr).toMatch(/^ {2}pipe\.jpg: is a named pipe \(FIFO\), not an image file$/m);
    expect(result.stderr).toMatch(/^ {2}folder\.jpg: is a folder, not an image file$/m);
    expect(result.stderr).toMatch(/^ {2}big\.jpg: too large: 2\.0 MB exceeds the 1\.0 MB limit$/m);
  });
});
