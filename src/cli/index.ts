#!/usr/bin/env node
/** The `collage` command: a thin layer over the library's build(), plan() and validate(). */
import { Command, CommanderError, Option } from 'commander';
import { createRequire } from 'node:module';
import path from 'node:path';
import sharp from 'sharp';
import { build, type BuildOptions, type BuildReport } from '../build.js';
import { DEFAULT_CELL_CACHE_BYTES } from '../cells/index.js';
import { CollageError, ExitCode, ImagesFailedError, LowResolutionError, ManifestError, formatFailure, formatLowResolution, type LowResolutionPhoto } from '../errors.js';
import { DEFAULT_FETCH_OPTIONS, cleanCache, defaultCacheDir, formatBytes, listCache, parseHeadersEnv, verifyCache } from '../sources/index.js';
import { manifestJsonSchema, outputSize, type ManifestOverrides } from '../manifest/index.js';
import { plan } from '../plan.js';
import { proof, PROOF_LONG_EDGE } from '../proof/index.js';
import { validate } from '../validate.js';
import { formatFontListing, listFonts } from '../font-listing.js';
import type { BuildWarning } from '../warnings.js';
import { createProgressReporter } from './progress.js';
import { integer, positiveNumber, seconds } from './numbers.js';
import { MAX_COLUMNS, MAX_DPI } from '../manifest/limits.js';
import { MAX_POSTER_PIXELS } from '../manifest/normalize.js';
import { MiB, MIN_MAX_MEMORY } from '../memory.js';
import { runBatch } from './batch.js';
import { addQueueBatchOptions, registerQueueCommands, runQueueBatch, type QueueFlags } from './queue.js';
import type { BatchOptions, LockMode } from '../batch/index.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

// A job decodes every photo once, so libvips' operation cache only holds memory; without it
// decoding costs ~7% less CPU (300 flickr-size JPEGs, 8.4 → 7.8 ms each). Process-wide, so the
// command sets it, not the library (a host service may rely on the cache for its own work).
sharp.cache(false);

/** Commander's parsed flags: the manifest overrides under their own names, plus output modes. */
interface CommonFlags extends Omit<ManifestOverrides, 'cwd' | 'onError' | 'maxOutputPixels' | 'fonts'> {
  /** Mpx */
  maxOutputPixels?: number;
  /** `--font`, repeatable. */
  font?: string[];
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

interface BuildFlags extends CommonFlags {
  concurrency?: number;
  perHost?: number;
  timeout?: number;
  maxDownload?: number;
  maxPixels?: number;
  /** MB */
  maxMemory?: number;
  onError?: string;
  cacheDir?: string;
  cache?: boolean;
  cellCache?: string | false;
  cellCacheSize?: number;
  blockPrivateAddresses?: boolean;
  http1?: boolean;
  retries?: number;
  retryDelay?: number;
  downloadTimeout?: number;
  jobTimeout?: number;
}


function addManifestOptions(command: Command, { output = true } = {}): Command {
  if (output) command.option('-o, --output <file>', 'output file (overrides the manifest; format from its extension)');
  return command
    .addOption(new Option('--format <format>', 'output format').choices(['png', 'jpeg', 'jpg', 'tiff', 'tif', 'webp', 'pdf']))
    .option('--quality <1-100>', 'JPEG quality (default 92)', integer('--quality', 1, 100))
    .option('--dpi <n>', 'dots per inch, a whole number; overrides size.dpi (e.g. --dpi 30 for a quick proof)', integer('--dpi', 1, MAX_DPI))
    .option('--size <WxH[unit]>', 'page size, e.g. 36x24in or 10800x7200 (needed for plain-text manifests)')
    .addOption(new Option('--layout <type>', 'layout type').choices(['grid', 'justified', 'masonry', 'mosaic', 'calendar']))
    .option('--columns <n>', 'grid columns', integer('--columns', 1, MAX_COLUMNS))
    .option('--rows <n>', 'grid rows', integer('--rows', 1, MAX_COLUMNS))
    .addOption(new Option('--fit <fit>', 'how photos fill their cells').choices(['cover', 'contain']))
    .option('--background <colour>', 'page colour, e.g. "#ffffff" or white')
    .option('--margin <length>', 'outer margin, e.g. 0.25in')
    .option('--gap <length>', 'space between photos, e.g. 2mm')
    .option('--max-output-pixels <Mpx>', `refuse an output (trim + bleed) larger than this, in megapixels (default and most ${MAX_POSTER_PIXELS / 1e6})`, positiveNumber('--max-output-pixels', MAX_POSTER_PIXELS / 1e6))
    .option('--font <file>', 'caption font file or URL added to the fallback chain (e.g. a CJK font); repeatable', collect)
    .option('--min-dpi <n>', 'effective resolution (photo pixels per inch of its cell) under which a photo is reported (default 150)', positiveNumber('--min-dpi', 10_000))
    .addOption(new Option('--on-low-res <policy>', 'when photos print under --min-dpi: warn (one line each) or fail (write nothing, exit 4)').choices(['warn', 'fail']))
    .option('--json', 'print a machine-readable JSON report on stdout')
    .option('-q, --quiet', 'print nothing but errors')
    .option('-v, --verbose', 'print timings, and stack traces on errors');
}

/** Where outputs may go: `build`/`validate` anywhere by default, `batch`/`enqueue`/`worker` each manifest's folder. */
function addOutputPolicyOptions(command: Command, byDefault: string): Command {
  return command
    .addOption(
      new Option('--output-root <dir>', `outputs must resolve inside this folder, after symbolic links, else exit 2 (default: ${byDefault})`).env('COLLAGE_OUTPUT_ROOT'),
    )
    .option('--follow-symlinks', 'write through an output that is a symbolic link, to its target (default: refuse it, exit 2)');
}

interface OutputPolicyFlags {
  outputRoot?: string;
  followSymlinks?: boolean;
}

function outputPolicyFrom(flags: OutputPolicyFlags): { outputRoot?: string; followSymlinks: boolean } {
  return { ...(flags.outputRoot && { outputRoot: flags.outputRoot }), followSymlinks: Boolean(flags.followSymlinks) };
}

/** The variables a command that renders reads (build, batch, worker), after its options. */
function addEnvironmentHelp(command: Command): Command {
  return command.addHelpText(
    'after',
    [
      '',
      'Environment:',
      '  COLLAGE_HTTP_HEADERS  extra request headers per origin, JSON: {"host" or "https://host:port": {"Name": "value"}}',
      '  COLLAGE_OUTPUT_ROOT   the --output-root folder',
      '  UV_THREADPOOL_SIZE    photos decoded at once (default: one per core, at least 4;',
      "                        a container's CPU limit counts)",
    ].join('\n'),
  );
}

/** Network, cache and decode limits: `build` and `plan` (which fetches headers for shape-aware layouts). */
function addFetchOptions(command: Command): Command {
  return command
    .option('--concurrency <n>', `images downloaded at once (default ${DEFAULT_FETCH_OPTIONS.concurrency})`, integer('--concurrency', 1, 256))
    .option('--per-host <n>', `HTTP/1.1 connections per host (default ${DEFAULT_FETCH_OPTIONS.perHost}); over HTTP/2 one connection carries up to ${DEFAULT_FETCH_OPTIONS.h2Streams} requests`, integer('--per-host', 1, 64))
    .option('--http1', 'HTTP/1.1 only: do not offer HTTP/2 to HTTPS servers')
    .option('--timeout <seconds>', 'connect, response and stalled-download timeout, 1-3600 (default 30)', seconds('--timeout', 1, 3600))
    .option('--max-download <MB>', 'largest image file accepted (default 100)', positiveNumber('--max-download', 4096))
    .option('--max-pixels <Mpx>', 'largest decoded image in megapixels (default 120)', positiveNumber('--max-pixels', 10_000))
    .addOption(new Option('--on-error <policy>', 'when images fail: fail (write nothing, exit 3), skip (lay out the rest), placeholder (grey cell)').choices(['fail', 'skip', 'placeholder']))
    .option('--retries <n>', 'retries per image on network errors, 408, 429 and 5xx (default 3)', integer('--retries', 0, 20))
    .option('--retry-delay <seconds>', 'backoff base: retry n waits up to base × 2^(n-1) (default 0.5)', positiveNumber('--retry-delay', 60))
    .option('--download-timeout <seconds>', 'longest one photo may take over all its attempts and waits, 1-86400 (default 120)', seconds('--download-timeout', 1, 86400))
    .option('--job-timeout <seconds>', 'longest one job (a build, each batch job) may take; photos not in by then fail ("job deadline"), nothing is written, exit 3', seconds('--job-timeout', 1, 7 * 86400))
    .option('--cache-dir <dir>', 'download cache folder (default $XDG_CACHE_HOME/collage or ~/.cache/collage)')
    .option('--no-cache', 'neither read nor write the download cache (nor the cell cache, unless --cell-cache is given)')
    .option('--cell-cache <dir>', 'decoded-cell cache folder: a rebuild decodes only the photos whose cells changed (default: cells/ in the download cache folder)')
    .option('--no-cell-cache', 'neither read nor write the cell cache')
    .option('--cell-cache-size <MB>', `cell cache size cap; least recently used cells go first (default ${DEFAULT_CELL_CACHE_BYTES / 1024 ** 2})`, positiveNumber('--cell-cache-size', 10_000_000, 1))
    .option('--block-private-addresses', 'refuse loopback, link-local and private addresses (checked after DNS and on every redirect) and local files');
}

/**
 * `--max-memory`, for the commands that decode photos here (build, batch, worker): the budget a
 * job (batch: all its jobs; worker: all its jobs) builds within.
 */
function addMemoryOption(command: Command, what = 'this job'): Command {
  return command.option(
    '--max-memory <MB>',
    `memory ${what} may use, in MB (default: half the RAM, or of a container's limit); photos decode when they fit in what the poster leaves, one that never could fails`,
    positiveNumber('--max-memory', 10_000_000, MIN_MAX_MEMORY / MiB),
  );
}

/** Bytes from `--max-memory <MB>`. */
function maxMemoryFrom(flags: { maxMemory?: number }): { maxMemory?: number } {
  return flags.maxMemory === undefined ? {} : { maxMemory: Math.round(flags.maxMemory * MiB) };
}

function fetchOptionsFrom(flags: BuildFlags): Pick<BuildOptions, 'fetch' | 'maxPixels' | 'onError' | 'jobTimeout' | 'cellCache'> {
  // The cell cache lives beside the downloads unless given its own folder; --no-cache turns both off.
  const cellDir = flags.cellCache === false ? null : (flags.cellCache ?? (flags.cache === false ? null : path.join(flags.cacheDir ?? defaultCacheDir(), 'cells')));
  return {
    cellCache: cellDir ? { dir: cellDir, ...(flags.cellCacheSize !== undefined && { maxBytes: Math.round(flags.cellCacheSize * 1024 ** 2) }) } : null,
    fetch: {
      ...(flags.concurrency !== undefined && { concurrency: flags.concurrency }),
      ...(flags.perHost !== undefined && { perHost: flags.perHost }),
      ...(flags.timeout !== undefined && {
        connectTimeout: flags.timeout * 1000,
        headersTimeout: flags.timeout * 1000,
        bodyTimeout: flags.timeout * 1000,
      }),
      ...(flags.maxDownload !== undefined && { maxBytes: Math.round(flags.maxDownload * 1024 * 1024) }),
      ...(flags.retries !== undefined && { retries: flags.retries }),
      ...(flags.retryDelay !== undefined && { retryBaseDelay: flags.retryDelay * 1000 }),
      ...(flags.downloadTimeout !== undefined && { downloadTimeout: flags.downloadTimeout * 1000 }),
      cacheDir: flags.cache === false ? null : (flags.cacheDir ?? defaultCacheDir()),
      blockPrivateAddresses: Boolean(flags.blockPrivateAddresses),
      ...(flags.http1 && { http1: true }),
      headers: parseHeadersEnv(process.env.COLLAGE_HTTP_HEADERS),
    },
    ...(flags.onError !== undefined && { onError: flags.onError }),
    ...(flags.maxPixels !== undefined && { maxPixels: Math.round(flags.maxPixels * 1e6) }),
    ...(flags.jobTimeout !== undefined && { jobTimeout: Math.round(flags.jobTimeout * 1000) }),
  };
}

function overridesFrom(flags: CommonFlags): ManifestOverrides {
  const { output, format, quality, dpi, size, layout, columns, rows, fit, background, margin, gap, maxOutputPixels, minDpi, onLowRes } = flags;
  // Absolute, so a job queued here and rendered by a worker elsewhere finds the same file.
  const fonts = flags.font?.map((font) => (/^[a-z][a-z0-9+.-]+:/i.test(font) ? font : path.resolve(font)));
  return {
    output, format, quality, dpi, size, layout, columns, rows, fit, background, margin, gap, minDpi, onLowRes,
    ...(maxOutputPixels !== undefined && { maxOutputPixels: Math.round(maxOutputPixels * 1e6) }),
    ...(fonts && { fonts }),
  };
}

/** Commander's collector for a repeatable option. */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** One line per warning on stderr (`--quiet` keeps them for the JSON report). */
function printWarnings(warnings: readonly BuildWarning[], flags: { quiet?: boolean }): void {
  if (flags.quiet) return;
  for (const warning of warnings) process.stderr.write(`collage: warning: ${warning.message}\n`);
}

interface BatchFlags extends BuildFlags {
  jobs?: number;
  force?: boolean;
  lock?: string;
  report?: string;
  logFormat?: string;
}

let verbose = false;
let jsonMode = false;

export function createProgram(): Command {
  const program = new Command('collage')
    .description('Headless print-resolution photo collages: a manifest of images in, a press-ready PNG or JPEG out.')
    .version(version, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  addEnvironmentHelp(addMemoryOption(addOutputPolicyOptions(addFetchOptions(
    addManifestOptions(
      program
        .command('build')
        .description('fetch, lay out, render and write one collage')
        .argument('<manifest>', 'JSON manifest, or a text file with one image URL or path per line'),
    ),
  ), 'anywhere')))
    .action(async (manifest: string, flags: BuildFlags & OutputPolicyFlags) => {
      setModes(flags);
      const progress = createProgressReporter(process.stderr, flags.quiet || flags.json ? 'quiet' : process.stderr.isTTY ? 'tty' : 'plain');
      const options: BuildOptions = {
        ...overridesFrom(flags),
        ...fetchOptionsFrom(flags),
        ...outputPolicyFrom(flags),
        ...maxMemoryFrom(flags),
        onProgress: progress,
      };
      let report: BuildReport;
      try {
        report = await build(manifest, options);
      } finally {
        progress.clear();
      }
      printWarnings(report.warnings, flags);
      // Photos under the resolution threshold are warnings too: on stderr with --json as without.
      if (!flags.quiet) warnLowResolution(report.images.lowResolution, report.images.resolution.minDpi);
      if (flags.json) printJson(report);
      // Under skip or placeholder the photos that failed are warnings: on stderr with --json too, one line each.
      if (!flags.quiet && report.images.failed.length > 0) {
        const n = report.images.failed.length;
        process.stderr.write(
          `collage: ${n} of ${report.images.total} image${report.images.total === 1 ? '' : 's'} failed (${flags.onError ?? 'manifest onError'})\n` +
            report.images.failed.map((f) => `  ${formatFailure(f)}\n`).join(''),
        );
      }
      if (!flags.quiet && !flags.json) warnLayout(report.layout);
      if (flags.verbose && !flags.json) process.stderr.write(`collage: timings (ms) ${JSON.stringify(report.timings)}\n`);
    });

  addFetchOptions(
    addManifestOptions(
      program
        .command('plan')
        .description('print the layout as JSON (canvas size, every placement and its photo\'s effective dpi) without rendering; reads only the photos\' headers (a range request where the server takes one)')
        .argument('<manifest>', 'JSON or plain-text manifest'),
    ),
  ).action(async (manifest: string, flags: BuildFlags) => {
    setModes(flags);
    const planned = await plan(manifest, { ...overridesFrom(flags), ...fetchOptionsFrom(flags) });
    printJson(planned);
    if (!flags.quiet) warnLayout({ ...planned.layout, overCrop: planned.layout.overCrop ?? [] });
    const preflight = planned.preflight;
    if (!preflight) return;
    if (!flags.quiet) warnLowResolution(preflight.lowResolution, preflight.minDpi);
    if (preflight.onLowRes === 'fail' && preflight.lowResolution.length > 0) {
      const n = preflight.lowResolution.length;
      process.stderr.write(`collage: ${n} photo${n === 1 ? '' : 's'} print under ${preflight.minDpi} dpi (--on-low-res fail)\n`);
      process.exitCode = ExitCode.lowResolution;
    }
  });

  addEnvironmentHelp(addMemoryOption(addOutputPolicyOptions(addFetchOptions(
    addManifestOptions(
      program
        .command('proof')
        .description(
          'a small, quick preview for a customer to approve: photos under --min-dpi outlined in red and tagged with the dpi they print at, trim and bleed drawn, a legend strip',
        )
        .argument('<manifest>', 'JSON or plain-text manifest'),
    ),
  ), 'anywhere')))
    .option('--long-edge <px>', `the proof's long edge (default ${PROOF_LONG_EDGE}; never larger than the print)`, integer('--long-edge', 100, 20000))
    .addHelpText('after', '\nThe proof is written to -o (PNG, or JPEG when named .jpg), else beside the print\'s output as <name>.proof.png.\nResolution is judged at the print\'s size and dpi; --on-low-res does not stop a proof.')
    .action(async (manifest: string, flags: BuildFlags & OutputPolicyFlags & { longEdge?: number }) => {
      setModes(flags);
      const progress = createProgressReporter(process.stderr, flags.quiet || flags.json ? 'quiet' : process.stderr.isTTY ? 'tty' : 'plain');
      let report;
      try {
        report = await proof(manifest, { ...overridesFrom(flags), ...fetchOptionsFrom(flags), ...outputPolicyFrom(flags), ...maxMemoryFrom(flags), longEdge: flags.longEdge, onProgress: progress });
      } finally {
        progress.clear();
      }
      if (!flags.quiet) warnLowResolution(report.images.lowResolution, report.images.resolution.minDpi);
      if (flags.json) printJson(report);
    });

  addOutputPolicyOptions(
    addManifestOptions(
      program
        .command('validate')
        .description('check a manifest and report every problem with its JSON path (exit 0 or 2); checks that need the photos (their sizes) happen when the job runs')
        .argument('<manifest>', 'JSON or plain-text manifest'),
    ),
    'anywhere',
  ).action(async (manifest: string, flags: CommonFlags & OutputPolicyFlags) => {
    setModes(flags);
    const { outputRoot, followSymlinks } = outputPolicyFrom(flags);
    const spec = await validate(manifest, { ...overridesFrom(flags), root: outputRoot ?? null, followSymlinks });
    // The file's size: trim plus the bleed on every side.
    const { width, height } = outputSize(spec);
    const bleed = spec.bleed.size > 0 ? { bleed: spec.bleed.size, trim: { width: spec.width, height: spec.height } } : {};
    if (flags.json) printJson({ valid: true, images: spec.images.length, width, height, dpi: spec.dpi, ...bleed, layout: spec.layout.type, output: spec.output });
    else if (!flags.quiet) {
      const trim = spec.bleed.size > 0 ? ` (${spec.width}×${spec.height} trim + ${spec.bleed.size} px bleed per side)` : '';
      process.stdout.write(`${manifest}: valid — ${spec.images.length} images, ${width}×${height} px${trim} at ${spec.dpi} dpi, ${spec.layout.type} → ${spec.output}\n`);
    }
  });

  const helpers = { addManifestOptions, addFetchOptions, addEnvironmentHelp, addOutputPolicyOptions, addMemoryOption, maxMemoryFrom, fetchOptionsFrom, overridesFrom, outputPolicyFrom, integer, positiveNumber, seconds, setModes };
  addQueueBatchOptions(addEnvironmentHelp(addMemoryOption(addOutputPolicyOptions(addFetchOptions(
    addManifestOptions(
      program
        .command('batch')
        .description('build many manifests, N at a time; skip those up to date; one report at the end')
        .argument('<manifest|dir|glob...>', 'manifest files, folders (every *.json inside) or glob patterns'),
      { output: false },
    ),
  ), "each manifest's own folder"), 'the whole batch (each running job gets a share)')), helpers)
    .option('-j, --jobs <n>', 'manifests built at once (default: one per core, within memory)', integer('--jobs', 1, 64))
    .option('--force', 'rebuild even when the output is up to date')
    .addOption(new Option('--lock <mode>', 'when another run is building the same output: wait for it, or skip the job').choices(['wait', 'skip']).default('wait'))
    .option('--report <file>', 'also write the JSON report to this file')
    .addOption(new Option('--log-format <format>', 'stderr events: text lines, or one JSON object per line').choices(['text', 'json']).default('text'))
    .action(async (inputs: string[], flags: BatchFlags & QueueFlags & OutputPolicyFlags) => {
      setModes(flags);
      if (flags.redis) return void (process.exitCode = await runQueueBatch(inputs, flags as never, helpers));
      const options: BatchOptions = {
        ...overridesFrom(flags),
        ...fetchOptionsFrom(flags),
        ...outputPolicyFrom(flags),
        ...maxMemoryFrom(flags),
        ...(flags.jobs !== undefined && { jobs: flags.jobs }),
        force: Boolean(flags.force),
        lock: flags.lock as LockMode,
      };
      process.exitCode = await runBatch(inputs, options, flags);
    });

  registerQueueCommands(program, helpers);

  const cache = program.command('cache').description('see or free the download cache');
  cache
    .command('ls')
    .description('list cached downloads (URL, size, date)')
    .option('--cache-dir <dir>', 'cache folder (default $XDG_CACHE_HOME/collage or ~/.cache/collage)')
    .option('--json', 'print JSON')
    .action(async (flags: { cacheDir?: string; json?: boolean }) => {
      setModes(flags);
      const dir = flags.cacheDir ?? defaultCacheDir();
      const entries = await listCache(dir);
      const bytes = entries.reduce((sum, e) => sum + e.size, 0);
      if (flags.json) printJson({ dir, entries: entries.length, bytes, items: entries.map((e) => ({ ...e, time: new Date(e.time).toISOString() })) });
      else {
        for (const e of entries) process.stdout.write(`${formatBytes(e.size).padStart(9)}  ${new Date(e.time).toISOString()}  ${e.url}${e.private ? '  (private: fetched with credentials)' : ''}\n`);
        process.stdout.write(`${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}, ${formatBytes(bytes)} in ${dir}\n`);
      }
    });
  cache
    .command('clean')
    .description('remove every cached download')
    .option('--cache-dir <dir>', 'cache folder (default $XDG_CACHE_HOME/collage or ~/.cache/collage)')
    .option('--json', 'print JSON')
    .action(async (flags: { cacheDir?: string; json?: boolean }) => {
      setModes(flags);
      const dir = flags.cacheDir ?? defaultCacheDir();
      const freed = await cleanCache(dir);
      if (flags.json) printJson({ dir, removed: freed.entries, bytes: freed.bytes });
      else process.stdout.write(`removed ${freed.entries} entr${freed.entries === 1 ? 'y' : 'ies'}, ${formatBytes(freed.bytes)} from ${dir}\n`);
    });

  cache
    .command('verify')
    .description('check every cached download: corrupt and unreferenced content deleted, the index rebuilt')
    .option('--cache-dir <dir>', 'cache folder (default $XDG_CACHE_HOME/collage or ~/.cache/collage)')
    .option('--json', 'print JSON')
    .action(async (flags: { cacheDir?: string; json?: boolean }) => {
      setModes(flags);
      const dir = flags.cacheDir ?? defaultCacheDir();
      const result = await verifyCache(dir);
      if (flags.json) printJson({ dir, ...result });
      else {
        process.stdout.write(
          `verified ${result.entries} entr${result.entries === 1 ? 'y' : 'ies'} (${formatBytes(result.bytes)}) in ${dir}: ` +
            `removed ${result.corrupt} corrupt and ${result.unreferenced} unreferenced (${formatBytes(result.removedBytes)})\n`,
        );
      }
    });

  addFetchOptions(
    program
      .command('fonts')
      .description('list the caption fonts, in fallback order, and the scripts each draws: the bundled ones, then a manifest\'s "fonts" and --font files')
      .argument('[manifest]', 'also list this manifest\'s fonts and the installed fonts its captions name')
      .option('--font <file>', 'a font file or URL to add (repeatable)', collect)
      .option('--json', 'print JSON'),
  ).action(async (manifest: string | undefined, flags: BuildFlags & { font?: string[] }) => {
    setModes(flags);
    const listing = await listFonts({ ...(manifest !== undefined && { manifest }), ...overridesFrom(flags), ...fetchOptionsFrom(flags) });
    if (flags.json) printJson(listing);
    else process.stdout.write(formatFontListing(listing));
  });

  program
    .command('schema')
    .description('print the manifest JSON Schema (for editors: "$schema")')
    .action(() => printJson(manifestJsonSchema()));

  return program;
}

/** One line when photos were cropped past maxCrop, one when the page was left partly background. */
function warnLayout(layout: { maxCrop: number; overCrop: { crop: number }[]; unfilled?: number }): void {
  const over = layout.overCrop;
  if (over.length > 0) {
    const worst = Math.max(...over.map((o) => o.crop));
    process.stderr.write(`collage: ${over.length} photo${over.length === 1 ? '' : 's'} cropped more than layout.maxCrop ${layout.maxCrop} % (up to ${worst} %); listed in --json (layout.overCrop)\n`);
  }
  if (layout.unfilled) {
    process.stderr.write(`collage: ${layout.unfilled} % of the page left as background: the photos could not fill it within layout.maxCrop ${layout.maxCrop} %\n`);
  }
}

/** One line per photo under the threshold, on stderr. */
function warnLowResolution(photos: readonly LowResolutionPhoto[], minDpi: number): void {
  for (const photo of photos) process.stderr.write(`collage: warning: ${formatLowResolution(photo, minDpi)}\n`);
}

function setModes(flags: { verbose?: boolean; json?: boolean }): void {
  verbose = Boolean(flags.verbose);
  jsonMode = Boolean(flags.json);
}

function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** One readable line per problem on stderr; the exit code PRODUCT.md assigns. */
function fail(error: unknown): number {
  if (error instanceof CommanderError) {
    // Commander already printed its message (and help/version output exits 0).
    return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  const exitCode = error instanceof CollageError ? error.exitCode : ExitCode.unexpected;
  if (jsonMode) {
    const report: Record<string, unknown> = { error: { exitCode, message: error instanceof Error ? error.message : String(error) } };
    if (error instanceof ManifestError) report.error = { exitCode, problems: error.problems.map((p) => ({ file: error.file, ...p })) };
    if (error instanceof ImagesFailedError) report.images = { failed: error.failures };
    if (error instanceof LowResolutionError) report.images = { lowResolution: error.photos };
    printJson(report);
  }
  const message = error instanceof Error ? error.message : String(error);
  const lines = message.split('\n');
  process.stderr.write(lines.map((line) => (line.startsWith('  ') ? line : `collage: ${line}`)).join('\n') + '\n');
  if (verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  if (!(error instanceof CollageError) && !verbose) process.stderr.write('collage: (run with --verbose for details)\n');
  return exitCode;
}

async function main(argv: string[]): Promise<void> {
  // A reader that went away (`collage plan m.json | head -1`) is no error: end quietly.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
    throw error;
  });
  try {
    await createProgram().parseAsync(argv);
  } catch (error) {
    process.exitCode = fail(error);
  }
}

await main(process.argv);
