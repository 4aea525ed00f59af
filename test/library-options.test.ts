/**
 * The library checks what it is given: a bad or unknown option to an entry point is one
 * CollageError (exit 2) naming the option's path, before anything is fetched or written.
 */
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { batch, build, CollageError, ExitCode, plan, validate } from '../src/index.js';
import { enqueue, queueBatch, queueStatus, startWorker } from '../src/queue/index.js';
import { useTempDirs } from './support/files.js';
import { readPixels, solidImage } from './support/images.js';
import { serveFiles, startServer } from './support/server.js';

const tempDir = useTempDirs();

const manifest = (output: string, images: string[]) => ({ size: { width: 40, height: 20 }, output, layout: { type: 'grid', columns: 2 }, images });

/** The one error `run` rejects with: its message and exit code. */
async function refusal(run: () => Promise<unknown>): Promise<{ message: string; exitCode: number }> {
  const error = await run().then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(CollageError);
  return { message: (error as CollageError).message, exitCode: (error as CollageError).exitCode };
}

describe('bad library options', () => {
  it('build: fetch.concurrency 0, maxPixels -1, fetch.maxBytes 0, a typo: one line each, exit 2, nothing fetched or written', async () => {
    const dir = await tempDir();
    const server = await startServer(serveFiles(new Map([['/a.jpg', await solidImage([200, 0, 0], 20, 20)]])));
    try {
      const m = manifest(path.join(dir, 'out.png'), [`${server.url}/a.jpg`, `${server.url}/a.jpg`]);
      expect(await refusal(() => build(m, { fetch: { concurrency: 0 } }))).toEqual({
        message: 'options.fetch.concurrency: expected an integer ≥ 1, got 0',
        exitCode: ExitCode.usage,
      });
      expect(await refusal(() => build(m, { maxPixels: -1 }))).toEqual({ message: 'options.maxPixels: expected an integer ≥ 1, got -1', exitCode: ExitCode.usage });
      expect(await refusal(() => build(m, { fetch: { maxBytes: 0 } }))).toEqual({ message: 'options.fetch.maxBytes: expected an integer ≥ 1, got 0', exitCode: ExitCode.usage });
      expect(await refusal(() => build(m, { fetch: { connectTimeout: Number.NaN } }))).toEqual({
        message: 'options.fetch.connectTimeout: expected a number of milliseconds > 0, got NaN',
        exitCode: ExitCode.usage,
      });
      // Unknown keys are errors, so a typo surfaces instead of silently meaning the default.
      expect(await refusal(() => build(m, { fetch: { concurency: 4 } } as never))).toEqual({
        message: 'options.fetch.concurency: unknown option; did you mean "concurrency"?',
        exitCode: ExitCode.usage,
      });
      expect((await refusal(() => build(m, { maxPixel: 10 } as never))).message).toBe('options.maxPixel: unknown option; did you mean "maxPixels"?');
      expect((await refusal(() => build(m, { fetch: 4 } as never))).message).toBe('options.fetch: expected an object, got 4');
      expect(server.requests).toHaveLength(0);
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('plan and validate check their options', async () => {
    const dir = await tempDir();
    const m = manifest(path.join(dir, 'out.png'), ['a.jpg']);
    expect((await refusal(() => plan(m, { maxPixels: 0.5 }))).message).toBe('options.maxPixels: expected an integer ≥ 1, got 0.5');
    expect((await refusal(() => plan(m, { jobTimeout: -5 }))).message).toBe('options.jobTimeout: expected a number of milliseconds > 0, got -5');
    expect((await refusal(() => validate(m, { followSymlinks: 'yes' } as never))).message).toBe('options.followSymlinks: expected true or false, got "yes"');
    expect((await refusal(() => validate(m, { fetch: {} } as never))).message).toBe('options.fetch: unknown option');
  });

  it('batch: jobs 0 is an error, not a silent 1', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'a.json'), JSON.stringify(manifest('a.png', ['a.jpg'])));
    expect(await refusal(() => batch([dir], { jobs: 0 }))).toEqual({ message: 'options.jobs: expected an integer ≥ 1, got 0', exitCode: ExitCode.usage });
    expect((await refusal(() => batch([dir], { lock: 'never' as never }))).message).toBe('options.lock: expected "wait" or "skip", got "never"');
    expect((await refusal(() => batch([dir], { output: 'x.png' } as never))).message).toBe('options.output: unknown option');
    expect(await readdir(dir)).toEqual(['a.json']);
  });

  it('the queue functions check their options before connecting', async () => {
    // Nothing listens on this port: an option error must come first, not a connection error.
    const redis = 'redis://127.0.0.1:9';
    expect(await refusal(() => enqueue([], { redis, attempts: 0 }))).toEqual({ message: 'options.attempts: expected an integer ≥ 1, got 0', exitCode: ExitCode.usage });
    expect((await refusal(() => enqueue([], { redis, render: { fetch: { retries: -1 } } }))).message).toBe('options.render.fetch.retries: expected an integer ≥ 0, got -1');
    expect((await refusal(() => enqueue([], { redis, render: { fetch: { cacheDir: '/tmp' } } } as never))).message).toBe('options.render.fetch.cacheDir: unknown option');
    expect((await refusal(() => queueBatch([], { redis, force: 1 } as never))).message).toBe('options.force: expected true or false, got 1');
    expect((await refusal(() => startWorker({ redis, concurrency: 0 }))).message).toBe('options.concurrency: expected an integer ≥ 1, got 0');
    expect((await refusal(() => startWorker({ redis: 6379 } as never))).message).toBe('options.redis: expected a redis:// URL, got 6379');
    expect((await refusal(() => queueStatus({ redis, limit: 0 }))).message).toBe('options.limit: expected an integer ≥ 1, got 0');
  });
});

describe('good library options', () => {
  it('build with every kind of option set still renders', async () => {
    const dir = await tempDir();
    const server = await startServer(
      serveFiles(
        new Map([
          ['/a.jpg', await solidImage([200, 0, 0], 20, 20)],
          ['/b.jpg', await solidImage([0, 0, 200], 20, 20)],
        ]),
      ),
    );
    try {
      const output = path.join(dir, 'out.png');
      const events: string[] = [];
      const report = await build(manifest(output, [`${server.url}/a.jpg`, `${server.url}/b.jpg`]), {
        fetch: { concurrency: 1, perHost: 1, maxBytes: 1_000_000, connectTimeout: 5_000, retries: 0, retryBaseDelay: 0, cacheDir: null, headers: {} },
        maxPixels: 1_000_000,
        maxMemory: 512 * 1024 * 1024,
        jobTimeout: 600_000,
        signal: new AbortController().signal,
        onProgress: (event) => events.push(event.type),
        outputRoot: dir,
        followSymlinks: false,
        cellCache: null,
        recordInputs: true,
        format: 'png',
      });
      expect(report.images.failed).toEqual([]);
      expect(server.requests).toHaveLength(2);
      expect(events.at(-1)).toBe('written');
      const pixels = await readPixels(output);
      expect([pixels.width, pixels.height]).toEqual([40, 20]);
      expect(pixels.at(5, 10)[0]).toBeGreaterThan(150);
      expect(pixels.at(35, 10)[2]).toBeGreaterThan(150);
    } finally {
      await server.close();
    }
  });

  it('validate and plan accept their options', async () => {
    const dir = await tempDir();
    const m = manifest(path.join(dir, 'out.png'), ['a.jpg', 'b.jpg']);
    const spec = await validate(m, { root: dir, followSymlinks: false, dpi: 300, cwd: dir });
    expect(spec.images).toHaveLength(2);
    const layout = await plan(m, { maxPixels: 10, jobTimeout: 1000, fetch: { concurrency: 1 } });
    expect(layout.placements).toHaveLength(2);
  });
});
