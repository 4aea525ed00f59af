/**
 * Preflight end to end: photos of known sizes in known cells, served over loopback HTTP (with
 * and without Range support), through the real CLI: `plan` dpi values, warning lines, the
 * --json report, `--on-low-res fail` (exit 4, nothing written, old output kept), manifest
 * `preflight`, and batch's column and job exit code.
 */
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plan } from '../src/plan.js';
import { runCli } from './support/cli.js';
import { useTempDirs } from './support/files.js';
import { serveFiles, startServer, type Handler, type TestServer } from './support/server.js';

/**
 * A 20×4 in page at 300 dpi, four 5×4 in cells (1500×1200 px). Effective dpi, as computed by hand:
 * - sharp.jpg 1500×1200, cover: 300
 * - soft.jpg 600×480, cover: 600 / 1500 px × 300 = 120, and its JPEG header runs past 120 kB
 *   (two 60 kB comment segments before the frame header), so one range is not enough
 * - rotated.jpg stored 960×1200 with EXIF orientation 6, upright 1200×960, cover: 1200/1500 × 300 = 240
 *   (unrotated it would be 192)
 * - square.jpg 1000×1000, contain: shown 1200×1200, 1000/1200 × 300 = 250 (as cover it would be 200)
 */
const EXPECTED_DPI = [300, 120, 240, 250];

async function noisyJpeg(width: number, height: number, orientation?: number): Promise<Buffer> {
  let image = sharp({ create: { width, height, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } } });
  if (orientation) image = image.withMetadata({ orientation });
  return image.jpeg({ quality: 90 }).toBuffer();
}

/** Two 60 kB COM segments right after SOI: the frame header starts past 120 kB. */
function withLongHeader(jpeg: Buffer): Buffer {
  const comment = () => {
    const segment = Buffer.alloc(4 + 60_000, 0x20);
    segment.writeUInt16BE(0xfffe, 0);
    segment.writeUInt16BE(2 + 60_000, 2);
    return segment;
  };
  return Buffer.concat([jpeg.subarray(0, 2), comment(), comment(), jpeg.subarray(2)]);
}

/** Serves `files`, honouring `Range: bytes=a-b` with 206; counts body bytes sent. */
function rangeServer(files: Map<string, Buffer>, sent: { bytes: number }): Handler {
  return (req, res) => {
    const body = files.get(req.url ?? '');
    if (!body) return void res.writeHead(404).end('not found');
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (range) {
      const start = Number(range[1]);
      const end = Math.min(range[2] ? Number(range[2]) : body.length - 1, body.length - 1);
      sent.bytes += end - start + 1;
      res.writeHead(206, { 'content-type': 'image/jpeg', 'accept-ranges': 'bytes', 'content-range': `bytes ${start}-${end}/${body.length}`, 'content-length': end - start + 1 });
      return void res.end(body.subarray(start, end + 1));
    }
    sent.bytes += body.length;
    res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': body.length }).end(body);
  };
}

describe('preflight: effective resolution of every photo in its cell', () => {
  const tempDir = useTempDirs();
  const files = new Map<string, Buffer>();
  const sent = { bytes: 0 };
  let ranged: TestServer;
  let plain: TestServer;

  beforeAll(async () => {
    files.set('/sharp.jpg', await noisyJpeg(1500, 1200));
    files.set('/soft.jpg', withLongHeader(await noisyJpeg(600, 480)));
    files.set('/rotated.jpg', await noisyJpeg(960, 1200, 6));
    files.set('/square.jpg', await noisyJpeg(1000, 1000));
    ranged = await startServer(rangeServer(files, sent));
    plain = await startServer(serveFiles(files));
  });
  afterAll(async () => {
    await ranged.close();
    await plain.close();
  });

  async function writeManifest(dir: string, server: TestServer, extra: Record<string, unknown> = {}): Promise<string> {
    const manifest = {
      output: 'poster.jpg',
      size: { width: '20in', height: '4in', dpi: 300 },
      layout: { type: 'grid', columns: 4, rows: 1 },
      images: [`${server.url}/sharp.jpg`, `${server.url}/soft.jpg`, `${server.url}/rotated.jpg`, { src: `${server.url}/square.jpg`, fit: 'contain' }],
      ...extra,
    };
    const file = path.join(dir, 'manifest.json');
    await writeFile(file, JSON.stringify(manifest));
    return file;
  }

  it('plan gives every placement its dpi from the headers alone, read with range requests', async () => {
    const dir = await tempDir();
    const before = ranged.requests.length;
    sent.bytes = 0;
    const result = await runCli(['plan', await writeManifest(dir, ranged), '--no-cache']);
    expect(result.code, result.stderr).toBe(0);
    const plan = JSON.parse(result.stdout);
    expect(plan.placements.map((p: { width: number; height: number }) => [p.width, p.height])).toEqual(Array(4).fill([1500, 1200]));
    plan.placements.forEach((p: { dpi: number }, i: number) => expect(Math.abs(p.dpi - EXPECTED_DPI[i]!)).toBeLessThanOrEqual(1));
    expect(plan.preflight).toMatchObject({ minDpi: 150, min: 120, median: 245, onLowRes: 'warn' });
    expect(plan.preflight.lowResolution).toEqual([
      { src: `${ranged.url}/soft.jpg`, index: 1, dpi: 120, cell: { x: 1500, y: 0, width: 1500, height: 1200, widthIn: 5, heightIn: 4 } },
    ]);
    // The one warning line, on stderr.
    expect(result.stderr.trim().split('\n')).toEqual([`collage: warning: ${ranged.url}/soft.jpg prints at 120 dpi in its 5.0×4.0 in cell (minimum 150)`]);

    // Every request asked for a range; the long header took a second, larger one; a small share of the bytes came.
    const requests = ranged.requests.slice(before);
    expect(requests.every((r) => /^bytes=0-\d+$/.test(String(r.headers.range)))).toBe(true);
    expect(requests.filter((r) => r.path === '/soft.jpg').length).toBe(2);
    const total = [...files.values()].reduce((s, b) => s + b.length, 0);
    expect(sent.bytes).toBeLessThan(total / 4);
  });

  it('plan takes photos the download cache holds from it, not with ranges', async () => {
    const dir = await tempDir();
    const manifest = await writeManifest(dir, ranged);
    const cache = path.join(dir, 'cache');
    expect((await runCli(['build', manifest, '--cache-dir', cache, '-q'])).code).toBe(0);
    const before = ranged.requests.length;
    const result = await runCli(['plan', manifest, '--cache-dir', cache, '-q']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).placements.map((p: { dpi: number }) => p.dpi)).toEqual(EXPECTED_DPI);
    expect(ranged.requests.slice(before).filter((r) => r.headers.range !== undefined)).toEqual([]);
  });

  it('plan({ preflight: false }) lays out a grid without a request', async () => {
    const dir = await tempDir();
    const before = ranged.requests.length;
    const result = await plan(await writeManifest(dir, ranged), { preflight: false });
    expect(result.placements).toHaveLength(4);
    expect(result.placements[0]!.dpi).toBeUndefined();
    expect(result.preflight).toBeUndefined();
    expect(ranged.requests.length).toBe(before);
  });

  it('plan falls back to whole downloads from a server that ignores ranges', async () => {
    const dir = await tempDir();
    const result = await runCli(['plan', await writeManifest(dir, plain), '--no-cache', '-q']);
    expect(result.code, result.stderr).toBe(0);
    const plan = JSON.parse(result.stdout);
    plan.placements.forEach((p: { dpi: number }, i: number) => expect(Math.abs(p.dpi - EXPECTED_DPI[i]!)).toBeLessThanOrEqual(1));
    expect(result.stderr).toBe('');
  });

  it('build warns once per photo under the threshold and exits 0; --json reports it with min and median', async () => {
    const dir = await tempDir();
    const manifest = await writeManifest(dir, ranged);
    const built = await runCli(['build', manifest, '--no-cache']);
    expect(built.code, built.stderr).toBe(0);
    const warnings = built.stderr.split('\n').filter((line) => line.includes('warning'));
    expect(warnings).toEqual([`collage: warning: ${ranged.url}/soft.jpg prints at 120 dpi in its 5.0×4.0 in cell (minimum 150)`]);

    // With --json the report has them, and stderr still has the line (as for photos that failed).
    const json = await runCli(['build', manifest, '--no-cache', '--json']);
    expect(json.code).toBe(0);
    expect(json.stderr.trim()).toBe(warnings[0]);
    const report = JSON.parse(json.stdout);
    expect(report.images.lowResolution).toEqual([
      { src: `${ranged.url}/soft.jpg`, index: 1, dpi: 120, cell: { x: 1500, y: 0, width: 1500, height: 1200, widthIn: 5, heightIn: 4 } },
    ]);
    expect(report.images.resolution).toEqual({ minDpi: 150, min: 120, median: 245 });
  });

  it('--on-low-res fail exits 4, writes nothing and keeps the old output', async () => {
    const dir = await tempDir();
    const manifest = await writeManifest(dir, ranged);
    const output = path.join(dir, 'poster.jpg');
    await writeFile(output, 'the print from last week');
    const result = await runCli(['build', manifest, '--no-cache', '--on-low-res', 'fail']);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('collage: 1 of 4 photos print under 150 dpi; nothing written');
    expect(result.stderr).toContain(`  ${ranged.url}/soft.jpg prints at 120 dpi in its 5.0×4.0 in cell (minimum 150)`);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(await readFile(output, 'utf8')).toBe('the print from last week');
    expect((await readdir(dir)).sort()).toEqual(['manifest.json', 'poster.jpg']);

    const json = await runCli(['build', manifest, '--no-cache', '--on-low-res', 'fail', '--json']);
    expect(json.code).toBe(4);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { exitCode: 4 }, images: { lowResolution: [{ index: 1, dpi: 120 }] } });

    // plan says the same: the plan on stdout, exit 4.
    const planned = await runCli(['plan', manifest, '--no-cache', '--on-low-res', 'fail', '-q']);
    expect(planned.code).toBe(4);
    expect(JSON.parse(planned.stdout).preflight.lowResolution).toHaveLength(1);
  });

  it('takes the threshold and the policy from the manifest; the command line overrides them', async () => {
    const dir = await tempDir();
    const strict = await writeManifest(dir, ranged, { preflight: { minDpi: 250, onLowRes: 'fail' } });
    const refused = await runCli(['build', strict, '--no-cache', '--json']);
    expect(refused.code).toBe(4);
    expect(JSON.parse(refused.stdout).images.lowResolution.map((p: { index: number; dpi: number }) => [p.index, p.dpi])).toEqual([
      [1, 120],
      [2, 240],
    ]);
    const relaxed = await runCli(['build', strict, '--no-cache', '--min-dpi', '100', '-q']);
    expect(relaxed).toMatchObject({ code: 0, stderr: '' });
    const warned = await runCli(['build', strict, '--no-cache', '--on-low-res', 'warn']);
    expect(warned.code).toBe(0);
    expect(warned.stderr.split('\n').filter((line) => line.includes('warning'))).toHaveLength(2);

    const typo = await writeManifest(dir, ranged, { preflight: { minDPI: 100 } });
    const invalid = await runCli(['validate', typo]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain('preflight.minDPI: unknown key "minDPI"; did you mean "minDpi"?');
    const bad = await runCli(['validate', strict, '--on-low-res', 'stop']);
    expect(bad.code).toBe(2);
  });

  it('refuses a shape-aware layout before decoding, and judges each photo after EXIF rotation', async () => {
    const dir = await tempDir();
    const manifest = await writeManifest(dir, ranged, { layout: { type: 'justified' }, preflight: { minDpi: 130, onLowRes: 'fail' } });
    const result = await runCli(['build', manifest, '--no-cache', '--json']);
    expect(result.code).toBe(4);
    const low = JSON.parse(result.stdout).images.lowResolution;
    expect(low.map((p: { index: number }) => p.index)).toEqual([1]);
    expect((await readdir(dir)).sort()).toEqual(['manifest.json']);
  });

  it('batch shows the photos under the threshold in its table, and a refused job exits 4 in its report', async () => {
    const dir = await tempDir();
    await writeManifest(dir, ranged);
    await writeFile(
      path.join(dir, 'strict.json'),
      (await readFile(path.join(dir, 'manifest.json'), 'utf8')).replace('"output":"poster.jpg"', '"output":"strict.jpg","preflight":{"onLowRes":"fail"}'),
    );
    const result = await runCli(['batch', '.', '--no-cache', '--jobs', '1'], { cwd: dir });
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/^built\s+manifest\.json\s+\S+ \S+\s+[\d.]+ s\s+1 \(120 dpi\)\s+no record of an earlier build$/m);
    expect(result.stdout).toMatch(/^failed\s+strict\.json\s+-\s+[\d.]+ s\s+1 \(120 dpi\)\s+1 of 4 photos print under 150 dpi, nothing written: .*soft\.jpg prints at 120 dpi/m);
    const json = JSON.parse((await runCli(['batch', '.', '--no-cache', '--json', '--force'], { cwd: dir })).stdout);
    const strict = json.jobs.find((j: { manifest: string }) => j.manifest === 'strict.json');
    expect(strict).toMatchObject({ status: 'failed', exitCode: 4, images: { lowResolution: [{ index: 1, dpi: 120 }] } });
    const built = json.jobs.find((j: { manifest: string }) => j.manifest === 'manifest.json');
    expect(built.images.lowResolution).toHaveLength(1);
  });
});
