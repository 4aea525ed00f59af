/**
 * The cell cache: a rebuild decodes only the photos whose cells changed, and writes the very
 * bytes a build without the cache writes; damaged entries are dropped and decoded again; the
 * least recently used cells go first; a local photo is known by its stat until it changes.
 */
import { readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { build, type BuildOptions } from '../src/index.js';
import { CellStore, setCellTime } from '../src/cells/store.js';
import { SourceHashes } from '../src/cells/sources.js';
import { sourceHash } from '../src/cells/key.js';
import { readImageHeader } from '../src/decode/index.js';
import { storedHeader } from '../src/decode/stored-header.js';
import { jpegBandRows } from '../src/output/jpeg.js';
import { runCli } from './support/cli.js';
import { useTempDirs } from './support/files.js';
import { serveFiles, startServer } from './support/server.js';
import { rawImage } from './support/images.js';

/** A photo-like image that differs everywhere from every other seed: crops and resampling show. */
async function photo(seed: number, width = 240, height = 180): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const h = Math.imul(x * 374761393 + y * 668265263 + seed * 97, 1274126177) >>> 24;
      pixels.set([(x * 255) / width + (h & 15), (y * 255) / height + ((h >> 2) & 15), (seed * 53 + x + y) & 255], (y * width + x) * 3);
    }
  }
  return rawImage(pixels, width, height, 'jpeg');
}

function manifest(count: number, extra: Record<string, unknown> = {}) {
  return {
    size: { width: '4in', height: '3in', dpi: 100 },
    margin: '0.1in',
    gap: '0.05in',
    bleed: { size: '0.25in', mode: 'mirror' },
    layout: { type: 'grid', columns: 4, rows: 4 },
    images: Array.from({ length: count }, (_, i) => `p${i}.jpg`),
    ...extra,
  };
}

async function photos(dir: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await writeFile(path.join(dir, `p${i}.jpg`), await photo(i, i % 3 === 0 ? 180 : 240, i % 3 === 0 ? 240 : 180));
}

describe('cell cache', () => {
  const tempDir = useTempDirs();

  for (const output of ['out.jpg', 'out.png']) {
    it(`${output}: after appending a photo, the rebuild decodes that one photo and is byte-identical to a cold build`, async () => {
      const dir = await tempDir();
      await photos(dir, 13);
      const cellCache = { dir: path.join(dir, 'cells'), racyMs: 0 };
      const cwd = { cwd: dir };
      // Tall enough for several JPEG bands (256 rows each), the new photo's row in the last ones.
      const poster = (count: number) => manifest(count, { size: { width: '4in', height: '8in', dpi: 100 } });
      const first = await build(poster(12), { ...cwd, output: path.join(dir, 'first-' + output), cellCache });
      expect(first.images).toMatchObject({ decoded: 12, cellCached: 0 });
      // Appending to a grid of fixed columns (and as many rows) keeps every old cell's size and place.
      const warm = await build(poster(13), { ...cwd, output: path.join(dir, 'warm-' + output), cellCache });
      expect(warm.images).toMatchObject({ total: 13, decoded: 1, cellCached: 12, failed: [] });
      const cold = await build(poster(13), { ...cwd, output: path.join(dir, 'cold-' + output) });
      expect(cold.images).toMatchObject({ decoded: 13, cellCached: 0 });
      expect((await readFile(path.join(dir, 'warm-' + output))).equals(await readFile(path.join(dir, 'cold-' + output)))).toBe(true);
      // Nothing changed: nothing decoded.
      const again = await build(poster(13), { ...cwd, output: path.join(dir, 'again-' + output), cellCache });
      expect(again.images).toMatchObject({ decoded: 0, cellCached: 13 });
      if (output.endsWith('.jpg')) {
        // JPEG bands are found by what is drawn into them: the bands above the new photo's row
        // (and the bleed mirroring them) were not drawn at all; nothing changed: none was.
        expect(first.output.bandsReused).toBeUndefined();
        // The cold build kept its bands under their recipes: the first rebuild finds them.
        expect(warm.output.bandsReused).toBeGreaterThan(0);
        expect(again.output.bandsReused).toBe(Math.ceil(cold.output.height / jpegBandRows(cold.output.width)));
      }
      expect((await readFile(path.join(dir, 'again-' + output))).equals(await readFile(path.join(dir, 'cold-' + output)))).toBe(true);
      // A cached cell keeps its crop: the report lists the same photos cropped past maxCrop.
      expect(cold.layout.overCrop.length).toBeGreaterThan(0);
      expect(warm.layout).toEqual(cold.layout);
      expect(again.layout).toEqual(cold.layout);
      // And its photo's size: the resolution check sees every photo, read or not.
      expect(cold.images.resolution.min).toBeGreaterThan(0);
      expect(again.images.resolution).toEqual(cold.images.resolution);
      expect(again.images.lowResolution).toEqual(cold.images.lowResolution);
    });
  }

  it('a photo replaced at the same path, a different cell size or fit: decoded again', async () => {
    const dir = await tempDir();
    await photos(dir, 4);
    const options: BuildOptions = { cwd: dir, output: path.join(dir, 'a.png'), cellCache: { dir: path.join(dir, 'cells') } };
    expect((await build(manifest(4), options)).images.decoded).toBe(4);
    await writeFile(path.join(dir, 'p2.jpg'), await photo(99, 180, 240));
    expect((await build(manifest(4), options)).images).toMatchObject({ decoded: 1, cellCached: 3 });
    expect((await build(manifest(4, { layout: { type: 'grid', columns: 3 } }), options)).images).toMatchObject({ decoded: 4, cellCached: 0 });
    expect((await build(manifest(4, { layout: { type: 'grid', columns: 4, rows: 4, fit: 'contain' } }), options)).images).toMatchObject({ decoded: 4 });
    const cold = await build(manifest(4), { cwd: dir, output: path.join(dir, 'cold.png') });
    await build(manifest(4), options);
    expect((await readFile(path.join(dir, 'a.png'))).equals(await readFile(path.join(dir, 'cold.png')))).toBe(true);
    expect(cold.images.decoded).toBe(4);
  });

  it('JPEG bands reused by recipe: anything that changes what is drawn into a band draws it again, byte-identical to a cold build', async () => {
    const dir = await tempDir();
    await photos(dir, 16);
    // Photos known by their stat at once (not 2 s after they were written).
    const cellCache = { dir: path.join(dir, 'cells'), racyMs: 0 };
    const variants: [string, Record<string, unknown>][] = [
      ['same', {}],
      ['background', { background: '#203040' }],
      ['quality', { quality: 70 }],
      ['crop marks', { cropMarks: true }],
      ['extend bleed', { bleed: { size: '0.25in', mode: 'extend' } }],
      ['color bleed', { bleed: { size: '0.25in', mode: 'color' } }],
      ['focus', { images: Array.from({ length: 16 }, (_, i) => ({ src: `p${i}.jpg`, focus: [0, 0] })) }],
      ['order', { images: Array.from({ length: 16 }, (_, i) => `p${15 - i}.jpg`) }],
      ['a look', { style: { border: { width: 2, color: '#ff0000' } } }],
    ];
    await build(manifest(16), { cwd: dir, output: path.join(dir, 'seed.jpg'), cellCache });
    for (const [name, change] of variants) {
      for (const run of ['first', 'again']) {
        const warm = await build(manifest(16, change), { cwd: dir, output: path.join(dir, 'warm.jpg'), cellCache });
        await build(manifest(16, change), { cwd: dir, output: path.join(dir, 'cold.jpg') });
        expect((await readFile(path.join(dir, 'warm.jpg'))).equals(await readFile(path.join(dir, 'cold.jpg'))), `${name}, ${run}`).toBe(true);
        if (run === 'again' && name !== 'a look') expect(warm.output.bandsReused, name).toBeGreaterThan(0);
      }
    }
    // A photo replaced in place (new bytes, new mtime): its bands are drawn again.
    await writeFile(path.join(dir, 'p6.jpg'), await photo(77, 240, 180));
    const later = new Date(Date.now() + 5000);
    await utimes(path.join(dir, 'p6.jpg'), later, later);
    const warm = await build(manifest(16), { cwd: dir, output: path.join(dir, 'warm.jpg'), cellCache });
    expect(warm.images.decoded).toBe(1);
    await build(manifest(16), { cwd: dir, output: path.join(dir, 'cold.jpg') });
    expect((await readFile(path.join(dir, 'warm.jpg'))).equals(await readFile(path.join(dir, 'cold.jpg')))).toBe(true);
  });

  it('a photo-a-day calendar: the nightly rebuild reads no old photo, decodes the new one, and is byte-identical to a cold build', async () => {
    const dir = await tempDir();
    const count = 40;
    await photos(dir, count);
    // Dated in the manifest from 2024-03-01, a day apart; p9 shares p8's day (a duplicate, left
    // out, and a missed day). dateFrom stays "exif": every header is needed before the layout.
    const day = (i: number) => new Date(Date.UTC(2024, 2, 1 + i - (i === 9 ? 1 : 0))).toISOString().slice(0, 10);
    const calendar = (n: number, layout: Record<string, unknown> = {}) =>
      manifest(n, {
        size: { width: '8in', height: '6in', dpi: 100 },
        layout: { type: 'calendar', cellAspect: '4:3', missing: 'placeholder', ...layout },
        images: Array.from({ length: n }, (_, i) => ({ src: `p${i}.jpg`, date: day(i) })),
      });
    const cellCache = { dir: path.join(dir, 'cells'), racyMs: 0 };
    const bands = (report: { output: { width: number; height: number } }) => Math.ceil(report.output.height / jpegBandRows(report.output.width));
    const same = async (a: string, b: string) => (await readFile(path.join(dir, a))).equals(await readFile(path.join(dir, b)));
    const first = await build(calendar(count - 1), { cwd: dir, output: path.join(dir, 'first.jpg'), cellCache });
    expect(first.images).toMatchObject({ decoded: count - 1, cellCached: 0 });
    // The next night: one more photo, on the day after (same month, same cells for every other day).
    const warm = await build(calendar(count), { cwd: dir, output: path.join(dir, 'warm.jpg'), cellCache });
    const cold = await build(calendar(count), { cwd: dir, output: path.join(dir, 'cold.jpg') });
    expect(cold.images).toMatchObject({ decoded: count, cellCached: 0 });
    expect(cold.calendar?.duplicates).toHaveLength(1);
    expect(warm.images).toMatchObject({ decoded: 1, failed: [] });
    expect(warm.output.bandsReused).toBeGreaterThan(0);
    expect(await same('warm.jpg', 'cold.jpg')).toBe(true);
    expect(warm.calendar).toEqual(cold.calendar);
    expect(warm.layout).toEqual(cold.layout);
    expect(warm.images.resolution).toEqual(cold.images.resolution);
    // Nothing changed: no photo read or decoded (the duplicate's day and size come from the
    // source index too), every band reused.
    const again = await build(calendar(count), { cwd: dir, output: path.join(dir, 'again.jpg'), cellCache });
    expect(again.images).toMatchObject({ decoded: 0, cellCached: count - 1 });
    expect(again.output.bandsReused).toBe(bands(again));
    expect(await same('again.jpg', 'cold.jpg')).toBe(true);
    // Whatever changes the words, numbers or missed days draws those bands again.
    const looks: Record<string, unknown>[] = [
      { locale: 'de' },
      { missing: 'number' },
      { labels: { color: '#c00000', dayNumbers: { position: 'bottom-right' } } },
      { weekStart: 'sunday' },
    ];
    for (const look of looks) {
      const changed = await build(calendar(count, look), { cwd: dir, output: path.join(dir, 'changed.jpg'), cellCache });
      await build(calendar(count, look), { cwd: dir, output: path.join(dir, 'changed-cold.jpg') });
      expect(await same('changed.jpg', 'changed-cold.jpg'), JSON.stringify(look)).toBe(true);
      expect(await same('changed.jpg', 'cold.jpg'), JSON.stringify(look)).toBe(false);
      expect(changed.output.bandsReused ?? 0, JSON.stringify(look)).toBeLessThan(bands(changed));
    }
    // Days and cell shape from the manifest: photos drawn as they arrive, and the same reuse.
    const upFront = calendar(count, { dateFrom: 'manifest' });
    await build(upFront, { cwd: dir, output: path.join(dir, 'up.jpg'), cellCache });
    const upAgain = await build(upFront, { cwd: dir, output: path.join(dir, 'up.jpg'), cellCache });
    expect(upAgain.images).toMatchObject({ decoded: 0, cellCached: count - 1 });
    expect(upAgain.output.bandsReused).toBe(bands(upAgain));
    expect(await same('up.jpg', 'cold.jpg')).toBe(true);
  });

  it('remote photos: a rebuild from the download cache finds every band under its recipe once drawn, byte-identical', async () => {
    const dir = await tempDir();
    const files = new Map<string, Buffer>();
    for (let i = 0; i < 16; i++) files.set(`/p${i}.jpg`, await photo(i, i % 3 === 0 ? 180 : 240, i % 3 === 0 ? 240 : 180));
    const server = await startServer(serveFiles(files));
    try {
      const remote = manifest(16, { size: { width: '4in', height: '8in', dpi: 100 }, images: Array.from({ length: 16 }, (_, i) => `${server.url}/p${i}.jpg`) });
      const options = (name: string): BuildOptions => ({
        cwd: dir,
        output: path.join(dir, name),
        fetch: { cacheDir: path.join(dir, 'downloads') },
        cellCache: { dir: path.join(dir, 'cells') },
      });
      const first = await build(remote, options('first.jpg'));
      expect(first.output.bandsReused).toBeUndefined();
      const again = await build(remote, options('again.jpg'));
      // Remote cells are known only once drawn (from the cell cache: nothing decoded), then each band by its recipe: none encoded.
      expect(again.images).toMatchObject({ decoded: 0, cellCached: 16 });
      expect(again.output.bandsReused).toBe(Math.ceil(again.output.height / jpegBandRows(again.output.width)));
      expect((await readFile(path.join(dir, 'again.jpg'))).equals(await readFile(path.join(dir, 'first.jpg')))).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('a damaged entry is dropped and decoded again, and the output is still right', async () => {
    const dir = await tempDir();
    await photos(dir, 4);
    const cells = path.join(dir, 'cells');
    const options: BuildOptions = { cwd: dir, output: path.join(dir, 'a.png'), cellCache: { dir: cells } };
    await build(manifest(4), options);
    const reference = await readFile(path.join(dir, 'a.png'));
    // Every entry file, the cells among them (PNG output stores no bands).
    const files: string[] = [];
    for (const folder of await readdir(path.join(cells, 'px'))) {
      if (folder.length === 2) for (const name of await readdir(path.join(cells, 'px', folder))) files.push(path.join(cells, 'px', folder, name));
    }
    expect(files).toHaveLength(4);
    const damaged = await readFile(files[0]!);
    damaged[damaged.length - 10]! ^= 0xff;
    await writeFile(files[0]!, damaged);
    await writeFile(files[1]!, damaged.subarray(0, 20));
    const report = await build(manifest(4), options);
    expect(report.images).toMatchObject({ decoded: 2, cellCached: 2 });
    expect((await readFile(path.join(dir, 'a.png'))).equals(reference)).toBe(true);
    expect((await build(manifest(4), options)).images).toMatchObject({ decoded: 0, cellCached: 4 });
  });

  it('keeps under its size cap by dropping the least recently used cells', async () => {
    const dir = await tempDir();
    const store = new CellStore(dir, 10 * 30_036);
    const cell = (i: number) => ({ data: Buffer.alloc(100 * 100 * 3, i), width: 100, height: 100, dx: 0, dy: 0, crop: 0, source: { width: 0, height: 0 } });
    // Entries of equal pixels compress alike: 20 of them, dated one hour apart, oldest first.
    for (let i = 0; i < 20; i++) store.put(`k${String(i).padStart(2, '0')}`, cell(i));
    await store.flush();
    const entry = (await stat(path.join(dir, 'k0', 'k00'))).size;
    const limited = new CellStore(dir, 10 * entry);
    for (let i = 0; i < 20; i++) await setCellTime(limited, `k${String(i).padStart(2, '0')}`, new Date(Date.UTC(2026, 0, 1, i)));
    // Reading k03 makes it the most recently used.
    expect((await limited.get('k03'))?.data.equals(cell(3).data)).toBe(true);
    const result = await limited.evict();
    expect(result.bytes).toBeLessThanOrEqual(9 * entry);
    const kept = (await readdir(path.join(dir, 'k0'))).concat(await readdir(path.join(dir, 'k1'))).sort();
    expect(kept).toContain('k03');
    expect(kept).toContain('k19');
    expect(kept).not.toContain('k00');
    expect(kept).not.toContain('k04');
  });

  it('knows a local photo by its stat until the file changes (same size included)', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'p.jpg');
    const bytes = await photo(1);
    await writeFile(file, bytes);
    const hashes = new SourceHashes(path.join(dir, 'index'), 0);
    const first = await hashes.lookup(file);
    expect(first.sha256).toBeNull();
    hashes.record(file, first.stat!, sourceHash(bytes), Date.now() + 1);
    await hashes.flush();
    const fresh = new SourceHashes(path.join(dir, 'index'), 0);
    expect((await fresh.lookup(file)).sha256).toBe(sourceHash(bytes));
    // A header is kept with the hash when given.
    hashes.record(file, first.stat!, sourceHash(bytes), Date.now() + 1, { format: 'jpeg', width: 240, height: 180 });
    await hashes.flush();
    expect((await new SourceHashes(path.join(dir, 'index'), 0).lookup(file)).header).toEqual({ format: 'jpeg', width: 240, height: 180 });
    // Rewritten with other bytes of the same length: the stat differs (ctime at least), so the hash is unknown.
    const other = Buffer.from(bytes);
    other[other.length - 3]! ^= 1;
    await writeFile(file, other);
    await utimes(file, first.stat!.atime, first.stat!.mtime);
    expect((await new SourceHashes(path.join(dir, 'index'), 0).lookup(file)).sha256).toBeNull();
    // Recorded too soon after the file changed (git's racy-clean rule): not trusted.
    const soon = new SourceHashes(path.join(dir, 'index2'));
    const now = await soon.lookup(file);
    soon.record(file, now.stat!, sourceHash(other), Date.now());
    await soon.flush();
    expect((await new SourceHashes(path.join(dir, 'index2')).lookup(file)).sha256).toBeNull();
  });

  it('a header read back from the source index is trusted only in the shape the decoder writes', async () => {
    const header = await readImageHeader(await photo(3), 'p.jpg');
    expect(storedHeader(JSON.parse(JSON.stringify(header)))).toEqual(header);
    for (const junk of [
      undefined,
      null,
      'jpeg',
      { ...header, width: 0 },
      { ...header, orientation: 9 },
      { ...header, format: 'svg' },
      { ...header, frame: undefined },
      { ...header, taken: 'today' },
    ])
      expect(storedHeader(junk), JSON.stringify(junk)).toBeNull();
  });

  it('the command: on by default beside the download cache, --no-cell-cache, --cell-cache DIR; listed in --help', async () => {
    const dir = await tempDir();
    await photos(dir, 4);
    await writeFile(path.join(dir, 'm.json'), JSON.stringify(manifest(4)));
    const run = async (...args: string[]) => JSON.parse((await runCli(['build', 'm.json', '-o', 'o.jpg', '--json', ...args], { cwd: dir })).stdout).images;
    expect(await run('--cache-dir', 'dl')).toMatchObject({ decoded: 4, cellCached: 0 });
    expect(await run('--cache-dir', 'dl')).toMatchObject({ decoded: 0, cellCached: 4 });
    expect((await readdir(path.join(dir, 'dl', 'cells'))).sort()).toEqual(['px', 'src']);
    expect(await run('--cache-dir', 'dl', '--no-cell-cache')).toMatchObject({ decoded: 4, cellCached: 0 });
    expect(await run('--no-cache')).toMatchObject({ decoded: 4, cellCached: 0 });
    expect(await run('--no-cache', '--cell-cache', 'own', '--cell-cache-size', '50')).toMatchObject({ decoded: 4 });
    expect(await run('--no-cache', '--cell-cache', 'own')).toMatchObject({ decoded: 0, cellCached: 4 });
    const help = await runCli(['build', '--help']);
    for (const flag of ['--cell-cache <dir>', '--no-cell-cache', '--cell-cache-size <MB>', '--http1']) expect(help.stdout).toContain(flag);
  });
});
