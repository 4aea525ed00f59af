/**
 * `npm run bench`: times `collage build` end to end against a naive canvas baseline and a sharp
 * baseline, on deterministic photo-like inputs served over loopback HTTP with 40 ms latency.
 * See bench/README.md. Flags: --help.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { threadPoolSize } from '../src/machine.js';
import { DEFAULT_FETCH_OPTIONS } from '../src/sources/index.js';
import { DATA_DIR, ensureInputs, flickrSpec, originalSpec, type InputFile } from './data.js';
import { measure, type Measurement } from './measure.js';
import { runPipeline } from './pipeline.js';
import { printSpeedChecks, runSpeedChecks, type SpeedCheck } from './speed-checks.js';

const ROOT = path.join(import.meta.dirname, '..');
// The command's entry (bin.cjs sizes libuv's pool first); builds from before it have only index.js.
const cliEntry = (dist: string) => (existsSync(path.join(dist, 'cli', 'bin.cjs')) ? path.join(dist, 'cli', 'bin.cjs') : path.join(dist, 'cli', 'index.js'));
let CLI = cliEntry(path.join(ROOT, 'dist'));
const OUT_DIR = path.join(import.meta.dirname, 'out');
/** Every system gets the libuv pool the collage command gives itself (bin.cjs): the same concurrency. */
const THREAD_POOL = process.env.UV_THREADPOOL_SIZE || String(threadPoolSize());
const SYSTEMS = ['collage', 'calendar', 'proof', 'sharp', 'naive', 'montage', 'floor', 'proof-floor'] as const;
type System = (typeof SYSTEMS)[number];
type Format = 'jpeg' | 'png';
const PHASES = ['fetch', 'decode', 'draw', 'encode', 'write'] as const;
/** Naive baseline keeps every decoded photo alive; above this estimate it is skipped (see --force). */
const NAIVE_MEMORY_LIMIT = 10 * 1024 ** 3;

const HELP = `usage: npm run bench -- [options] [scenario-filter …]

Default: a quick set (grid-100/300/1095 JPEG, grid-300 PNG, originals-120 JPEG) at 300 dpi on a
36×24 in poster; every scenario runs collage, collage proof (the ~2,000 px preview of the same
manifest), the sharp baseline, the naive canvas baseline, ImageMagick montage (when on PATH) and
the decode floor (every photo decoded to its cell from memory: no network, poster or encode).
Grid scenarios also run "calendar": collage building the same photos as a calendar layout (a day
each from 2022-01-01, dates in the manifest, headers read first as for EXIF dates), reported
against the grid build of the same round (calendar/grid).

  --pipeline          instead: collage against itself (bench/pipeline.ts): rebuild after appending a
                      photo with a warm cell cache vs cold (grid and calendar); local files vs HTTP at 40 ms; HTTP/2 vs
                      HTTP/1.1 over TLS at 40 and 100 ms; no bleed vs mirror, extend, colour bleed.
                      Filters pick groups: rebuild, rebuild-calendar, network, tls-40, tls-100, bleed
  --full              scaling table 100/300/1095/3000, JPEG and PNG, plus the originals in both formats
  --photos N          only grid scenarios with N photos (JPEG and PNG); add --originals to keep those
  --originals         with --photos: also run the 120 12-Mpx originals
  --format jpeg|png   only this output format
  --dpi N             poster resolution (default 300 → 10800×7200; 150 → 5400×3600)
  --only LIST         systems to run, comma-separated: collage,calendar,proof,sharp,naive,montage,floor,proof-floor (default all)
  --latency MS        server latency per response (default 40)
  --per-host N        connections per host for every system (default: collage's, ${DEFAULT_FETCH_OPTIONS.perHost})
  --concurrency N     images in flight for every system (default: collage's, ${DEFAULT_FETCH_OPTIONS.concurrency})
  --force             run the naive baseline even when it would hold > 10 GB of decoded photos
  --keep              keep the rendered posters in bench/out/work/
  --rounds N          run every scenario N times, systems interleaved, and report each system's
                      median-wall run (ratios from medians); the machine is shared and noisy
  --no-warmup         skip the untimed warm-up run
  --checks            run only the speed checks (bench/speed-checks.ts: the canvas pin's draw speed,
                      mosaic planning, bomb refusal, an up-to-date batch), ~1 min
  --no-checks         skip the speed checks (they run first by default; one over budget exits 1)
  --dist DIR          run collage from another build of it (e.g. one of main) instead of dist/, for A/B
  scenario-filter     substrings of scenario names to keep, e.g. "originals" or "grid-300"

Results: a table on stdout and bench/out/results.json. Inputs are cached in bench/.data/.`;

interface RunResult {
  scenario: string;
  system: System;
  status: 'ok' | 'failed' | 'skipped';
  reason?: string;
  wallS?: number;
  cpuS?: number;
  userS?: number;
  systemS?: number;
  cpuPerWall?: number;
  peakRssMB?: number;
  polledHwmMB?: number;
  outputBytes?: number;
  /** Mean absolute difference (0..255) from collage's output, compared at 1/20 scale. */
  diffVsCollage?: number;
  /** ms; fetch/decode/draw are summed over images (they overlap), the rest wall time. */
  timings?: Record<string, number>;
  /** 1-minute load average just before the run: other work on the machine skews wall times. */
  loadAvg1?: number;
  /** With --rounds: which round (1..N), and every round's wall time for this system (the row is the median one). */
  round?: number;
  wallsS?: number[];
}

function parseCli() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      full: { type: 'boolean', default: false },
      pipeline: { type: 'boolean', default: false },
      photos: { type: 'string' },
      originals: { type: 'boolean', default: false },
      format: { type: 'string' },
      dpi: { type: 'string', default: '300' },
      only: { type: 'string' },
      latency: { type: 'string', default: '40' },
      'per-host': { type: 'string' },
      concurrency: { type: 'string' },
      force: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      'no-warmup': { type: 'boolean', default: false },
      checks: { type: 'boolean', default: false },
      'no-checks': { type: 'boolean', default: false },
      rounds: { type: 'string', default: '1' },
      dist: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  const number = (name: string, value: string | undefined, min: number): number | undefined => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isFinite(n) || n < min) fail(`--${name} must be a number ≥ ${min}`);
    return n;
  };
  const only = values.only ? values.only.split(',').map((s) => s.trim()) : [...SYSTEMS];
  for (const system of only) if (!SYSTEMS.includes(system as System)) fail(`--only: unknown system "${system}" (use ${SYSTEMS.join(', ')})`);
  if (values.dist) CLI = cliEntry(path.resolve(values.dist));
  if (values.format && values.format !== 'jpeg' && values.format !== 'png') fail('--format must be jpeg or png');
  return {
    pipeline: values.pipeline,
    full: values.full,
    photos: number('photos', values.photos, 1),
    originals: values.originals,
    format: values.format as Format | undefined,
    dpi: number('dpi', values.dpi, 1)!,
    systems: SYSTEMS.filter((s) => only.includes(s) && (s !== 'montage' || commandExists('montage'))),
    latency: number('latency', values.latency, 0)!,
    perHost: number('per-host', values['per-host'], 1) ?? DEFAULT_FETCH_OPTIONS.perHost,
    concurrency: number('concurrency', values.concurrency, 1) ?? DEFAULT_FETCH_OPTIONS.concurrency,
    force: values.force,
    keep: values.keep,
    warmup: !values['no-warmup'],
    checksOnly: values.checks,
    checks: !values['no-checks'],
    rounds: number('rounds', values.rounds, 1)!,
    filters: positionals,
  };
}
type Options = ReturnType<typeof parseCli>;

function fail(message: string): never {
  console.error(`bench: ${message}`);
  process.exit(2);
}

function log(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}

/** Scenario names and input sets for the options, before generating anything. */
function planScenarios(options: Options): Array<{ name: string; kind: 'grid' | 'originals'; count: number; format: Format }> {
  const list: Array<{ name: string; kind: 'grid' | 'originals'; count: number; format: Format }> = [];
  const add = (kind: 'grid' | 'originals', count: number, format: Format) => list.push({ name: `${kind}-${count}/${format}`, kind, count, format });
  if (options.photos !== undefined) {
    add('grid', options.photos, 'jpeg');
    add('grid', options.photos, 'png');
    if (options.originals) {
      add('originals', 120, 'jpeg');
      add('originals', 120, 'png');
    }
  } else if (options.full) {
    for (const n of [100, 300, 1095, 3000]) add('grid', n, 'jpeg');
    for (const n of [100, 300, 1095, 3000]) add('grid', n, 'png');
    add('originals', 120, 'jpeg');
    add('originals', 120, 'png');
  } else {
    for (const n of [100, 300, 1095]) add('grid', n, 'jpeg');
    add('grid', 300, 'png');
    add('originals', 120, 'jpeg');
  }
  return list.filter((s) => (!options.format || s.format === options.format) && (options.filters.length === 0 || options.filters.some((f) => s.name.includes(f))));
}

async function startServer(dir: string, latency: number): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [path.join(import.meta.dirname, 'server.mjs'), dir, String(latency)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let buffered = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      const match = /PORT (\d+)/.exec(buffered);
      if (match) resolve(Number(match[1]));
    });
    child.on('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
    child.on('error', reject);
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

function writeManifest(dir: string, url: string, inputs: InputFile[], format: Format, dpi: number): void {
  const manifest = {
    output: format === 'png' ? 'collage.png' : 'collage.jpg',
    quality: 92,
    size: { width: '36in', height: '24in', dpi },
    background: '#ffffff',
    margin: '0.25in',
    gap: '2mm',
    layout: { type: 'grid', fit: 'cover' },
    images: inputs.map((input) => `${url}/${input.file}`),
  };
  writeFileSync(path.join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  // The same photos as a photo-a-day calendar. The inputs have no EXIF dates: each takes a day
  // in the manifest, a day apart from 2022-01-01, except that every 100th shares the day before
  // (a duplicate and a missed day). dateFrom stays "exif", so every header is read before the
  // layout, as for a real photo-a-day job.
  const day = (i: number) => new Date(Date.UTC(2022, 0, 1 + i - (i % 100 === 99 ? 1 : 0))).toISOString().slice(0, 10);
  const calendar = { ...manifest, layout: { type: 'calendar', fit: 'cover' }, images: inputs.map((input, i) => ({ src: `${url}/${input.file}`, date: day(i) })) };
  writeFileSync(path.join(dir, 'calendar.json'), `${JSON.stringify(calendar, null, 2)}\n`);
}

interface Plan {
  canvas: { width: number; height: number; background: string };
  placements: Array<{ src: string; x: number; y: number; width: number; height: number }>;
}

/** The job file the baselines read: collage's own plan, so every system draws the same cells. */
function writeJob(dir: string, format: Format, fetch: { concurrency: number; perHost: number }): { width: number; height: number } {
  const plan = JSON.parse(execFileSync(process.execPath, [CLI, 'plan', 'manifest.json'], { cwd: dir, encoding: 'utf8', maxBuffer: 64 << 20 })) as Plan;
  const [r = 255, g = 255, b = 255] = (plan.canvas.background.match(/\d+/g) ?? []).map(Number);
  const job = {
    width: plan.canvas.width,
    height: plan.canvas.height,
    background: { r, g, b },
    format,
    quality: 92,
    output: '',
    concurrency: fetch.concurrency,
    perHost: fetch.perHost,
    placements: plan.placements.map(({ src, x, y, width, height }) => ({ url: src, x, y, width, height })),
  };
  for (const system of ['naive', 'sharp', 'montage', 'floor'] as const) {
    writeFileSync(path.join(dir, `job-${system}.json`), JSON.stringify({ ...job, output: path.join(dir, `${system}.${format === 'png' ? 'png' : 'jpg'}`) }));
  }
  // The proof's floor: every photo decoded to its cell on the ~2,000 px proof (proof/index.ts's
  // PROOF_LONG_EDGE), from memory, as the floor does it.
  const scale = Math.min(1, 2000 / Math.max(plan.canvas.width, plan.canvas.height));
  const proofPlacements = job.placements.map((p) => ({ ...p, width: Math.max(1, Math.round(p.width * scale)), height: Math.max(1, Math.round(p.height * scale)) }));
  writeFileSync(path.join(dir, 'job-proof-floor.json'), JSON.stringify({ ...job, placements: proofPlacements, output: '' }));
  return { width: plan.canvas.width, height: plan.canvas.height };
}

function outputFile(dir: string, system: System, format: Format): string {
  const ext = format === 'png' || system === 'proof' ? 'png' : 'jpg';
  return path.join(dir, `${system}.${ext}`);
}

async function runSystem(
  system: System,
  dir: string,
  format: Format,
  fetch: { concurrency: number; perHost: number },
): Promise<{ m: Measurement; timings?: Record<string, number>; bytes?: number; error?: string }> {
  const args =
    system === 'collage' || system === 'calendar' || system === 'proof'
      ? [
          CLI,
          system === 'proof' ? 'proof' : 'build',
          system === 'calendar' ? 'calendar.json' : 'manifest.json',
          '--json',
          '--no-cache',
          '--concurrency',
          String(fetch.concurrency),
          '--per-host',
          String(fetch.perHost),
          '-o',
          path.basename(outputFile(dir, system, format)),
        ]
      : [path.join(import.meta.dirname, `baseline-${system === 'proof-floor' ? 'floor' : system}.mjs`), path.join(dir, `job-${system}.json`)];
  const m = await measure(args, { cwd: dir, timeoutMs: 30 * 60_000, env: { UV_THREADPOOL_SIZE: THREAD_POOL } });
  if (m.exitCode !== 0) {
    const why = m.signal ? `killed by ${m.signal}` : `exit ${m.exitCode}`;
    return { m, error: `${why}: ${(m.stderr.trim().split('\n').slice(-3).join(' | ') || m.stdout.slice(0, 300)).slice(0, 400)}` };
  }
  try {
    const report = JSON.parse(m.stdout) as { timings: Record<string, number>; output: { bytes: number } };
    // A proof's compose step (marks, legend, PNG encode) stands in the encode column.
    const timings = system === 'proof' ? { images: report.timings.images!, encode: report.timings.compose!, total: report.timings.total! } : report.timings;
    return { m, timings, bytes: report.output.bytes };
  } catch {
    return { m, error: `unparseable report: ${m.stdout.slice(0, 200)}` };
  }
}

/** Mean absolute per-channel difference at 1/20 scale (shrink-on-load keeps this cheap). */
async function thumbnail(file: string, width: number, height: number): Promise<Buffer> {
  return sharp(file, { limitInputPixels: false })
    .resize(Math.round(width / 20), Math.round(height / 20), { fit: 'fill' })
    .removeAlpha()
    .raw()
    .toBuffer();
}

function meanAbsDiff(a: Buffer, b: Buffer): number {
  if (a.length !== b.length) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

function estimateNaiveBytes(inputs: InputFile[], width: number, height: number): number {
  return inputs.reduce((sum, input) => sum + input.width * input.height * 4, 0) + width * height * 4;
}

async function main(): Promise<void> {
  const options = parseCli();
  if (!existsSync(CLI)) fail(`${path.relative(process.cwd(), CLI)} is missing: run "npm ci" or "npm run build" first`);
  if (options.pipeline) {
    await runPipeline({ cli: CLI, rounds: options.rounds, filters: options.filters, threadPool: THREAD_POOL, outDir: OUT_DIR, log });
    return;
  }
  // First, on a machine not yet busy with the scenarios' servers and children.
  const speedChecks: SpeedCheck[] = options.checks || options.checksOnly ? await runSpeedChecks(log) : [];
  if (speedChecks.some((c) => !c.ok)) process.exitCode = 1;
  if (options.checksOnly) {
    printSpeedChecks(speedChecks);
    return;
  }
  const scenarios = planScenarios(options);
  if (scenarios.length === 0) fail('no scenario matches the filters');

  // Inputs: the flickr-like pool up to the largest grid, the originals if any scenario needs them.
  const maxGrid = Math.max(0, ...scenarios.filter((s) => s.kind === 'grid').map((s) => s.count));
  const needOriginals = scenarios.some((s) => s.kind === 'originals');
  const flickr = await ensureInputs(
    Array.from({ length: maxGrid }, (_, i) => flickrSpec(i)),
    log,
  );
  const originals = needOriginals
    ? await ensureInputs(
        Array.from({ length: 120 }, (_, i) => originalSpec(i)),
        log,
      )
    : [];
  const inputsSummary = {
    flickr: summarise(flickr),
    originals: summarise(originals),
  };
  if (flickr.length) log(`flickr-like pool: ${describe(inputsSummary.flickr)}`);
  if (originals.length) log(`12 Mpx originals: ${describe(inputsSummary.originals)}`);

  const server = await startServer(DATA_DIR, options.latency);
  const cleanup = () => server.child.kill('SIGTERM');
  process.on('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  const results: RunResult[] = [];
  const meta = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    totalMemGB: Math.round(os.totalmem() / 1024 ** 3),
    loadAvgAtStart: os.loadavg().map((x) => Number(x.toFixed(2))),
    commit: gitCommit(),
    dist: path.relative(ROOT, path.dirname(path.dirname(CLI))) || '.',
    dpi: options.dpi,
    latencyMs: options.latency,
    concurrency: options.concurrency,
    perHost: options.perHost,
    montage: commandExists('montage') ? 'on PATH' : 'skipped: not on PATH',
    inputs: inputsSummary,
    command: `npm run bench --${process.argv
      .slice(2)
      .map((a) => ` ${a}`)
      .join('')}`,
  };
  log(`poster 36×24 in at ${options.dpi} dpi; systems: ${options.systems.join(', ')}; montage ${meta.montage}; load average ${meta.loadAvgAtStart.join(' ')}`);

  try {
    const work = path.join(OUT_DIR, 'work');
    mkdirSync(work, { recursive: true });
    if (options.warmup) {
      // Untimed: warms the page cache, the server's file cache and the native modules' first load.
      const dir = path.join(work, 'warmup');
      mkdirSync(dir, { recursive: true });
      const inputs = (flickr.length ? flickr : originals).slice(0, 8);
      writeManifest(dir, server.url, inputs, 'jpeg', 30);
      writeJob(dir, 'jpeg', options);
      for (const system of options.systems) await runSystem(system, dir, 'jpeg', options);
      log('warm-up done');
    }

    for (const scenario of scenarios) {
      const inputs = scenario.kind === 'grid' ? flickr.slice(0, scenario.count) : originals;
      const dir = path.join(work, scenario.name.replace('/', '-'));
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      writeManifest(dir, server.url, inputs, scenario.format, options.dpi);
      const { width, height } = writeJob(dir, scenario.format, options);
      const runs: RunResult[] = [];
      for (let pass = 1; pass <= options.rounds; pass++) {
        let reference: Buffer | undefined;
        for (const system of options.systems) {
          if (system === 'calendar' && scenario.kind !== 'grid') continue;
          if (system === 'naive' && !options.force) {
            const estimate = estimateNaiveBytes(inputs, width, height);
            if (estimate > NAIVE_MEMORY_LIMIT) {
              const reason = `would hold ~${(estimate / 1024 ** 3).toFixed(1)} GB of decoded photos (--force to run)`;
              log(`${scenario.name} ${system}: skipped, ${reason}`);
              if (pass === 1) results.push({ scenario: scenario.name, system, status: 'skipped', reason });
              continue;
            }
          }
          const loadAvg1 = round(os.loadavg()[0]!, 2);
          log(`${scenario.name} ${width}×${height} ${system}${options.rounds > 1 ? ` round ${pass}/${options.rounds}` : ''} (load average ${loadAvg1}) …`);
          const { m, timings, bytes, error } = await runSystem(system, dir, scenario.format, options);
          // montage runs as a child of its runner: its CPU and peak RSS come in the report.
          if (timings?.childCpu !== undefined && m.cpuS !== null) m.cpuS += timings.childCpu / 1000;
          if (timings?.childPeakRssMB !== undefined && m.peakRssMB !== null) m.peakRssMB = Math.max(m.peakRssMB, timings.childPeakRssMB);
          const result: RunResult = {
            scenario: scenario.name,
            system,
            status: error ? 'failed' : 'ok',
            ...(error && { reason: error }),
            wallS: round(m.wallS, 2),
            ...(m.cpuS !== null && { cpuS: round(m.cpuS, 2), userS: round(m.userS!, 2), systemS: round(m.systemS!, 2), cpuPerWall: round(m.cpuS / m.wallS, 2) }),
            ...(m.peakRssMB !== null && { peakRssMB: Math.round(m.peakRssMB) }),
            ...(m.polledHwmMB !== null && { polledHwmMB: Math.round(m.polledHwmMB) }),
            ...(bytes !== undefined && { outputBytes: bytes }),
            ...(timings && { timings }),
            loadAvg1,
            ...(options.rounds > 1 && { round: pass }),
          };
          // The floor writes nothing; montage's page lacks the outer margin, the calendar is another
          // layout and the proof a preview, so they are not diffed.
          if (!error && system !== 'floor' && system !== 'proof-floor') {
            const file = outputFile(dir, system, scenario.format);
            if (system !== 'montage' && system !== 'calendar' && system !== 'proof') {
              try {
                const thumb = await thumbnail(file, width, height);
                if (system === 'collage') reference = thumb;
                else if (reference) result.diffVsCollage = round(meanAbsDiff(reference, thumb), 2);
              } catch (e) {
                result.reason = `output not readable: ${(e as Error).message}`;
              }
            }
            if (!options.keep) rmSync(file, { force: true });
          }
          runs.push(result);
          log(
            `  ${result.status}${error ? ` (${error})` : ''}: ${result.wallS} s wall, ${result.cpuS ?? '?'} s CPU, ${result.peakRssMB ?? '?'} MB peak` +
              (result.diffVsCollage !== undefined ? `, diff vs collage ${result.diffVsCollage}` : ''),
          );
        }
      }
      for (const system of options.systems) results.push(...medianRun(runs.filter((r) => r.system === system)));
    }
  } finally {
    cleanup();
  }

  const ratios = computeRatios(results);
  mkdirSync(OUT_DIR, { recursive: true });
  writeFileSync(path.join(OUT_DIR, 'results.json'), `${JSON.stringify({ meta, speedChecks, results, ratios }, null, 2)}\n`);
  printTables(meta, results, ratios);
  if (speedChecks.length) printSpeedChecks(speedChecks);
  console.log(`\nresults: ${path.relative(process.cwd(), path.join(OUT_DIR, 'results.json'))}`);
}

function summarise(files: InputFile[]) {
  if (files.length === 0) return null;
  const sizes = files.map((f) => f.bytes);
  const shapes: Record<string, number> = {};
  for (const f of files) shapes[`${f.width}x${f.height}`] = (shapes[`${f.width}x${f.height}`] ?? 0) + 1;
  return {
    count: files.length,
    meanKB: Math.round(sizes.reduce((a, b) => a + b, 0) / files.length / 1024),
    minKB: Math.round(Math.min(...sizes) / 1024),
    maxKB: Math.round(Math.max(...sizes) / 1024),
    shapes,
  };
}

function describe(s: ReturnType<typeof summarise>): string {
  if (!s) return 'none';
  const shapes = Object.entries(s.shapes)
    .map(([k, v]) => `${k} ${((v / s.count) * 100).toFixed(0)}%`)
    .join(', ');
  return `${s.count} JPEGs, mean ${s.meanKB} KB (min ${s.minKB}, max ${s.maxKB}); ${shapes}`;
}

interface Ratio {
  scenario: string;
  /** calendar: the calendar build ÷ the grid build (collage) of the same photos and run; proof: the proof ÷ the full build. */
  versus: 'sharp' | 'naive' | 'montage' | 'floor' | 'calendar' | 'proof' | 'proof-floor';
  wall?: number;
  cpu?: number;
  rss?: number;
}

/** The run with the median wall time (all of them when one failed), carrying every round's wall time. */
function medianRun(runs: RunResult[]): RunResult[] {
  if (runs.length <= 1 || runs.some((r) => r.status !== 'ok')) return runs;
  const sorted = [...runs].sort((a, b) => a.wallS! - b.wallS!);
  return [{ ...sorted[Math.floor((sorted.length - 1) / 2)]!, wallsS: runs.map((r) => r.wallS!) }];
}

function computeRatios(results: RunResult[]): Ratio[] {
  const ratios: Ratio[] = [];
  const scenarios = [...new Set(results.map((r) => r.scenario))];
  for (const scenario of scenarios) {
    const collage = results.find((r) => r.scenario === scenario && r.system === 'collage' && r.status === 'ok');
    if (!collage) continue;
    const div = (a?: number, b?: number) => (a !== undefined && b ? round(a / b, 2) : undefined);
    for (const versus of ['sharp', 'naive', 'montage'] as const) {
      const other = results.find((r) => r.scenario === scenario && r.system === versus && r.status === 'ok');
      if (!other) continue;
      ratios.push({ scenario, versus, wall: div(collage.wallS, other.wallS), cpu: div(collage.cpuS, other.cpuS), rss: div(collage.peakRssMB, other.peakRssMB) });
    }
    const calendar = results.find((r) => r.scenario === scenario && r.system === 'calendar' && r.status === 'ok');
    if (calendar)
      ratios.push({
        scenario,
        versus: 'calendar',
        wall: div(calendar.wallS, collage.wallS),
        cpu: div(calendar.cpuS, collage.cpuS),
        rss: div(calendar.peakRssMB, collage.peakRssMB),
      });
    // The proof against the full build of the same manifest (issue 16: at most 0.5 of its wall time).
    const proofRun = results.find((r) => r.scenario === scenario && r.system === 'proof' && r.status === 'ok');
    if (proofRun)
      ratios.push({ scenario, versus: 'proof', wall: div(proofRun.wallS, collage.wallS), cpu: div(proofRun.cpuS, collage.cpuS), rss: div(proofRun.peakRssMB, collage.peakRssMB) });
    // What no proof can skip: decoding every photo to its proof cell (the floor's decode phase),
    // against the full build's wall and CPU. A proof under 0.5 of the build needs this under it.
    const proofFloor = results.find((r) => r.scenario === scenario && r.system === 'proof-floor' && r.status === 'ok');
    if (proofFloor?.timings?.images) {
      const imagesCpu = proofFloor.timings.imagesCpu === undefined ? undefined : proofFloor.timings.imagesCpu / 1000;
      ratios.push({ scenario, versus: 'proof-floor', wall: div(proofFloor.timings.images / 1000, collage.wallS), cpu: div(imagesCpu, collage.cpuS) });
    }
    // The floor's process also downloads everything first: only its decode phase counts.
    const floor = results.find((r) => r.scenario === scenario && r.system === 'floor' && r.status === 'ok');
    if (floor?.timings?.images) {
      const images = floor.timings.images / 1000;
      const imagesCpu = floor.timings.imagesCpu === undefined ? undefined : floor.timings.imagesCpu / 1000;
      ratios.push({ scenario, versus: 'floor', wall: div(collage.wallS, images), cpu: div(collage.cpuS, imagesCpu) });
    }
  }
  return ratios;
}

function printTables(meta: Record<string, unknown>, results: RunResult[], ratios: Ratio[]): void {
  const s = (ms?: number) => (ms === undefined ? '' : (ms / 1000).toFixed(2));
  const rows = results.map((r) => [
    r.scenario,
    r.system,
    r.status === 'ok' ? fix(r.wallS) : r.status,
    fix(r.cpuS),
    fix(r.cpuPerWall),
    r.peakRssMB === undefined ? '' : String(r.peakRssMB),
    r.outputBytes === undefined || r.system === 'floor' || r.system === 'proof-floor' ? '' : (r.outputBytes / 1024 / 1024).toFixed(1),
    ...PHASES.map((p) => s(r.timings?.[p])),
    s(r.timings?.images),
    r.timings?.images && r.timings.imagesCpu !== undefined ? (r.timings.imagesCpu / r.timings.images).toFixed(2) : '',
    r.diffVsCollage === undefined ? '' : r.diffVsCollage.toFixed(2),
    r.wallsS ? r.wallsS.map((w) => w.toFixed(2)).join(' ') : '',
  ]);
  console.log(`\ncollage bench — ${meta.date}, node ${meta.node}, ${meta.cpus} CPUs, load avg at start ${(meta.loadAvgAtStart as number[]).join(' ')}, commit ${meta.commit}`);
  console.log(
    `36×24 in poster at ${meta.dpi} dpi, grid, fit cover; server latency ${meta.latencyMs} ms; ${meta.concurrency} images in flight, ${meta.perHost} connections per host; montage: ${meta.montage}`,
  );
  console.log(
    'phase columns in seconds: fetch/decode/draw are summed over images (they overlap); encode/write and "images" (all fetch+decode+draw) are wall time; "img CPU/wall" is CPU time (all threads) over wall time in the images phase.',
  );
  console.log('sharp: "decode" = fetch-side resize, "encode" = composite + encode. diff = mean |Δ| (0-255) vs collage output at 1/20 scale.');
  console.log("montage: one `montage` call (resize on read, centre crop, the grid's tiles and gaps); its page has no outer margin, so it is not diffed.");
  console.log(
    'floor: every photo decoded to its cell from memory, as many at once as collage decodes (no network, poster or encode); its "images" is that decode, its wall includes downloading everything first.\n',
  );
  if (rows.some((r) => r[r.length - 1])) console.log('With --rounds, each row is the median-wall run of the rounds; "rounds" lists every round\'s wall time.\n');
  printTable(['scenario', 'system', 'wall s', 'CPU s', 'CPU/wall', 'peak RSS MB', 'out MB', ...PHASES, 'images', 'img CPU/wall', 'diff', 'rounds'], rows);
  if (ratios.length) {
    console.log(
      "\nratios (collage ÷ baseline; < 1 means collage is cheaper; collage/floor: collage's wall and CPU ÷ the floor's decode phase; calendar/grid: the calendar build ÷ the grid build, same round; proof/collage: the proof ÷ the full build; proof floor/collage: decoding every photo to its proof cell from memory ÷ the full build)\n",
    );
    printTable(
      ['scenario', 'versus', 'wall', 'CPU', 'peak RSS'],
      ratios.map((r) => [
        r.scenario,
        r.versus === 'calendar' ? 'calendar/grid' : r.versus === 'proof' ? 'proof/collage' : r.versus === 'proof-floor' ? 'proof floor/collage' : `collage/${r.versus}`,
        fix(r.wall),
        fix(r.cpu),
        fix(r.rss),
      ]),
    );
  }
  const problems = results.filter((r) => r.status !== 'ok' && r.reason);
  for (const p of problems) console.log(`\n${p.scenario} ${p.system} ${p.status}: ${p.reason}`);
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}

function fix(n?: number): string {
  return n === undefined ? '' : n.toFixed(2);
}

function round(n: number, digits: number): number {
  return Number(n.toFixed(digits));
}

function gitCommit(): string {
  const r = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  const dirty = spawnSync('git', ['status', '--porcelain', '--', 'src'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim() ? '+dirty-src' : '';
  return r.status === 0 ? `${r.stdout.trim()}${dirty}` : 'unknown';
}

function commandExists(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

await main();
