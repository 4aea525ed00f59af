/**
 * Start-up: a plain build must not load what only some jobs need (each of these cost 30–150 ms
 * of every run when loaded eagerly, measured with `import()` timings), and the command starts
 * libuv's pool with a thread per core.
 */
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from './support/cli.js';
import { useTempDirs } from './support/files.js';

const LAZY = ['pdf-lib', '@napi-rs/canvas', 'cacache', 'proper-lockfile', 'tinyglobby', 'tinypool', 'bullmq', 'ioredis'];

function loadedPackages(entry: string): string[] {
  const script = `
    await import(${JSON.stringify(entry)});
    const { createRequire } = await import('node:module');
    const cache = createRequire(import.meta.url).cache;
    console.log(JSON.stringify(Object.keys(cache)));
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
  const files = JSON.parse(out) as string[];
  return LAZY.filter((name) => files.some((file) => file.includes(`${path.sep}node_modules${path.sep}${name}${path.sep}`)));
}

describe('start-up', () => {
  it('the library entry loads no PDF, canvas, cache, batch, worker-pool or queue code', () => {
    expect(loadedPackages(path.join(ROOT, 'dist', 'index.js'))).toEqual([]);
  });

  it('the build pipeline loads them only when a job needs them', () => {
    expect(loadedPackages(path.join(ROOT, 'dist', 'build.js'))).toEqual([]);
  });
});

describe('validate() loads no Skia', () => {
  const tempDir = useTempDirs();

  /** Packages loaded after validate() of `manifest` in a fresh process (the manifest is valid: it prints its output path). */
  async function afterValidate(manifest: Record<string, unknown>): Promise<{ output: string; loaded: string[] }> {
    const dir = await tempDir();
    const file = path.join(dir, 'm.json');
    await writeFile(file, JSON.stringify(manifest));
    const script = `
      const { validate } = await import(${JSON.stringify(path.join(ROOT, 'dist', 'index.js'))});
      const spec = await validate(${JSON.stringify(file)});
      const { createRequire } = await import('node:module');
      console.log(JSON.stringify({ output: spec.output, files: Object.keys(createRequire(import.meta.url).cache) }));
    `;
    const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, encoding: 'utf8' })) as { output: string; files: string[] };
    const loaded = ['@napi-rs/canvas', 'sharp'].filter((name) => out.files.some((f) => f.includes(`${path.sep}node_modules${path.sep}${name}${path.sep}`)));
    return { output: out.output, loaded };
  }

  it('a manifest without captions, and one whose captions use a bundled font, validate without @napi-rs/canvas', async () => {
    const plain = await afterValidate({ size: { width: '4in', height: '6in' }, output: 'plain.jpg', images: ['a.jpg', 'b.jpg'] });
    expect(path.basename(plain.output)).toBe('plain.jpg');
    expect(plain.loaded).not.toContain('@napi-rs/canvas');
    const captioned = await afterValidate({
      size: { width: '4in', height: '6in' },
      output: 'captioned.jpg',
      style: { caption: { font: 'Inter', position: 'below' } },
      images: [{ src: 'a.jpg', caption: 'Day one' }],
    });
    expect(path.basename(captioned.output)).toBe('captioned.jpg');
    expect(captioned.loaded).not.toContain('@napi-rs/canvas');
  });
});

describe('libuv thread pool', () => {
  const tempDir = useTempDirs();

  /**
   * Builds the demo through the command's entry on a machine that seems to have `cores` cores
   * (os.availableParallelism replaced before the entry runs); at exit, the process's thread count
   * and the pool size it ran with. libuv starts every pool thread at once, so the count follows it.
   * libvips's own workers ("libvips worker") are left out: how many it starts follows how many
   * decodes happened to overlap (4 to 9 in one build), which a busy machine changes.
   * By default UV_THREADPOOL_SIZE is empty, which counts as unset (one set where tests run must not leak in).
   */
  async function buildOn(cores: number, env: Record<string, string> = { UV_THREADPOOL_SIZE: '' }): Promise<{ threads: number; pool: string }> {
    const dir = await tempDir();
    const preload = path.join(dir, 'cores.cjs');
    await writeFile(
      preload,
      `require('node:os').availableParallelism = () => ${cores};
      process.on('exit', () => {
        const fs = require('node:fs');
        const name = (t) => { try { return fs.readFileSync('/proc/self/task/' + t + '/comm', 'utf8').trim(); } catch { return 'gone'; } };
        const threads = fs.readdirSync('/proc/self/task').filter((t) => !['libvips worker', 'gone'].includes(name(t)));
        process.stderr.write('threads=' + threads.length + ' pool=' + process.env.UV_THREADPOOL_SIZE + '\\n');
      });`,
    );
    const nodeOptions = [process.env.NODE_OPTIONS, `--require ${JSON.stringify(preload)}`].filter(Boolean).join(' ');
    const manifest = path.join(ROOT, 'examples', 'photo-a-day', 'manifest.json');
    // --no-cell-cache: the photos are decoded (on the pool) every time, not read back from an earlier run's cells.
    const result = await runCli(['build', manifest, '-o', path.join(dir, 'out.jpg'), '--dpi', '30', '--quiet', '--no-cell-cache'], { env: { NODE_OPTIONS: nodeOptions, ...env } });
    expect(result.code, result.stderr).toBe(0);
    const match = /threads=(\d+) pool=(\S+)/.exec(result.stderr);
    expect(match, result.stderr).not.toBeNull();
    return { threads: Number(match![1]), pool: match![2]! };
  }

  // sharp decodes one photo per pool thread; with libuv's default 4, a 12-core machine would decode 4 at a time.
  it.runIf(process.platform === 'linux')('has a thread per core, at least 4, unless UV_THREADPOOL_SIZE is set', async () => {
    const two = await buildOn(2);
    const twelve = await buildOn(12);
    const chosen = await buildOn(12, { UV_THREADPOOL_SIZE: '5' });
    expect([two.pool, twelve.pool, chosen.pool]).toEqual(['4', '12', '5']);
    expect(twelve.threads - two.threads).toBeGreaterThanOrEqual(8);
    expect(twelve.threads - chosen.threads).toBeGreaterThanOrEqual(7);
  });
});
