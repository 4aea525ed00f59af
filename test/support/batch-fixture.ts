/**
 * A folder of small manifests for batch tests: each has one served image (ETag'd, honours
 * If-None-Match on GET and HEAD) and one local file, on a 2×2 in page at 50 dpi (100×100 px).
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { distinctColor, solidImage } from './images.js';
import { startServer, type TestServer } from './server.js';

export interface ImageServer extends TestServer {
  /** Replace an image's bytes (its ETag changes with them). */
  set(name: string, bytes: Buffer): void;
}

export async function startImageServer(count: number): Promise<ImageServer> {
  const images = new Map<string, { bytes: Buffer; etag: string }>();
  let version = 0;
  const set = (name: string, bytes: Buffer) => images.set(`/img/${name}`, { bytes, etag: `"v${++version}"` });
  for (let i = 0; i < count; i++) set(`${i}.png`, await solidImage(distinctColor(i), 24, 24, 'png'));
  const server = await startServer((req, res) => {
    const image = images.get(req.url ?? '');
    if (!image) return void res.writeHead(404).end('not found');
    if (req.headers['if-none-match'] === image.etag) return void res.writeHead(304, { etag: image.etag }).end();
    res.writeHead(200, { 'content-type': 'image/png', 'content-length': image.bytes.length, etag: image.etag, 'cache-control': 'no-cache' }).end(image.bytes);
  });
  return Object.assign(server, { set });
}

export const manifestName = (i: number) => `m${String(i).padStart(2, '0')}.json`;
export const outputName = (i: number) => `out${String(i).padStart(2, '0')}.png`;

/**
 * Writes `count` manifests into `dir`. `invalid` gets an unknown key; `dead` points at a URL
 * the server answers 404.
 */
export async function writeBatchFolder(dir: string, server: TestServer, count: number, special: { invalid?: number; dead?: number } = {}): Promise<void> {
  await mkdir(path.join(dir, 'local'), { recursive: true });
  for (let i = 0; i < count; i++) {
    await writeFile(path.join(dir, 'local', `${i}.png`), await solidImage(distinctColor(i + 40), 16, 16, 'png'));
    const manifest: Record<string, unknown> = {
      output: outputName(i),
      size: { width: '2in', height: '2in', dpi: 50 },
      layout: { type: 'grid', columns: 2 },
      images: [i === special.dead ? `${server.url}/dead.png` : `${server.url}/img/${i}.png`, `local/${i}.png`],
    };
    if (i === special.invalid) manifest.colums = 3;
    await writeFile(path.join(dir, manifestName(i)), JSON.stringify(manifest, null, 2));
  }
}

/** Files left in `dir` (recursively) that are none of the expected kinds: temp files, locks. */
export async function strayFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const names = entries.map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
  return names.filter(
    (name) =>
      !/^m\d\d\.json$/.test(name) &&
      !/^out\d\d\.png$/.test(name) &&
      !/^\.out\d\d\.png\.collage\.json$/.test(name) &&
      !/^local(\/\d+\.png)?$/.test(name) &&
      !/^report\.json$/.test(name),
  );
}
