/**
 * Unattended and untrusted (issue 14): every layout through validate/batch/queue, writes that
 * cannot lose data (full disk, file size limit), outputs confined to a root and never written
 * through links, batch building the manifest text it read, one spool folder per job removed on
 * every exit, and a reader that goes away (EPIPE).
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, watch } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchReport } from '../src/batch/index.js';
import { lockPath, statePath } from '../src/batch/index.js';
import { CLI, runCli, type CliResult } from './support/cli.js';
import { useTempDirs } from './support/files.js';
import { distinctColor, readPixels, solidImage } from './support/images.js';
import { startRedis, type TestRedis } from './support/redis.js';
import { startServer, type TestServer } from './support/server.js';
import { startWorkerProcess, stopWorker } from './support/workers.js';

const tempDir = useTempDirs();
const isRoot = process.getuid?.() === 0;

/** A photo of noise: it does not compress, so a poster of them is megabytes. */
async function noisePhoto(width: number, height: number, seed: number): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  let x = seed * 2654435761;
  for (let i = 0; i < pixels.length; i++) pixels[i] = (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 24;
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

/** Photos of several shapes (so aspect-aware layouts have something to do), local files in `dir/photos`. */
async function writePhotos(dir: string, count: number): Promise<string[]> {
  await mkdir(path.join(dir, 'photos'), { recursive: true });
  const shapes = [
    [40, 30],
    [30, 40],
    [36, 36],
    [60, 20],
  ] as const;
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const [w, h] = shapes[i % shapes.length]!;
    const name = `photos/${i}.png`;
    await writeFile(path.join(dir, name), await solidImage(distinctColor(i), w, h, 'png'));
    names.push(name);
  }
  return names;
}

function manifest(images: string[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ size: { width: '3in', height: '2in', dpi: 60 }, gap: 2, images, ...extra }, null, 2);
}

const AWARE_LAYOUTS = ['justified', 'masonry', 'mosaic'] as const;

describe('every layout build accepts, validate, batch and the queue accept', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis?.stop());

  async function layoutFolder(): Promise<string> {
    const dir = await tempDir();
    const images = await writePhotos(dir, 8);
    for (const type of AWARE_LAYOUTS) {
      await writeFile(path.join(dir, `${type}.json`), manifest(images, { output: `${type}.png`, layout: { type } }));
    }
    return dir;
  }

  it('validate: exit 0 for justified, masonry and mosaic; the size printed includes the bleed', async () => {
    const dir = await layoutFolder();
    for (const type of AWARE_LAYOUTS) {
      const result = await runCli(['validate', `${type}.json`], { cwd: dir });
      expect([result.code, result.stderr]).toEqual([0, '']);
      expect(result.stdout).toContain(`valid — 8 images, 180×120 px at 60 dpi, ${type}`);
    }
    const images = await writePhotos(dir, 2);
    await writeFile(path.join(dir, 'bleed.json'), manifest(images, { size: { width: '36in', height: '24in', dpi: 300 }, bleed: '1.5in', output: 'b.jpg' }));
    const bleed = await runCli(['validate', 'bleed.json', '--json'], { cwd: dir });
    expect(bleed.code).toBe(0);
    expect(JSON.parse(bleed.stdout)).toMatchObject({ valid: true, width: 11700, height: 8100, bleed: 450, trim: { width: 10800, height: 7200 } });
  });

  it('batch builds them', async () => {
    const dir = await layoutFolder();
    const result = await runCli(['batch', '.', '--json', '--no-cache'], { cwd: dir });
    const report = JSON.parse(result.stdout) as BatchReport;
    expect(report.summary).toMatchObject({ total: 3, built: 3, invalid: 0, failed: 0 });
    expect(result.code).toBe(0);
    for (const type of AWARE_LAYOUTS) expect((await readPixels(path.join(dir, `${type}.png`))).width).toBe(180);
  });

  it('enqueue accepts them and a worker builds them', async () => {
    const dir = await layoutFolder();
    const worker = await startWorkerProcess(['--redis', redis.url, '--queue', 'layouts', '--no-cache']);
    try {
      const enqueued = await runCli(['enqueue', '.', '--redis', redis.url, '--queue', 'layouts', '--json'], { cwd: dir });
      expect(enqueued.code).toBe(0);
      expect(JSON.parse(enqueued.stdout)).toMatchObject({ invalid: [], jobs: [{ state: 'added' }, { state: 'added' }, { state: 'added' }] });
      // batch --redis waits for the same jobs (they are one job each: same bytes and options).
      const waited = await runCli(['batch', '.', '--redis', redis.url, '--queue', 'layouts', '--json', '--no-cache'], { cwd: dir });
      expect(waited.code).toBe(0);
      for (const type of AWARE_LAYOUTS) expect((await readPixels(path.join(dir, `${type}.png`))).height).toBe(120);
    } finally {
      await stopWorker(worker);
    }
  });
});

describe('a queue job builds the manifest bytes it was enqueued with', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis?.stop());

  it('a manifest edited after enqueue: the worker refuses the job (exit 2, not retried) and writes nothing', async () => {
    const dir = await tempDir();
    const images = await writePhotos(dir, 2);
    await writeFile(path.join(dir, 'm.json'), manifest(images, { output: 'out.png' }));
    const enqueued = await runCli(['enqueue', 'm.json', '--redis', redis.url, '--queue', 'edited'], { cwd: dir });
    expect(enqueued.code).toBe(0);
    await writeFile(path.join(dir, 'm.json'), manifest([images[0]!], { output: 'out.png' }));
    const worker = await startWorkerProcess(['--redis', redis.url, '--queue', 'edited', '--no-cache']);
    try {
      await worker.waitFor(/failed m\.json: invalid manifest: changed since it was enqueued/);
    } finally {
      await stopWorker(worker);
    }
    expect(existsSync(path.join(dir, 'out.png'))).toBe(false);
  });
});

describe('writes that cannot lose data', () => {
  const OLD = Buffer.from('the old poster, which must survive');

  /** A tmpfs of `size` mounted at a fresh folder (root only), unmounted after `body`. */
  async function withTmpfs(size: string, body: (mount: string) => Promise<void>): Promise<void> {
    const mount = await mkdtemp(path.join(os.tmpdir(), 'collage-tmpfs-'));
    await execFileAsync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', mount]);
    try {
      await body(mount);
    } finally {
      await execFileAsync('umount', [mount]).catch(() => {});
      await rm(mount, { recursive: true, force: true });
    }
  }

  it.skipIf(!isRoot)('a full disk: exit 1 with one line, the old output byte-identical, no temp file; batch records nothing and retries next run', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'noise.png'), await noisePhoto(400, 300, 1));
    await writeFile(path.join(dir, 'm.json'), manifest(['noise.png', 'noise.png'], { size: { width: 1200, height: 900 } }));
    await withTmpfs('256k', async (disk) => {
      const out = path.join(disk, 'poster.png');
      await writeFile(out, OLD);
      const result = await runCli(['build', 'm.json', '-o', out, '--no-cache', '-q'], { cwd: dir });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`collage: cannot write ${out}: no space left on the device\n`);
      expect(await readFile(out)).toEqual(OLD);
      expect(await readdir(disk)).toEqual(['poster.png']);

      // batch: the manifest and its output on the full disk (output confined to its folder).
      await mkdir(path.join(disk, 'job'));
      await writeFile(path.join(disk, 'job', 'photo.png'), await noisePhoto(60, 45, 2));
      await writeFile(path.join(disk, 'job', 'm.json'), manifest(['photo.png'], { size: { width: 1200, height: 900 }, output: 'poster.png' }));
      await writeFile(path.join(disk, 'job', 'poster.png'), OLD);
      for (let run = 0; run < 2; run++) {
        const batch = await runCli(['batch', path.join(disk, 'job'), '--json', '--no-cache']);
        const report = JSON.parse(batch.stdout) as BatchReport;
        expect(report.jobs[0]).toMatchObject({ status: 'failed', exitCode: 1 });
        expect(report.jobs[0]!.reason).toContain('no space left on the device');
        expect(batch.code).toBe(3); // any failed job (its own code, 1, is in the report)
      }
      expect(existsSync(statePath(path.join(disk, 'job', 'poster.png')))).toBe(false);
      expect(await readFile(path.join(disk, 'job', 'poster.png'))).toEqual(OLD);
      expect((await readdir(path.join(disk, 'job'))).sort()).toEqual(['m.json', 'photo.png', 'poster.png']);
    });
  });

  it('a file size limit (RLIMIT_FSIZE): exit 1 with one line, the old output byte-identical, no temp file', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'noise.png'), await noisePhoto(400, 300, 3));
    await writeFile(path.join(dir, 'm.json'), manifest(['noise.png', 'noise.png'], { size: { width: 1200, height: 900 } }));
    const out = path.join(dir, 'poster.png');
    await writeFile(out, OLD);
    // prlimit(1) sets the limit for the command it starts; the poster's PNG is far over 100 kB.
    const result = await new Promise<CliResult>((resolve) => {
      execFile('prlimit', ['--fsize=100000', process.execPath, CLI, 'build', 'm.json', '-o', out, '--no-cache', '-q'], { cwd: dir }, (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
      );
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`collage: cannot write ${out}: file too large for this process or file system (file size limit)\n`);
    expect(await readFile(out)).toEqual(OLD);
    expect((await readdir(dir)).sort()).toEqual(['m.json', 'noise.png', 'poster.png']);
  });
});

describe('outputs confined to a root, never written through a link', () => {
  it('build --output-root: an output outside it (relative, absolute, or through a linked folder) exits 2 and writes nothing', async () => {
    const root = await tempDir();
    const outside = await tempDir();
    const dir = path.join(root, 'job');
    await mkdir(dir);
    const images = await writePhotos(dir, 2);
    await symlink(outside, path.join(dir, 'linked'));
    const cases = [
      ['../../escape.png', path.join(path.dirname(root), 'escape.png')],
      [path.join(outside, 'abs.png'), path.join(outside, 'abs.png')],
      ['linked/through.png', path.join(outside, 'through.png')],
    ] as const;
    for (const [output, lands] of cases) {
      await writeFile(path.join(dir, 'm.json'), manifest(images, { output }));
      const result = await runCli(['build', 'm.json', '--output-root', root], { cwd: dir });
      expect(result.code, output).toBe(2);
      expect(result.stderr).toMatch(/^collage: m\.json: output: .* is outside the output root .*\n$/);
      expect(existsSync(lands)).toBe(false);
    }
    // The environment variable does the same; inside the root is fine.
    await writeFile(path.join(dir, 'm.json'), manifest(images, { output: '../escape.png' }));
    expect((await runCli(['build', 'm.json'], { cwd: dir, env: { COLLAGE_OUTPUT_ROOT: dir } })).code).toBe(2);
    expect((await runCli(['validate', 'm.json', '--output-root', dir], { cwd: dir })).code).toBe(2);
    await writeFile(path.join(dir, 'm.json'), manifest(images, { output: 'inside.png' }));
    expect((await runCli(['build', 'm.json', '--no-cache'], { cwd: dir, env: { COLLAGE_OUTPUT_ROOT: root } })).code).toBe(0);
    expect(existsSync(path.join(dir, 'inside.png'))).toBe(true);
  });

  it('an output that is a symbolic link: exit 2 and its target untouched; --follow-symlinks writes the target', async () => {
    const dir = await tempDir();
    const images = await writePhotos(dir, 2);
    const victim = path.join(await tempDir(), 'authorized_keys');
    await writeFile(victim, 'ssh-ed25519 AAAA… admin\n');
    await symlink(victim, path.join(dir, 'poster.png'));
    await writeFile(path.join(dir, 'm.json'), manifest(images, { output: 'poster.png' }));
    const refused = await runCli(['build', 'm.json', '--no-cache'], { cwd: dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('poster.png is a symbolic link; refusing to write through it');
    expect(await readFile(victim, 'utf8')).toBe('ssh-ed25519 AAAA… admin\n');
    const followed = await runCli(['build', 'm.json', '--no-cache', '--follow-symlinks'], { cwd: dir });
    expect(followed.code).toBe(0);
    expect((await readPixels(victim)).width).toBe(180);
  });

  it('batch confines each output to its manifest folder by default: an escaping job is invalid, the others build', async () => {
    const parent = await tempDir();
    const dir = path.join(parent, 'orders');
    await mkdir(dir);
    const images = await writePhotos(dir, 2);
    await writeFile(path.join(dir, 'good.json'), manifest(images, { output: 'good.png' }));
    await writeFile(path.join(dir, 'evil.json'), manifest(images, { output: '../evil.png' }));
    await writeFile(path.join(dir, 'abs.json'), manifest(images, { output: path.join(parent, 'abs.png') }));
    const result = await runCli(['batch', '.', '--json', '--no-cache'], { cwd: dir });
    const report = JSON.parse(result.stdout) as BatchReport;
    expect(report.summary).toMatchObject({ built: 1, invalid: 2 });
    expect(result.code).toBe(2);
    for (const job of report.jobs.filter((j) => j.status === 'invalid')) expect(job.reason).toMatch(/output: .* is outside the output root/);
    expect(existsSync(path.join(parent, 'evil.png'))).toBe(false);
    expect(existsSync(path.join(parent, 'abs.png'))).toBe(false);
    // A root given on the command line widens (or narrows) it.
    const wide = await runCli(['batch', '.', '--json', '--no-cache', '--output-root', parent], { cwd: dir });
    expect((JSON.parse(wide.stdout) as BatchReport).summary).toMatchObject({ built: 2, skipped: 1, invalid: 0 });
    expect(existsSync(path.join(parent, 'evil.png'))).toBe(true);
  });
});

describe('batch builds the manifest text it read', () => {
  it('a manifest edited while its job waits for the lock: the job builds what it read and locked; the next run sees the edit', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'red.png'), await solidImage([220, 20, 20], 30, 20, 'png'));
    await writeFile(path.join(dir, 'blue.png'), await solidImage([20, 20, 220], 30, 20, 'png'));
    await writeFile(path.join(dir, 'm.json'), manifest(['red.png'], { output: 'out.png' }));
    const { default: lockfile } = await import('proper-lockfile');
    const out = path.join(dir, 'out.png');
    const release = await lockfile.lock(out, { realpath: false, lockfilePath: lockPath(out), stale: 30_000, update: 5_000 });
    const child = spawn(process.execPath, [CLI, 'batch', '.', '--json', '--no-cache', '--log-format', 'json'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
    // The job has read its manifest and waits for the lock: edit the manifest, then let it go.
    await new Promise<void>((resolve) => {
      let log = '';
      child.stderr.on('data', (d: Buffer) => {
        log += d.toString();
        if (log.includes('"job-start"')) resolve();
      });
    });
    await writeFile(path.join(dir, 'm.json'), manifest(['blue.png'], { output: 'out.png' }));
    await release();
    expect(await exited).toBe(0);
    expect((JSON.parse(stdout) as BatchReport).summary.built).toBe(1);
    const [r, , b] = (await readPixels(out)).at(90, 60);
    expect(r).toBeGreaterThan(200);
    expect(b).toBeLessThan(40);
    const again = JSON.parse((await runCli(['batch', '.', '--json', '--no-cache'], { cwd: dir })).stdout) as BatchReport;
    expect(again.jobs[0]).toMatchObject({ status: 'built', reason: 'manifest changed' });
    expect((await readPixels(out)).at(90, 60)[2]).toBeGreaterThan(200);
  });
});

describe('spool folders', () => {
  let server: TestServer;
  let hung: () => void = () => {};
  beforeAll(async () => {
    const photo = await solidImage([30, 160, 90], 40, 30, 'png');
    server = await startServer((req, res) => {
      if (req.url === '/hang.png') return void hung(); // never answers
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': photo.length }).end(photo);
    });
  });
  afterAll(() => server?.close());

  it('after 20 builds that succeed, fail or are interrupted (SIGINT), no collage-spool-* is left in TMPDIR', async () => {
    const tmp = await tempDir();
    const dir = await tempDir();
    const images = await writePhotos(dir, 6);
    const served = images.map((_, i) => `${server.url}/p${i}.png`);
    await writeFile(path.join(dir, 'ok.json'), manifest([...images, ...served], { layout: { type: 'justified' }, output: 'ok.png' }));
    await writeFile(path.join(dir, 'bad.json'), manifest([...images, 'photos/missing.png'], { layout: { type: 'mosaic' }, output: 'bad.png' }));
    await writeFile(path.join(dir, 'hang.json'), manifest([...images, `${server.url}/hang.png`], { layout: { type: 'masonry' }, output: 'hang.png' }));
    const env = { TMPDIR: tmp };
    const spools = async () => (await readdir(tmp)).filter((name) => name.startsWith('collage-spool-'));

    const results: number[] = [];
    for (let i = 0; i < 16; i++) {
      const kind = i % 2 === 0 ? 'ok' : 'bad';
      results.push((await runCli(['build', `${kind}.json`, '--no-cache', '-q'], { cwd: dir, env })).code);
    }
    expect(results).toEqual(Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? 0 : 3)));
    expect(await spools()).toEqual([]);

    for (let i = 0; i < 4; i++) {
      const requested = new Promise<void>((resolve) => (hung = resolve));
      const child = spawn(process.execPath, [CLI, 'build', 'hang.json', '--no-cache', '-q'], { cwd: dir, env: { ...process.env, ...env } });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<string | number>((resolve) => child.on('close', (code, signal) => resolve(signal ?? code ?? -1)));
      await requested;
      await untilEntry(tmp, /^collage-spool-/); // local photos are spooled while the last one hangs
      child.kill('SIGINT');
      expect(await exited, stderr).toBe('SIGINT');
      expect(await spools()).toEqual([]);
    }
  });
});

describe('a reader that goes away', () => {
  it('collage plan | head -c 100: EPIPE ends the command quietly (no stack trace)', async () => {
    const dir = await tempDir();
    // A grid plan needs no photos: 3,000 placements are far more than a pipe buffer.
    await writeFile(
      path.join(dir, 'big.json'),
      manifest(
        Array.from({ length: 3000 }, (_, i) => `photos/${i}.jpg`),
        { size: { width: 3000, height: 2000 } },
      ),
    );
    const child = spawn(process.execPath, [CLI, 'plan', 'big.json'], { cwd: dir });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});

function execFileAsync(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => execFile(command, args, (error) => (error ? reject(error) : resolve())));
}

/** Resolves once `dir` holds an entry matching `pattern` (fs.watch, no polling). */
async function untilEntry(dir: string, pattern: RegExp): Promise<void> {
  const watcher = watch(dir);
  try {
    const seen = new Promise<void>((resolve) => watcher.on('change', (_, name) => pattern.test(String(name)) && resolve()));
    if ((await readdir(dir)).some((name) => pattern.test(name))) return;
    await seen;
  } finally {
    watcher.close();
  }
}
