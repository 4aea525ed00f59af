/**
 * `npm run bench -- --pipeline`: collage against itself, variant by variant, in interleaved
 * rounds (each row is the median-wall run; ratios are within one run, so they hold on a noisy
 * machine better than the seconds do). 1,095 flickr-size photos on a 36×24 in, 300 dpi poster:
 *
 * - rebuild: the seed job (local photos, grid of 40 columns, 1.5 in mirror bleed): a cold build
 *   without the cell cache, a cold build writing it, and the rebuild after appending one photo to
 *   a warm cache (the nightly photo-a-day job);
 * - rebuild-calendar: the same as a photo-a-day calendar (cold, and warm after one day appended);
 * - network: the same poster (no bleed) from local files and over loopback HTTP/1.1 at 40 ms;
 * - tls-40 / tls-100: over a local TLS server with 40 and 100 ms a response, HTTP/2 (default)
 *   and HTTP/1.1 (--http1);
 * - bleed: local files, no bleed vs 1.5 in mirror, extend and colour bleed (peak RSS too).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DATA_DIR, ensureInputs, flickrSpec } from './data.js';
import { measure } from './measure.js';

interface Variant {
  name: string;
  /** Untimed, before every round's timed run (e.g. warm the cell cache). */
  prepare?: () => Promise<void>;
  args: string[];
  env?: NodeJS.ProcessEnv;
}

interface Group {
  name: string;
  variants: Variant[];
}

interface Row {
  group: string;
  variant: string;
  wallS: number;
  cpuS: number;
  peakRssMB: number;
  walls: number[];
  images?: { decoded?: number; cellCached?: number };
  /** Output bands taken whole from the cell cache (report `output.bandsReused`). */
  bandsReused?: number;
  imagesCpuPerWall?: number;
}

const PHOTOS = 1095;

export async function runPipeline(options: { cli: string; rounds: number; filters: string[]; threadPool: string; outDir: string; log: (line: string) => void }): Promise<void> {
  const { cli, log } = options;
  const flickr = await ensureInputs(
    Array.from({ length: PHOTOS }, (_, i) => flickrSpec(i)),
    log,
  );
  const work = path.join(options.outDir, 'pipeline');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const local = flickr.map((f) => path.join(DATA_DIR, f.file));
  const base = {
    quality: 92,
    size: { width: '36in', height: '24in', dpi: 300 },
    background: '#ffffff',
    margin: '0.25in',
    gap: '2mm',
    layout: { type: 'grid', columns: 40, fit: 'cover' },
  };
  const manifest = (name: string, images: unknown[], extra: Record<string, unknown> = {}) => {
    const file = path.join(work, `${name}.json`);
    writeFileSync(file, JSON.stringify({ ...base, output: `${name}.jpg`, ...extra, images }));
    return file;
  };
  const build = (file: string, ...more: string[]) => [cli, 'build', file, '--json', '-o', path.join(work, `${path.basename(file, '.json')}-out.jpg`), ...more];

  // A TLS certificate for the HTTPS server (openssl; the client trusts it through NODE_EXTRA_CA_CERTS).
  const tls = path.join(work, 'tls');
  mkdirSync(tls, { recursive: true });
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout',
      path.join(tls, 'key.pem'),
      '-out',
      path.join(tls, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  const servers: ChildProcess[] = [];
  const serve = async (latency: number, secure: boolean) => {
    const args = [path.join(import.meta.dirname, 'server.mjs'), DATA_DIR, String(latency), ...(secure ? [path.join(tls, 'key.pem'), path.join(tls, 'cert.pem')] : [])];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    servers.push(child);
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        const match = /PORT (\d+)/.exec(out);
        if (match) resolve(Number(match[1]));
      });
      child.on('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
    });
    return `${secure ? 'https' : 'http'}://127.0.0.1:${port}`;
  };

  const groups: Group[] = [];
  const seed = { bleed: { size: '1.5in', mode: 'mirror' } };
  const cellDir = path.join(work, 'cells');
  const seed1094 = manifest('seed-1094', local.slice(0, PHOTOS - 1), seed);
  const seed1095 = manifest('seed-1095', local, seed);
  groups.push({
    name: 'rebuild',
    variants: [
      { name: 'cold, no cell cache', args: build(seed1095, '--no-cache', '--no-cell-cache') },
      {
        name: 'cold, writing the cell cache',
        prepare: async () => rmSync(cellDir, { recursive: true, force: true }),
        args: build(seed1095, '--no-cache', '--cell-cache', cellDir),
      },
      {
        name: 'warm, one photo appended',
        // The cache as last night's build of 1,094 photos left it.
        prepare: async () => {
          rmSync(cellDir, { recursive: true, force: true });
          await measure(build(seed1094, '--no-cache', '--cell-cache', cellDir), { cwd: work, timeoutMs: 30 * 60_000, env: { UV_THREADPOOL_SIZE: options.threadPool } });
        },
        args: build(seed1095, '--no-cache', '--cell-cache', cellDir),
      },
    ],
  });
  // The same nightly job as a photo-a-day calendar: each photo dated in the manifest a day apart
  // from 2022-01-01, every 100th on the day before (a duplicate and a missed day), as run.ts's
  // calendar.json; dateFrom stays "exif", so every header is needed before the layout.
  const day = (i: number) => new Date(Date.UTC(2022, 0, 1 + i - (i % 100 === 99 ? 1 : 0))).toISOString().slice(0, 10);
  const dated = (files: string[]) => files.map((src, i) => ({ src, date: day(i) }));
  const calendar = { ...seed, layout: { type: 'calendar', fit: 'cover' } };
  const calendar1094 = manifest('calendar-1094', dated(local.slice(0, PHOTOS - 1)), calendar);
  const calendar1095 = manifest('calendar-1095', dated(local), calendar);
  const calendarCells = path.join(work, 'calendar-cells');
  groups.push({
    name: 'rebuild-calendar',
    variants: [
      { name: 'calendar cold, no cell cache', args: build(calendar1095, '--no-cache', '--no-cell-cache') },
      {
        name: 'calendar warm, one day appended',
        prepare: async () => {
          rmSync(calendarCells, { recursive: true, force: true });
          await measure(build(calendar1094, '--no-cache', '--cell-cache', calendarCells), { cwd: work, timeoutMs: 30 * 60_000, env: { UV_THREADPOOL_SIZE: options.threadPool } });
        },
        args: build(calendar1095, '--no-cache', '--cell-cache', calendarCells),
      },
    ],
  });
  const http40 = await serve(40, false);
  groups.push({
    name: 'network',
    variants: [
      { name: 'local files', args: build(manifest('local', local), '--no-cache', '--no-cell-cache') },
      {
        name: 'HTTP/1.1, 40 ms',
        args: build(
          manifest(
            'http-40',
            flickr.map((f) => `${http40}/${f.file}`),
          ),
          '--no-cache',
          '--no-cell-cache',
        ),
      },
    ],
  });
  for (const latency of [40, 100]) {
    const https = await serve(latency, true);
    const file = manifest(
      `tls-${latency}`,
      flickr.map((f) => `${https}/${f.file}`),
    );
    const env = { NODE_EXTRA_CA_CERTS: path.join(tls, 'cert.pem') };
    groups.push({
      name: `tls-${latency}`,
      variants: [
        { name: `HTTP/1.1 over TLS, ${latency} ms`, args: build(file, '--no-cache', '--no-cell-cache', '--http1'), env },
        { name: `HTTP/2, ${latency} ms`, args: build(file, '--no-cache', '--no-cell-cache'), env },
      ],
    });
  }
  groups.push({
    name: 'bleed',
    variants: [
      { name: 'no bleed', args: build(manifest('bleed-none', local), '--no-cache', '--no-cell-cache') },
      ...(['mirror', 'extend', 'color'] as const).map((mode) => ({
        name: `${mode} bleed 1.5 in`,
        args: build(manifest(`bleed-${mode}`, local, { bleed: { size: '1.5in', mode }, ...(mode === 'color' && { cropMarks: true }) }), '--no-cache', '--no-cell-cache'),
      })),
    ],
  });

  const chosen = groups.filter((g) => options.filters.length === 0 || options.filters.some((f) => g.name.includes(f)));
  const rows: Row[] = [];
  try {
    for (const group of chosen) {
      const runs = new Map<string, Row[]>();
      for (let round = 1; round <= options.rounds; round++) {
        for (const variant of group.variants) {
          await variant.prepare?.();
          log(`${group.name}: ${variant.name} round ${round}/${options.rounds} (load average ${os.loadavg()[0]!.toFixed(2)}) …`);
          const m = await measure(variant.args, { cwd: work, timeoutMs: 30 * 60_000, env: { UV_THREADPOOL_SIZE: options.threadPool, ...variant.env } });
          if (m.exitCode !== 0 || m.cpuS === null || m.peakRssMB === null)
            throw new Error(`${group.name} / ${variant.name}: exit ${m.exitCode}: ${m.stderr.trim().split('\n').slice(-2).join(' | ')}`);
          const report = JSON.parse(m.stdout) as {
            images: { decoded?: number; cellCached?: number };
            output: { bandsReused?: number };
            timings: { images: number; imagesCpu: number };
          };
          const row: Row = {
            group: group.name,
            variant: variant.name,
            wallS: round2(m.wallS),
            cpuS: round2(m.cpuS),
            peakRssMB: Math.round(m.peakRssMB),
            walls: [],
            images: { decoded: report.images.decoded, cellCached: report.images.cellCached },
            bandsReused: report.output.bandsReused ?? 0,
            imagesCpuPerWall: report.timings.images ? round2(report.timings.imagesCpu / report.timings.images) : undefined,
          };
          log(`  ${row.wallS} s wall, ${row.cpuS} s CPU, ${row.peakRssMB} MB peak; decoded ${row.images?.decoded}, from the cell cache ${row.images?.cellCached}`);
          runs.set(variant.name, [...(runs.get(variant.name) ?? []), row]);
        }
      }
      for (const variant of group.variants) {
        const all = runs.get(variant.name)!;
        const median = [...all].sort((a, b) => a.wallS - b.wallS)[Math.floor((all.length - 1) / 2)]!;
        rows.push({ ...median, walls: all.map((r) => r.wallS) });
      }
    }
  } finally {
    for (const server of servers) server.kill('SIGTERM');
  }

  const table = rows.map((r) => {
    const first = rows.find((x) => x.group === r.group)!;
    return [
      r.group,
      r.variant,
      r.wallS.toFixed(2),
      r.cpuS.toFixed(2),
      String(r.peakRssMB),
      (r.wallS / first.wallS).toFixed(2),
      (r.peakRssMB / first.peakRssMB).toFixed(2),
      String(r.images?.decoded ?? ''),
      String(r.images?.cellCached ?? ''),
      String(r.bandsReused ?? ''),
      r.imagesCpuPerWall?.toFixed(2) ?? '',
      r.walls.map((w) => w.toFixed(2)).join(' '),
    ];
  });
  console.log(
    `\ncollage pipeline bench — ${new Date().toISOString()}, node ${process.version}, ${os.availableParallelism()} CPUs, load average ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  console.log(
    `${PHOTOS} flickr-size photos, 36×24 in at 300 dpi, grid of 40 columns, JPEG; each row the median-wall run of ${options.rounds} interleaved round(s); ratios against the group's first row.\n`,
  );
  const header = ['group', 'variant', 'wall s', 'CPU s', 'peak RSS MB', 'wall ÷ first', 'RSS ÷ first', 'decoded', 'cell-cached', 'bands reused', 'img CPU/wall', 'rounds'];
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of table) console.log(line(row));
  mkdirSync(options.outDir, { recursive: true });
  writeFileSync(
    path.join(options.outDir, 'pipeline.json'),
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, rounds: options.rounds, rows }, null, 2)}\n`,
  );
  if (!existsSync(path.join(options.outDir, 'pipeline.json'))) throw new Error('pipeline.json not written');
}

function round2(n: number): number {
  return Number(n.toFixed(2));
}
