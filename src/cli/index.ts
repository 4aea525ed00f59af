#!/usr/bin/env node
/** The `collage` command: a thin layer over the library's build(), plan() and validate(). */
import { Command, CommanderError } from 'commander';
import { createRequire } from 'node:module';
import path from 'node:path';
import sharp from 'sharp';
import { build, type BuildOptions, type BuildReport } from '../build.js';
import { CollageError, ExitCode, ImagesFailedError, LowResolutionError, ManifestError, formatFailure, formatLowResolution, type LowResolutionPhoto } from '../errors.js';
import { cleanCache, defaultCacheDir, formatBytes, listCache, parseHeadersEnv, verifyCache } from '../sources/index.js';
import { FORMATS, manifestJsonSchema, outputSize, type ManifestOverrides } from '../manifest/index.js';
import { plan } from '../plan.js';
import { proof } from '../proof/index.js';
import { validate } from '../validate.js';
import { formatFontListing, listFonts } from '../font-listing.js';
import type { BuildWarning } from '../warnings.js';
import { createProgressReporter } from './progress.js';
import { MiB } from '../memory.js';
import { runBatch } from './batch.js';
import { addEnvironmentHelp, addOptions, overridesFrom } from './option-builder.js';
import { registerQueueCommands, runQueueBatch, type QueueFlags } from './queue.js';
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

/** Where outputs may go: `--output-root` (or COLLAGE_OUTPUT_ROOT) and `--follow-symlinks`. */
interface OutputPolicyFlags {
  outputRoot?: string;
  followSymlinks?: boolean;
}

function outputPolicyFrom(flags: OutputPolicyFlags): { outputRoot?: string; followSymlinks: boolean } {
  return { ...(flags.outputRoot && { outputRoot: flags.outputRoot }), followSymlinks: Boolean(flags.followSymlinks) };
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
    .description(
      `Headless print-resolution photo collages: a manifest of images in, a press-ready ${FORMATS.map(formatName)
        .join(', ')
        .replace(/, ([^,]+)$/, ' or $1')} out.`,
    )
    .version(version, '-V, --version')
    // Commander's own errors (unknown option, missing argument, a bad value) as one `collage:` line
    // like every other; set before the commands are added, which copy it.
    .configureOutput({
      outputError: (message, write) =>
        write(
          `collage: ${message
            .replace(/^error: /, '')
            .trim()
            .replace(/\s*\n\s*/g, ' ')} (see --help)\n`,
        ),
    })
    .exitOverride();

  addEnvironmentHelp(
    addOptions(
      program
        .command('build')
        .description('fetch, lay out, render and write one collage')
        .argument('<manifest>', 'JSON manifest, or a text file with one image URL or path per line'),
      'build',
    ),
  ).action(async (manifest: string, flags: BuildFlags & OutputPolicyFlags) => {
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
    if (flags.verbose && !flags.json) process.stderr.write(formatTimings(report.timings));
  });

  addOptions(
    program
      .command('plan')
      .description(
        "print the layout as JSON (canvas size, every placement and its photo's effective dpi) without rendering; reads only the photos' headers (a range request where the server takes one)",
      )
      .argument('<manifest>', 'JSON or plain-text manifest'),
    'plan',
  ).action(async (manifest: string, flags: BuildFlags) => {
    setModes(flags);
    // plan() draws nothing: it takes no cell cache.
    const { cellCache: _drawsNothing, ...fetchOptions } = fetchOptionsFrom(flags);
    const planned = await plan(manifest, { ...overridesFrom(flags), ...fetchOptions });
    printJson(planned);
    printWarnings(planned.warnings ?? [], flags);
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

  addEnvironmentHelp(
    addOptions(
      program
        .command('proof')
        .description(
          'a small, quick preview for a customer to approve: photos under --min-dpi outlined in red and tagged with the dpi they print at, trim and bleed drawn, a legend strip',
        )
        .argument('<manifest>', 'JSON or plain-text manifest'),
      'proof',
    ),
  )
    .addHelpText(
      'after',
      "\nThe proof is written to -o (PNG, or JPEG when named .jpg), else beside the print's output as <name>.proof.png.\nResolution is judged at the print's size and dpi; --on-low-res does not stop a proof.",
    )
    .action(async (manifest: string, flags: BuildFlags & OutputPolicyFlags & { longEdge?: number }) => {
      setModes(flags);
      const progress = createProgressReporter(process.stderr, flags.quiet || flags.json ? 'quiet' : process.stderr.isTTY ? 'tty' : 'plain');
      let report;
      try {
        report = await proof(manifest, {
          ...overridesFrom(flags),
          ...fetchOptionsFrom(flags),
          ...outputPolicyFrom(flags),
          ...maxMemoryFrom(flags),
          longEdge: flags.longEdge,
          onProgress: progress,
        });
      } finally {
        progress.clear();
      }
      if (!flags.quiet) warnLowResolution(report.images.lowResolution, report.images.resolution.minDpi);
      if (flags.json) printJson(report);
    });

  addOptions(
    program
      .command('validate')
      .description('check a manifest and report every problem with its JSON path (exit 0 or 2); checks that need the photos (their sizes) happen when the job runs')
      .argument('<manifest>', 'JSON or plain-text manifest'),
    'validate',
  ).action(async (manifest: string, flags: CommonFlags & OutputPolicyFlags) => {
    setModes(flags);
    const { outputRoot, followSymlinks } = outputPolicyFrom(flags);
    const spec = await validate(manifest, { ...overridesFrom(flags), root: outputRoot ?? null, followSymlinks });
    printWarnings(spec.warnings, flags);
    // The file's size: trim plus the bleed on every side.
    const { width, height } = outputSize(spec);
    const bleed = spec.bleed.size > 0 ? { bleed: spec.bleed.size, trim: { width: spec.width, height: spec.height } } : {};
    if (flags.json) {
      printJson({ valid: true, images: spec.images.length, width, height, dpi: spec.dpi, ...bleed, layout: spec.layout.type, output: spec.output, warnings: spec.warnings });
    } else if (!flags.quiet) {
      const trim = spec.bleed.size > 0 ? ` (${spec.width}×${spec.height} trim + ${spec.bleed.size} px bleed per side)` : '';
      process.stdout.write(`${manifest}: valid — ${spec.images.length} images, ${width}×${height} px${trim} at ${spec.dpi} dpi, ${spec.layout.type} → ${spec.output}\n`);
    }
  });

  const helpers = { maxMemoryFrom, fetchOptionsFrom, overridesFrom, outputPolicyFrom, setModes };
  addEnvironmentHelp(
    addOptions(
      program
        .command('batch')
        .description('build many manifests, N at a time; skip those up to date; one report at the end')
        .argument('<manifest|dir|glob...>', 'manifest files, folders (every *.json inside) or glob patterns'),
      'batch',
    ),
  ).action(async (inputs: string[], flags: BatchFlags & QueueFlags & OutputPolicyFlags) => {
    setModes(flags);
    if (flags.redis) return void (process.exitCode = await runQueueBatch(inputs, flags as never, helpers));
    const options: BatchOptions = {
      ...overridesFrom(flags),
      ...fetchOptionsFrom(flags),
      ...outputPolicyFrom(flags),
      ...maxMemoryFrom(flags),
      ...(flags.jobs !== undefined && { jobs: flags.jobs }),
      force: Boolean(flags.force),
      ...(flags.lock !== undefined && { lock: flags.lock as LockMode }),
    };
    process.exitCode = await runBatch(inputs, options, flags);
  });

  registerQueueCommands(program, helpers);

  const cache = program.command('cache').description('see or free the download cache');
  addOptions(cache.command('ls'), 'cache')
    .description('list cached downloads (URL, size, date)')
    .action(async (flags: { cacheDir?: string; json?: boolean }) => {
      setModes(flags);
      const dir = flags.cacheDir ?? defaultCacheDir();
      const entries = await listCache(dir);
      const bytes = entries.reduce((sum, e) => sum + e.size, 0);
      if (flags.json) printJson({ dir, entries: entries.length, bytes, items: entries.map((e) => ({ ...e, time: new Date(e.time).toISOString() })) });
      else {
        for (const e of entries)
          process.stdout.write(`${formatBytes(e.size).padStart(9)}  ${new Date(e.time).toISOString()}  ${e.url}${e.private ? '  (private: fetched with credentials)' : ''}\n`);
        process.stdout.write(`${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}, ${formatBytes(bytes)} in ${dir}\n`);
      }
    });
  addOptions(cache.command('clean'), 'cache')
    .description('remove every cached download')
    .action(async (flags: { cacheDir?: string; json?: boolean }) => {
      setModes(flags);
      const dir = flags.cacheDir ?? defaultCacheDir();
      const freed = await cleanCache(dir);
      if (flags.json) printJson({ dir, removed: freed.entries, bytes: freed.bytes });
      else process.stdout.write(`removed ${freed.entries} entr${freed.entries === 1 ? 'y' : 'ies'}, ${formatBytes(freed.bytes)} from ${dir}\n`);
    });

  addOptions(cache.command('verify'), 'cache')
    .description('check every cached download: corrupt and unreferenced content deleted, the index rebuilt')
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

  addOptions(
    program
      .command('fonts')
      .description('list the caption fonts, in fallback order, and the scripts each draws: the bundled ones, then a manifest\'s "fonts" and --font files')
      .argument('[manifest]', "also list this manifest's fonts and the installed fonts its captions name"),
    'fonts',
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

/**
 * `--verbose`: the job's timings in ms. Wall time per phase; fetch, decode and draw are summed
 * across photos (they overlap, so they can exceed the total), and labelled so.
 */
function formatTimings(t: BuildReport['timings']): string {
  const ms = (n: number) => Math.round(n).toLocaleString('en-US');
  return (
    `collage: timings (ms): manifest ${ms(t.manifest)}, images ${ms(t.images)} (CPU ${ms(t.imagesCpu)}), encode ${ms(t.encode)}, write ${ms(t.write)}, total ${ms(t.total)}\n` +
    `collage: summed across photos (ms): fetch ${ms(t.fetch)}, decode ${ms(t.decode)}, draw ${ms(t.draw)}\n`
  );
}

/** "PNG", "JPEG", "TIFF", "WebP", "PDF". */
function formatName(format: string): string {
  return format === 'webp' ? 'WebP' : format.toUpperCase();
}

/** One line when photos were cropped past maxCrop, one when the page was left partly background. */
function warnLayout(layout: { maxCrop: number; overCrop: { crop: number }[]; unfilled?: number }): void {
  const over = layout.overCrop;
  if (over.length > 0) {
    const worst = Math.max(...over.map((o) => o.crop));
    process.stderr.write(
      `collage: ${over.length} photo${over.length === 1 ? '' : 's'} cropped more than layout.maxCrop ${layout.maxCrop} % (up to ${worst} %); listed in --json (layout.overCrop)\n`,
    );
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

/** One readable line per problem on stderr; the exit code the README assigns (Exit codes and errors). */
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
