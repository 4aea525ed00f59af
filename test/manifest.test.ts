/** Manifest validation: every problem with its JSON path, one line each, exit 2, nothing fetched. */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadManifest, ManifestError } from '../src/index.js';
import { parseManifestText } from '../src/manifest/read.js';
import { runCli } from './support/cli.js';
import { useTempDirs } from './support/files.js';
import { startServer, type TestServer } from './support/server.js';

async function problems(manifest: Record<string, unknown>): Promise<string[]> {
  try {
    await loadManifest(manifest, { output: 'x.jpg' });
  } catch (error) {
    if (error instanceof ManifestError) return error.problems.map((p) => `${p.path}: ${p.message}`);
    throw error;
  }
  return [];
}

const valid = { size: { width: '12in', height: '8in' }, images: ['a.jpg'] };

describe('manifest validation (library)', () => {
  it('converts physical units at the manifest dpi, rounding to whole pixels', async () => {
    const spec = await loadManifest({ size: { width: '210mm', height: '297mm', dpi: 300 }, margin: '0.25in', gap: '2mm', images: ['a.jpg'] }, { output: 'x.png' });
    expect([spec.width, spec.height, spec.margin, spec.gap]).toEqual([2480, 3508, 75, 24]);
    const points = await loadManifest({ size: { width: '72pt', height: '2.54cm', dpi: 100 }, images: ['a.jpg'] }, { output: 'x.png' });
    expect([points.width, points.height]).toEqual([100, 100]);
    const pixels = await loadManifest({ size: { width: 10800, height: '7200px' }, images: ['a.jpg'] }, { output: 'x.png' });
    expect([pixels.width, pixels.height, pixels.dpi]).toEqual([10800, 7200, 300]);
  });

  it('re-rasterises physical sizes with --dpi for a quick proof', async () => {
    const spec = await loadManifest({ ...valid, size: { width: '36in', height: '24in', dpi: 300 } }, { output: 'x.jpg', dpi: 30 });
    expect([spec.width, spec.height, spec.dpi]).toEqual([1080, 720, 30]);
  });

  it('parses colours: #rgb, #rrggbb, rgb(), names', async () => {
    for (const [input, rgb] of [
      ['#f80', [255, 136, 0]],
      ['#102030', [16, 32, 48]],
      ['rgb(1, 2, 3)', [1, 2, 3]],
      ['rebeccapurple', [102, 51, 153]],
    ] as const) {
      const spec = await loadManifest({ ...valid, background: input }, { output: 'x.jpg' });
      expect([spec.background.r, spec.background.g, spec.background.b]).toEqual(rgb);
    }
  });

  it('names every problem with its path', async () => {
    const found = await problems({
      size: { width: '12 furlongs', height: '8in', dpi: 0 },
      background: 'not-a-colour',
      layout: { type: 'grid', colums: 3 },
      images: ['a.jpg', { src: 'b.jpg', focus: [2, 0.5] }, 42],
      quality: 101,
    });
    expect(found).toHaveLength(7);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^size\.width: invalid length/),
        'size.dpi: dpi must be at least 1',
        expect.stringMatching(/^background: invalid colour: "not-a-colour" is not/),
        'layout.colums: unknown key "colums"; did you mean "columns"?',
        expect.stringMatching(/^images\[1\]\.focus\[0\]: .*<=1 but received 2/),
        expect.stringMatching(/^images\[2\]: invalid image/),
        expect.stringMatching(/^quality: .*<=100 but received 101/),
      ]),
    );
  });

  it('validates the layout keys maxCrop, cellAspect and maxAreaRatio, naming their paths', async () => {
    const spec = async (layout: Record<string, unknown>) => (await loadManifest({ ...valid, layout }, { output: 'x.png' })).layout;
    expect(await spec({ type: 'grid' })).toMatchObject({ maxCrop: 0.05 });
    expect(await spec({ type: 'grid', cellAspect: '4:3', maxCrop: '2.5%' })).toMatchObject({ cellAspect: 4 / 3, maxCrop: 0.025 });
    expect(await spec({ type: 'grid', cellAspect: 'auto' })).toMatchObject({ cellAspect: 'auto' });
    expect(await spec({ type: 'justified', maxCrop: 0 })).toMatchObject({ maxCrop: 0 });
    expect(await spec({ type: 'mosaic', maxCrop: 10, maxAreaRatio: 6 })).toMatchObject({ maxCrop: 0.1, maxAreaRatio: 6 });
    const bad = async (layout: Record<string, unknown>) => problems({ ...valid, layout });
    expect(await bad({ type: 'grid', maxCrop: 120 })).toEqual([expect.stringMatching(/^layout\.maxCrop: .*percentage from 0 to 99/)]);
    expect(await bad({ type: 'masonry', maxCrop: '5 percent' })).toEqual([expect.stringMatching(/^layout\.maxCrop: /)]);
    expect(await bad({ type: 'grid', cellAspect: 'wide' })).toEqual([expect.stringMatching(/^layout\.cellAspect: .*"4:3"/)]);
    expect(await bad({ type: 'grid', cellAspect: '4:0' })).toEqual([expect.stringMatching(/^layout\.cellAspect: /)]);
    expect(await bad({ type: 'mosaic', maxAreaRatio: 0.5 })).toEqual([expect.stringMatching(/^layout\.maxAreaRatio: .*at least 1/)]);
    // A key of another layout type is unknown here.
    expect((await bad({ type: 'justified', cellAspect: '4:3' }))[0]).toMatch(/^layout\.cellAspect: /);
  });

  it('reports JSON syntax errors at line:column', () => {
    const text = '{\n  "size": { "width": "12in", "height": "8in" },\n  "images": ["a.jpg",]\n}';
    expect(() => parseManifestText('m.json', text)).toThrow('m.json:3:22: invalid JSON: expected a value');
    expect(() => parseManifestText('m.json', '{"images": [')).toThrow(/^m.json:1:13: invalid JSON: expected/);
    expect(parseManifestText('list.txt', '# my photos\nhttps://a.example/1.jpg\n\n  photos/2.jpg  \n')).toEqual({
      kind: 'text',
      images: ['https://a.example/1.jpg', 'photos/2.jpg'],
    });
  });

  it('suggests the closest key at the top level, and rejects an empty image list', async () => {
    expect(await problems({ ...valid, backgorund: 'white' })).toEqual(['backgorund: unknown key "backgorund"; did you mean "background"?']);
    expect(await problems({ ...valid, images: [] })).toEqual(['images: invalid images: the list is empty; add at least one image']);
    expect(await problems({ images: ['a.jpg'] })).toEqual(['size: is required']);
    expect(await problems({ size: { width: '2in' }, images: ['a.jpg'] })).toEqual(['size.height: is required']);
    expect(await problems({ ...valid, images: ['ftp://host/a.jpg'] })).toEqual(['images[0]: unsupported URL scheme "ftp:"; use http:, https:, file: or a path']);
  });

  it('refuses a page larger than one poster buffer before anything is fetched', async () => {
    const [problem] = await problems({ ...valid, format: 'png', size: { width: '200in', height: '100in', dpi: 300 } });
    expect(problem).toBe('size: 60000×30000 px (200×100 in at 300 dpi) is 1800 Mpx, over the 1400 Mpx one poster can hold; lower the dpi or the size');
  });

  it('resolves relative paths against the manifest folder and file: URLs to paths', async () => {
    const spec = await loadManifest({ ...valid, images: ['photos/a.jpg', 'file:///srv/b.jpg', 'https://example.com/c.jpg'] }, { cwd: '/work/x', output: 'o.jpg' });
    expect(spec.images.map((i) => i.location)).toEqual([
      { kind: 'file', path: '/work/x/photos/a.jpg' },
      { kind: 'file', path: '/srv/b.jpg' },
      { kind: 'url', url: new URL('https://example.com/c.jpg') },
    ]);
  });
});

describe('collage validate / build with invalid manifests (CLI)', () => {
  const tempDir = useTempDirs();
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer((_req, res) => {
      res.writeHead(500).end();
    });
  });
  afterAll(() => server.close());

  const cases: [string, string, RegExp][] = [
    ['bad JSON', '{\n  "size": { "width": "12in", "height": "8in" },\n  "images": ["URL/a.jpg",]\n}', /m\.json:3:\d+: invalid JSON: expected a value/],
    ['unknown key', JSON.stringify({ ...valid, images: ['URL/a.jpg'], layuot: { type: 'grid' } }), /m\.json: layuot: unknown key "layuot"; did you mean "layout"\?/],
    ['bad unit', JSON.stringify({ ...valid, images: ['URL/a.jpg'], margin: '3 inches' }), /m\.json: margin: invalid length/],
    ['bad colour', JSON.stringify({ ...valid, images: ['URL/a.jpg'], background: '#ggg' }), /m\.json: background: invalid colour: "#ggg"/],
    ['empty images', JSON.stringify({ ...valid, images: [] }), /m\.json: images: invalid images: the list is empty/],
  ];

  for (const [name, text, expected] of cases) {
    it(`exits 2 on ${name}, one line with the path, nothing fetched or written`, async () => {
      const dir = await tempDir();
      await writeFile(path.join(dir, 'm.json'), text.replaceAll('URL', server.url));
      const before = server.requests.length;
      for (const command of ['validate', 'build']) {
        const result = await runCli([command, 'm.json', '-o', 'out.jpg'], { cwd: dir });
        expect(result.code).toBe(2);
        expect(result.stderr).toMatch(expected);
        expect(result.stderr.trim().split('\n')).toHaveLength(1);
        expect(result.stderr).not.toMatch(/\bat .*\.js:\d+/);
      }
      expect(server.requests.length).toBe(before);
      const { readdir } = await import('node:fs/promises');
      expect(await readdir(dir)).toEqual(['m.json']);
    });
  }

  it('exits 2 for a missing manifest file and for a bad command line', async () => {
    const missing = await runCli(['build', 'nope.json']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.json: cannot read manifest: no such file/);
    const badFlag = await runCli(['build', 'x.json', '--qualty', '3']);
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toMatch(/unknown option '--qualty'/);
    const badValue = await runCli(['build', 'x.json', '--quality', '300']);
    expect(badValue.code).toBe(2);
    expect(badValue.stderr).toMatch(/--quality must be a whole number from 1 to 100/);
  });
});
