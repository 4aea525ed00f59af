/** `collage batch` end to end: the built CLI against a real loopback server and real files. */
import { existsSync } from 'node:fs';
import { readFile, readdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../src/index.js';
import type { BatchReport } from '../src/batch/index.js';
import { runCli } from './support/cli.js';
import { useTempDirs } from './support/files.js';
import { distinctColor, readPixels, solidImage } from './support/images.js';
import { manifestName, outputName, startImageServer, strayFiles, writeBatchFolder, type ImageServer } from './support/batch-fixture.js';

const tempDir = useTempDirs();
const FAST = ['--retries', '0'];
let server: ImageServer;
beforeAll(async () => {
  server = await startImageServer(20);
});
afterEach(() => server.release());
afterAll(() => server.close());

const byStatus = (report: BatchReport, status: string) =>
  report.jobs
    .filter((j) => j.status === status)
    .map((j) => j.manifest)
    .sort();

describe('collage batch', () => {
  it('builds 20 manifests 4 at a time: 18 outputs, exit 2, both failures named; a re-run skips all; one change rebuilds one job', async () => {
    const dir = await tempDir();
    const cacheDir = path.join(await tempDir(), 'cache');
    await writeBatchFolder(dir, server, 20, { invalid: 13, dead: 7 });
    const args = ['batch', '.', '--jobs', '4', '--cache-dir', cacheDir, ...FAST];

    // A report inside the folder would be read as a (broken) manifest on the next run: keep it outside.
    const reportFile = path.join(await tempDir(), 'report.json');
    const first = await runCli([...args, '--json', '--report', reportFile], { cwd: dir });
    expect(first.code).toBe(2); // an invalid manifest wins over a failed job
    const report = JSON.parse(first.stdout) as BatchReport;
    expect(JSON.parse(await readFile(reportFile, 'utf8'))).toEqual(report);
    expect(report.summary).toMatchObject({ total: 20, built: 18, skipped: 0, failed: 1, invalid: 1 });
    expect(report.concurrency).toBe(4);
    const failed = report.jobs.find((j) => j.status === 'failed')!;
    expect(failed.manifest).toBe(manifestName(7));
    expect(failed.exitCode).toBe(3);
    expect(failed.reason).toContain('/dead.png: HTTP 404');
    expect(failed.images?.failed).toEqual([expect.objectContaining({ src: `${server.url}/dead.png`, status: 404 })]);
    const invalid = report.jobs.find((j) => j.status === 'invalid')!;
    expect(invalid.manifest).toBe(manifestName(13));
    expect(invalid.reason).toMatch(/unknown key "colums"/);
    const outputs = (await readdir(dir)).filter((f) => /^out\d\d\.png$/.test(f));
    expect(outputs).toHaveLength(18);
    expect(outputs).not.toContain(outputName(7));
    expect(outputs).not.toContain(outputName(13));
    const pixels = await readPixels(path.join(dir, outputName(0)));
    expect([pixels.width, pixels.height]).toEqual([100, 100]);
    expect(await strayFiles(dir)).toEqual([]);

    // Second run: nothing built, every skip says what was checked; only conditional HEADs go out.
    const before = server.requests.length;
    const second = await runCli([...args, '--json'], { cwd: dir });
    const again = JSON.parse(second.stdout) as BatchReport;
    expect(second.code).toBe(2);
    expect(again.summary).toMatchObject({ built: 0, skipped: 18, failed: 1, invalid: 1 });
    for (const job of again.jobs.filter((j) => j.status === 'skipped')) {
      expect(job.reason).toBe('up to date: manifest, options and output unchanged; inputs checked: 1 file by size+mtime, 1 URL by conditional HEAD');
    }
    const requests = server.requests.slice(before);
    expect(requests.filter((r) => r.path.startsWith('/img/')).every((r) => r.method === 'HEAD' && r.headers['if-none-match'])).toBe(true);
    // How fast an up-to-date re-run is belongs to `npm run bench` (speed checks), not here.

    // Touch one manifest, replace one served image (new ETag), rewrite one local file: exactly those rebuild.
    const later = new Date(Date.now() + 5000);
    await utimes(path.join(dir, manifestName(2)), later, later);
    server.set('5.png', await solidImage([1, 2, 3], 24, 24, 'png'));
    await writeFile(path.join(dir, 'local', '9.png'), await solidImage(distinctColor(99), 18, 18, 'png'));
    const third = JSON.parse((await runCli([...args, '--json'], { cwd: dir })).stdout) as BatchReport;
    expect(byStatus(third, 'built')).toEqual([manifestName(2), manifestName(5), manifestName(9)]);
    const reasons = Object.fromEntries(third.jobs.map((j) => [j.manifest, j.reason]));
    expect(reasons[manifestName(2)]).toBe('manifest modified (mtime) since the last build');
    expect(reasons[manifestName(5)]).toMatch(/^input http:.*\/img\/5\.png changed or unverifiable: ETag "v\d+" → "v\d+"$/);
    expect(reasons[manifestName(9)]).toBe('input local/9.png changed (size or mtime)');
    expect(third.summary.skipped).toBe(15);

    // --force rebuilds all; a changed option rebuilds all.
    const forced = JSON.parse((await runCli([...args, '--json', '--force'], { cwd: dir })).stdout) as BatchReport;
    expect(forced.summary.built).toBe(18);
    expect(forced.jobs.find((j) => j.status === 'built')!.reason).toBe('forced (--force)');
    const reoptioned = JSON.parse((await runCli([...args, '--json', '--background', 'black'], { cwd: dir })).stdout) as BatchReport;
    expect(reoptioned.summary.built).toBe(18);
    expect(reoptioned.jobs.find((j) => j.status === 'built')!.reason).toBe('options changed');
  });

  it('prints a plain table and plain event lines without a TTY; --log-format json gives one JSON object per line', async () => {
    const dir = await tempDir();
    await writeBatchFolder(dir, server, 3, { dead: 1 });
    const text = await runCli(['batch', dir, ...FAST], { cwd: dir });
    expect(text.code).toBe(3);
    expect(text.stdout).toMatch(/^status\s+manifest\s+size\s+time\s+low-res\s+reason$/m);
    // The column: photos under the default 150 dpi, and the lowest. Each manifest's cells are 1×2 in;
    // its local 16 px square photo covers one at 8 dpi (its served 24 px one at 12).
    expect(text.stdout).toMatch(/^built\s+m00\.json\s+\S+ \S+\s+[\d.]+ s\s+2 \(8 dpi\)\s+/m);
    expect(text.stdout).toMatch(/^3 jobs: 2 built, 0 skipped, 1 failed, 0 invalid in [\d.]+ s \(\d+ at a time\)$/m);
    expect(text.stderr).toMatch(/^collage: failed m01\.json: 1 of 2 images failed, nothing written: .*dead\.png: HTTP 404$/m);
    expect(text.stdout + text.stderr).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);

    const json = await runCli(['batch', dir, '--log-format', 'json', '--quiet', ...FAST], { cwd: dir });
    expect(json.code).toBe(3);
    const events = json.stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { event: string; status?: string });
    expect(events[0]!.event).toBe('batch-start');
    expect(events.at(-1)!.event).toBe('batch-end');
    expect(
      events
        .filter((e) => e.event === 'job-end')
        .map((e) => e.status)
        .sort(),
    ).toEqual(['failed', 'skipped', 'skipped']);
  });

  it('reports arguments that name nothing, and globs', async () => {
    const dir = await tempDir();
    await writeBatchFolder(dir, server, 3);
    const result = await runCli(['batch', 'm0[01].json', 'missing.json', ...FAST, '--json'], { cwd: dir });
    expect(result.code).toBe(2);
    const report = JSON.parse(result.stdout) as BatchReport;
    expect(report.jobs.map((j) => [j.manifest, j.status])).toEqual([
      ['missing.json', 'invalid'],
      ['m00.json', 'built'],
      ['m01.json', 'built'],
    ]);
    expect(report.jobs[0]!.reason).toBe('no such file or folder');
  });

  it('works with an empty environment (env -i style), no prompt, no colour', async () => {
    const dir = await tempDir();
    await writeBatchFolder(dir, server, 2);
    const home = await tempDir();
    const result = await runCli(['batch', '.', ...FAST], {
      cwd: dir,
      env: { ...Object.fromEntries(Object.keys(process.env).map((k) => [k, undefined])), PATH: process.env.PATH, HOME: home },
    });
    expect(result.code).toBe(0);
    expect(existsSync(path.join(home, '.cache', 'collage'))).toBe(true);
    expect(result.stdout + result.stderr).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
  });
});

describe('build() with an AbortSignal', () => {
  it('rejects mid-run, writes no output and leaves no temp file', async () => {
    const dir = await tempDir();
    await writeBatchFolder(dir, server, 4);
    // The download is held and never answered before the rejection: abort must not wait for it
    // (its timeouts, an hour, are far past the test's).
    server.hold();
    const controller = new AbortController();
    const seen = server.requests.length;
    const pending = build(path.join(dir, manifestName(0)), { signal: controller.signal, fetch: { retries: 0, headersTimeout: 3_600_000, downloadTimeout: 3_600_000 } });
    await server.arrived(seen + 1);
    controller.abort(new Error('stop'));
    await expect(pending).rejects.toThrow('stop');
    server.release();
    expect(existsSync(path.join(dir, outputName(0)))).toBe(false);
    expect(await strayFiles(dir)).toEqual([]);
  });
});
