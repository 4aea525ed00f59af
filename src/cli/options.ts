/**
 * Every command-line option, once: its flags, value (type, bounds, choices), default, help, the
 * environment variable that sets it, the commands that take it and the manifest key it
 * overrides. Commander's options and help text are produced from this table (addOptions), so are
 * the manifest overrides (overridesFrom) and the README's option table (options-doc.ts); tests
 * check the help, the README and the manifest schema's defaults against it.
 */
import { LOCK_MODES } from '../batch/lock.js';
import { DEFAULT_CELL_CACHE_BYTES } from '../cells/index.js';
import { DEFAULT_MAX_PIXELS } from '../decode/index.js';
import { ARRANGES } from '../layout/calendar.js';
import { WEEKDAYS } from '../layout/days.js';
import { DATE_SOURCES } from '../manifest/calendar.js';
import { MANIFEST_DEFAULTS } from '../manifest/defaults.js';
import { withCommas } from '../manifest/limits.js';
import { MAX_POSTER_PIXELS } from '../manifest/normalize.js';
import { BLEED_MODES, FITS, FORMATS, LAYOUT_TYPES, ON_ERROR, ON_LOW_RES, ORDERS } from '../manifest/schema.js';
import { PROOF_LONG_EDGE } from '../proof/index.js';
import { MAX_COLUMNS, MAX_DPI, MAX_QUALITY, MAX_SEED } from '../manifest/limits.js';
import { MIN_MAX_MEMORY, MiB } from '../memory.js';
import { DEFAULT_ATTEMPTS, DEFAULT_BACKOFF_MS, DEFAULT_QUEUE } from '../queue/defaults.js';
import { DEFAULT_FETCH_OPTIONS } from '../sources/types.js';

/** The commands that take table options (`cache` is `cache ls|clean|verify`, `queue-status` is `queue status`). */
export const COMMANDS = ['build', 'plan', 'proof', 'validate', 'batch', 'enqueue', 'worker', 'fonts', 'cache', 'queue-status'] as const;
export type CommandName = (typeof COMMANDS)[number];

/** What an option's value is; numbers carry their bounds, checked before anything runs (exit 2). */
export type OptionValue =
  | { type: 'flag' }
  | { type: 'string' }
  /** Repeatable: every value, in order. */
  | { type: 'list' }
  | { type: 'choice'; choices: readonly string[] }
  | { type: 'integer'; min: number; max: number }
  /** Over 0 (or from `least`) up to `max`. */
  | { type: 'number'; max: number; least?: number }
  | { type: 'seconds'; min: number; max: number }
  /** `--focus`: "auto" or x,y in 0..1. */
  | { type: 'focus' }
  /** `--max-crop`: a percentage 0–99, "5" or "5%". */
  | { type: 'percent'; max: number }
  /** `--cell-aspect`: "auto", a ratio "4:3" or a number (width/height). */
  | { type: 'aspect'; min: number; max: number };

type PerCommand<T> = T | ((command: CommandName) => T);

export interface OptionSpec {
  /** Commander flags: `-o, --output <file>`, `--no-cache`, … */
  flags: string;
  value: OptionValue;
  /** What it does; the value's range and the default are added from `value` and `default`. */
  help: PerCommand<string>;
  /** The default the library applies when the option is not given (never set on commander: a manifest's own value must win). */
  default?: string | number | boolean | readonly number[];
  /** The default in words, when it is not one value. */
  defaultText?: PerCommand<string>;
  /** Environment variable read when the option is not given. */
  env?: string;
  commands: readonly CommandName[];
  /** The manifest key it overrides (JSON path), for options that stand for one. */
  manifestKey?: string;
  /** The `ManifestOverrides` field it fills, and how its value is turned into that field's. */
  override?: { key: string; from?: (value: never) => unknown };
  /** Kept working but left out of help and the README: why, and what replaces it. */
  deprecated?: string;
}

/** The commands that read a manifest (`output` only where there is one output). */
const MANIFEST = ['build', 'plan', 'proof', 'validate', 'batch', 'enqueue'] as const;
const ONE_OUTPUT = ['build', 'plan', 'proof', 'validate'] as const;
/** The commands that fetch photos (`fonts` fetches font files). */
const FETCHING = ['build', 'plan', 'proof', 'batch', 'enqueue', 'fonts'] as const;
/** The commands that decode photos here. */
const RENDERING = ['build', 'proof', 'batch', 'worker'] as const;
const POLICY = ['build', 'proof', 'validate', 'batch', 'enqueue', 'worker'] as const;

const mb = (bytes: number) => bytes / MiB;
const s = (ms: number) => ms / 1000;

const outputRootDefault = (command: CommandName) =>
  command === 'build' || command === 'proof' || command === 'validate'
    ? 'anywhere'
    : command === 'worker'
      ? "each manifest's own folder (or the enqueuer's --output-root)"
      : "each manifest's own folder";

export const OPTIONS = [
  // The page and its layout: each overrides (for a plain-text manifest, supplies) a manifest key.
  {
    flags: '-o, --output <file>',
    value: { type: 'string' },
    commands: ONE_OUTPUT,
    manifestKey: 'output',
    override: { key: 'output' },
    help: 'output file, relative to the current folder; its extension gives the format',
    defaultText: (command) => (command === 'proof' ? "<name>.proof.png beside the print's output" : "the manifest's output, else its name with the format's extension"),
  },
  {
    flags: '--format <format>',
    value: { type: 'choice', choices: [...FORMATS, 'jpg', 'tif'] },
    commands: MANIFEST,
    manifestKey: 'format',
    override: { key: 'format', from: (format: string) => (format === 'jpg' ? 'jpeg' : format === 'tif' ? 'tiff' : format) },
    help: 'output format',
    defaultText: "from the output file's extension",
  },
  {
    flags: '--quality <1-100>',
    value: { type: 'integer', min: 1, max: MAX_QUALITY },
    commands: MANIFEST,
    manifestKey: 'quality',
    override: { key: 'quality' },
    help: 'JPEG and WebP quality; PNG, TIFF and PDF are lossless',
    default: MANIFEST_DEFAULTS.quality,
  },
  {
    flags: '--dpi <n>',
    value: { type: 'integer', min: 1, max: MAX_DPI },
    commands: MANIFEST,
    manifestKey: 'size.dpi',
    override: { key: 'dpi' },
    help: 'dots per inch: physical sizes are re-rasterised (e.g. --dpi 30 for a quick proof)',
    default: MANIFEST_DEFAULTS.dpi,
  },
  {
    flags: '--size <WxH[unit]>',
    value: { type: 'string' },
    commands: MANIFEST,
    manifestKey: 'size',
    override: { key: 'size' },
    help: 'page (trim) size: 36x24in, 300x200mm, 10800x7200px; without a unit, pixels; needed for plain-text manifests',
  },
  {
    flags: '--layout <type>',
    value: { type: 'choice', choices: LAYOUT_TYPES },
    commands: MANIFEST,
    manifestKey: 'layout.type',
    override: { key: 'layout' },
    help: "layout type; the manifest's layout keys the type does not take are dropped",
    defaultText: 'grid',
  },
  {
    flags: '--columns <n>',
    value: { type: 'integer', min: 1, max: MAX_COLUMNS },
    commands: MANIFEST,
    manifestKey: 'layout.columns',
    override: { key: 'columns' },
    help: 'grid and masonry columns',
    defaultText: 'derived from the photos',
  },
  {
    flags: '--rows <n>',
    value: { type: 'integer', min: 1, max: MAX_COLUMNS },
    commands: MANIFEST,
    manifestKey: 'layout.rows',
    override: { key: 'rows' },
    help: 'grid rows',
    defaultText: 'derived from the photos',
  },
  {
    flags: '--cell-aspect <ratio>',
    value: { type: 'aspect', min: 0.05, max: 20 },
    commands: MANIFEST,
    manifestKey: 'layout.cellAspect',
    override: { key: 'cellAspect' },
    help: 'cell shape of a derived grid or calendar: auto (fitted to the photos), a ratio such as 4:3, or width/height',
    defaultText: 'auto when headers are read anyway, else square',
  },
  {
    flags: '--row-height <length>',
    value: { type: 'string' },
    commands: MANIFEST,
    manifestKey: 'layout.rowHeight',
    override: { key: 'rowHeight' },
    help: 'justified: preferred row height, e.g. 3in',
    defaultText: 'what fills the page',
  },
  {
    flags: '--max-crop <percent>',
    value: { type: 'percent', max: 99 },
    commands: MANIFEST,
    manifestKey: 'layout.maxCrop',
    override: { key: 'maxCrop' },
    help: "largest share of a photo's area a cover crop may hide",
    default: MANIFEST_DEFAULTS.maxCrop,
  },
  {
    flags: '--max-area-ratio <n>',
    value: { type: 'number', least: 1, max: 100 },
    commands: MANIFEST,
    manifestKey: 'layout.maxAreaRatio',
    override: { key: 'maxAreaRatio' },
    help: 'mosaic: largest photo area over smallest (a soft cap)',
    default: MANIFEST_DEFAULTS.maxAreaRatio,
  },
  {
    flags: '--resolution-aware',
    value: { type: 'flag' },
    commands: MANIFEST,
    manifestKey: 'layout.resolutionAware',
    override: { key: 'resolutionAware' },
    help: "justified, masonry, mosaic: size cells by the photos' own pixels, so fewer print under --min-dpi",
    default: MANIFEST_DEFAULTS.resolutionAware,
  },
  {
    flags: '--arrange <arrange>',
    value: { type: 'choice', choices: ARRANGES },
    commands: MANIFEST,
    manifestKey: 'layout.arrange',
    override: { key: 'arrange' },
    help: 'calendar: a block per month, a row per month, or a strip of weeks per year',
    default: MANIFEST_DEFAULTS.arrange,
  },
  {
    flags: '--date-from <source>',
    value: { type: 'choice', choices: DATE_SOURCES },
    commands: MANIFEST,
    manifestKey: 'layout.dateFrom',
    override: { key: 'dateFrom' },
    help: 'calendar: where a photo\'s day comes from first (EXIF capture time, the manifest\'s "date", a date in the file name); the others follow',
    default: MANIFEST_DEFAULTS.dateFrom,
  },
  {
    flags: '--from <YYYY-MM-DD>',
    value: { type: 'string' },
    commands: MANIFEST,
    manifestKey: 'layout.from',
    override: { key: 'from' },
    help: 'calendar: first day; photos before it are left out and reported',
    defaultText: "the earliest photo's day",
  },
  {
    flags: '--to <YYYY-MM-DD>',
    value: { type: 'string' },
    commands: MANIFEST,
    manifestKey: 'layout.to',
    override: { key: 'to' },
    help: 'calendar: last day; photos after it are left out and reported',
    defaultText: "the latest photo's day",
  },
  {
    flags: '--week-start <day>',
    value: { type: 'choice', choices: WEEKDAYS },
    commands: MANIFEST,
    manifestKey: 'layout.weekStart',
    override: { key: 'weekStart' },
    help: 'calendar: first day of each week',
    default: MANIFEST_DEFAULTS.weekStart,
  },
  {
    flags: '--fit <fit>',
    value: { type: 'choice', choices: FITS },
    commands: MANIFEST,
    manifestKey: 'layout.fit',
    override: { key: 'fit' },
    help: 'how photos fill their cells (a photo\'s own "fit" wins)',
    default: MANIFEST_DEFAULTS.fit,
  },
  {
    flags: '--focus <x,y|auto>',
    value: { type: 'focus' },
    commands: MANIFEST,
    manifestKey: 'focus',
    override: { key: 'focus' },
    help: 'the point of every photo kept in view when cropping, x,y in 0..1, or auto (the most salient region); a photo\'s own "focus" wins',
    default: MANIFEST_DEFAULTS.focus,
  },
  {
    flags: '--order <order>',
    value: { type: 'choice', choices: ORDERS },
    commands: MANIFEST,
    manifestKey: 'order',
    override: { key: 'order' },
    help: 'which photo takes which cell: as listed, by capture date, or shuffled (--seed)',
    default: MANIFEST_DEFAULTS.order,
  },
  {
    flags: '--seed <n>',
    value: { type: 'integer', min: 0, max: MAX_SEED },
    commands: MANIFEST,
    manifestKey: 'seed',
    override: { key: 'seed' },
    help: "seed for --order shuffle and the mosaic's arrangement: the same seed, the same page",
    default: MANIFEST_DEFAULTS.seed,
  },
  {
    flags: '--background <colour>',
    value: { type: 'string' },
    commands: MANIFEST,
    manifestKey: 'background',
    override: { key: 'background' },
    help: 'page colour: #rgb, #rrggbb, rgb() or a CSS name',
    default: MANIFEST_DEFAULTS.background,
  },
  {
    flags: '--margin <length>',
    value: { type: 'string' },
    commands: MANIFEST,
    manifestKey: 'margin',
    override: { key: 'margin' },
    help: 'outer margin, e.g. 0.25in',
    default: MANIFEST_DEFAULTS.margin,
  },
  {
    flags: '--gap <length>',
    value: { type: 'string' },
    commands: MANIFEST,
    manifestKey: 'gap',
    override: { key: 'gap' },
    help: 'space between photos, e.g. 2mm',
    default: MANIFEST_DEFAULTS.gap,
  },
  {
    flags: '--bleed <length>',
    value: { type: 'string' },
    commands: MANIFEST,
    manifestKey: 'bleed',
    override: { key: 'bleed' },
    help: 'extra area on every side of the trim size, e.g. 3mm, or 1.5in for a gallery wrap; the output is trim + 2 × bleed',
    defaultText: 'none',
  },
  {
    flags: '--bleed-mode <mode>',
    value: { type: 'choice', choices: BLEED_MODES },
    commands: MANIFEST,
    manifestKey: 'bleed.mode',
    override: { key: 'bleedMode' },
    help: 'what fills the bleed: edge photos continued, the edge band mirrored (canvas wraps), or the background',
    default: MANIFEST_DEFAULTS.bleedMode,
  },
  {
    flags: '--crop-marks',
    value: { type: 'flag' },
    commands: MANIFEST,
    manifestKey: 'cropMarks',
    override: { key: 'cropMarks' },
    help: 'draw trim marks in the bleed (needs a bleed)',
  },
  {
    flags: '--max-output-pixels <Mpx>',
    value: { type: 'number', max: MAX_POSTER_PIXELS / 1e6 },
    commands: MANIFEST,
    override: { key: 'maxOutputPixels', from: (mpx: number) => Math.round(mpx * 1e6) },
    help: 'refuse an output (trim + bleed) larger than this, in megapixels, before anything is fetched',
    default: MAX_POSTER_PIXELS / 1e6,
  },
  {
    flags: '--min-dpi <n>',
    value: { type: 'number', least: 1, max: MAX_DPI },
    commands: MANIFEST,
    manifestKey: 'preflight.minDpi',
    override: { key: 'minDpi' },
    help: 'effective resolution (photo pixels per inch of its cell) under which a photo is reported',
    default: MANIFEST_DEFAULTS.minDpi,
  },
  {
    flags: '--on-low-res <policy>',
    value: { type: 'choice', choices: ON_LOW_RES },
    commands: MANIFEST,
    manifestKey: 'preflight.onLowRes',
    override: { key: 'onLowRes' },
    help: 'when photos print under --min-dpi: warn (one line each) or fail (write nothing, exit 4)',
    default: MANIFEST_DEFAULTS.onLowRes,
  },
  {
    flags: '--long-edge <px>',
    value: { type: 'integer', min: 100, max: 20_000 },
    commands: ['proof'],
    help: "the proof's long edge; never larger than the print",
    default: PROOF_LONG_EDGE,
  },
  {
    flags: '--font <file>',
    value: { type: 'list' },
    commands: [...MANIFEST, 'fonts'],
    manifestKey: 'fonts',
    help: (command) =>
      command === 'fonts'
        ? 'a font file or URL to add; repeatable'
        : 'caption font file or URL added to the fallback chain after the manifest\'s "fonts" (e.g. a CJK font); repeatable',
  },

  // Fetching photos.
  {
    flags: '--on-error <policy>',
    value: { type: 'choice', choices: ON_ERROR },
    commands: FETCHING,
    manifestKey: 'onError',
    override: { key: 'onError' },
    help: 'when photos fail: fail (write nothing, exit 3), skip (lay out the rest), placeholder (grey cell)',
    default: MANIFEST_DEFAULTS.onError,
  },
  {
    flags: '--concurrency <n>',
    value: { type: 'integer', min: 1, max: 256 },
    commands: FETCHING,
    help: 'photos downloaded at once, in all',
    default: DEFAULT_FETCH_OPTIONS.concurrency,
  },
  {
    flags: '--per-host <n>',
    value: { type: 'integer', min: 1, max: 64 },
    commands: FETCHING,
    help: `HTTP/1.1 connections per host; over HTTP/2 one connection carries up to ${DEFAULT_FETCH_OPTIONS.h2Streams} requests`,
    default: DEFAULT_FETCH_OPTIONS.perHost,
  },
  { flags: '--http1', value: { type: 'flag' }, commands: FETCHING, help: 'HTTP/1.1 only: do not offer HTTP/2 to HTTPS servers' },
  {
    flags: '--timeout <seconds>',
    value: { type: 'seconds', min: 1, max: 3600 },
    commands: FETCHING,
    help: 'connect, response-headers and stalled-download timeout, all three',
    defaultText: `connect ${s(DEFAULT_FETCH_OPTIONS.connectTimeout)}, response headers ${s(DEFAULT_FETCH_OPTIONS.headersTimeout)}, stalled download ${s(DEFAULT_FETCH_OPTIONS.bodyTimeout)}`,
  },
  {
    flags: '--download-timeout <seconds>',
    value: { type: 'seconds', min: 1, max: 86400 },
    commands: FETCHING,
    help: 'longest one photo may take over all its attempts and waits',
    default: s(DEFAULT_FETCH_OPTIONS.downloadTimeout),
  },
  {
    flags: '--job-timeout <seconds>',
    value: { type: 'seconds', min: 1, max: 7 * 86400 },
    commands: FETCHING,
    help: 'longest one job (a build, each batch job) may take; photos not in by then fail ("job deadline"), nothing is written, exit 3',
    defaultText: 'none',
  },
  {
    flags: '--retries <n>',
    value: { type: 'integer', min: 0, max: 20 },
    commands: FETCHING,
    help: 'retries per photo on network errors, 408, 429 and 5xx',
    default: DEFAULT_FETCH_OPTIONS.retries,
  },
  {
    flags: '--retry-delay <seconds>',
    value: { type: 'number', max: 60 },
    commands: FETCHING,
    help: 'backoff base: retry n waits up to base × 2^(n-1)',
    default: s(DEFAULT_FETCH_OPTIONS.retryBaseDelay),
  },
  { flags: '--max-download <MB>', value: { type: 'number', max: 4096 }, commands: FETCHING, help: 'largest photo file accepted', default: mb(DEFAULT_FETCH_OPTIONS.maxBytes) },
  { flags: '--max-pixels <Mpx>', value: { type: 'number', max: 10_000 }, commands: FETCHING, help: 'largest decoded photo, in megapixels', default: DEFAULT_MAX_PIXELS / 1e6 },
  {
    flags: '--cache-dir <dir>',
    value: { type: 'string' },
    commands: [...FETCHING, 'worker', 'cache'],
    help: (command) => (command === 'cache' ? 'cache folder' : command === 'worker' ? 'download cache folder on this machine' : 'download cache folder'),
    defaultText: '$XDG_CACHE_HOME/collage or ~/.cache/collage',
  },
  {
    flags: '--no-cache',
    value: { type: 'flag' },
    commands: [...FETCHING, 'worker'],
    help: (command) =>
      command === 'worker' ? 'neither read nor write the download cache' : 'neither read nor write the download cache (nor the cell cache, unless --cell-cache is given)',
  },
  {
    flags: '--cell-cache <dir>',
    value: { type: 'string' },
    commands: FETCHING,
    help: 'decoded-cell cache folder: a rebuild decodes only the photos whose cells changed',
    defaultText: 'cells/ in the download cache folder',
  },
  { flags: '--no-cell-cache', value: { type: 'flag' }, commands: FETCHING, help: 'neither read nor write the cell cache' },
  {
    flags: '--cell-cache-size <MB>',
    value: { type: 'number', least: 1, max: 10_000_000 },
    commands: FETCHING,
    help: 'cell cache size cap; least recently used cells go first',
    default: mb(DEFAULT_CELL_CACHE_BYTES),
  },
  {
    flags: '--block-private-addresses',
    value: { type: 'flag' },
    commands: FETCHING,
    help: 'refuse loopback, link-local and private addresses (checked after DNS and on every redirect) and local files',
  },

  // Where outputs may go, and memory.
  {
    flags: '--output-root <dir>',
    value: { type: 'string' },
    commands: POLICY,
    env: 'COLLAGE_OUTPUT_ROOT',
    help: 'outputs must resolve inside this folder, after symbolic links, else exit 2',
    defaultText: outputRootDefault,
  },
  { flags: '--follow-symlinks', value: { type: 'flag' }, commands: POLICY, help: 'write through an output that is a symbolic link, to its target (without it: refused, exit 2)' },
  {
    flags: '--max-memory <MB>',
    value: { type: 'number', least: MIN_MAX_MEMORY / MiB, max: 10_000_000 },
    commands: RENDERING,
    help: (command) =>
      `memory ${command === 'build' || command === 'proof' ? 'this job' : command === 'batch' ? 'the whole batch (each running job gets a share)' : 'this worker (each running job gets an equal share)'} may use; photos decode when they fit in what the poster leaves, one that never could fails`,
    defaultText: "half the RAM, or of a container's limit",
  },

  // Batch and queue.
  {
    flags: '-j, --jobs <n>',
    value: { type: 'integer', min: 1, max: 64 },
    commands: ['batch', 'worker'],
    help: (command) => (command === 'worker' ? 'jobs rendered at once by this worker' : 'manifests built at once'),
    defaultText: (command) => (command === 'worker' ? '1' : 'one per core, within memory'),
  },
  {
    flags: '--concurrency <n>',
    value: { type: 'integer', min: 1, max: 64 },
    commands: ['worker'],
    help: 'jobs rendered at once',
    deprecated: 'worker --concurrency is now --jobs (build --concurrency counts downloads); the old name still works so existing service files keep running',
  },
  {
    flags: '--force',
    value: { type: 'flag' },
    commands: ['batch', 'enqueue'],
    help: (command) =>
      command === 'enqueue' ? 'render again even when the same job (same manifest bytes and options) already completed' : 'rebuild even when the output is up to date',
  },
  {
    flags: '--lock <mode>',
    value: { type: 'choice', choices: LOCK_MODES },
    commands: ['batch'],
    help: 'when another run is building the same output: wait for it, or skip the job',
    default: LOCK_MODES[0],
  },
  { flags: '--report <file>', value: { type: 'string' }, commands: ['batch'], help: 'also write the JSON report to this file' },
  {
    flags: '--log-format <format>',
    value: { type: 'choice', choices: ['text', 'json'] },
    commands: ['batch', 'worker'],
    help: 'stderr events: text lines, or one JSON object per line',
    default: 'text',
  },
  { flags: '--redis <url>', value: { type: 'string' }, commands: ['batch'], help: 'render on queue workers instead of here: enqueue, wait, report (see collage worker)' },
  { flags: '--redis <url>', value: { type: 'string' }, commands: ['enqueue', 'worker', 'queue-status'], env: 'COLLAGE_REDIS', help: 'Redis server, e.g. redis://127.0.0.1:6379' },
  {
    flags: '--queue <name>',
    value: { type: 'string' },
    commands: ['batch', 'enqueue', 'worker', 'queue-status'],
    help: 'queue name; workers and producers must agree',
    default: DEFAULT_QUEUE,
  },
  {
    flags: '--attempts <n>',
    value: { type: 'integer', min: 1, max: 100 },
    commands: ['batch', 'enqueue'],
    help: 'tries per job on a worker, the first included; invalid manifests and missing photos are not retried',
    default: DEFAULT_ATTEMPTS,
  },
  {
    flags: '--backoff <seconds>',
    value: { type: 'number', max: 3600 },
    commands: ['batch', 'enqueue'],
    help: 'exponential backoff base between tries',
    default: s(DEFAULT_BACKOFF_MS),
  },
  {
    flags: '--lock-duration <seconds>',
    value: { type: 'number', least: 0.1, max: 3600 },
    commands: ['worker'],
    help: "how long a job's lock lasts unrenewed: a dead worker's job is taken again after about this long",
    default: 30,
  },
  {
    flags: '--stalled-interval <seconds>',
    value: { type: 'number', least: 0.1, max: 3600 },
    commands: ['worker'],
    help: 'how often to look for jobs whose worker died',
    default: 30,
  },
  { flags: '--max-stalled <n>', value: { type: 'integer', min: 1, max: 100 }, commands: ['worker'], help: 'times a job may lose its worker before it is failed', default: 2 },
  { flags: '--limit <n>', value: { type: 'integer', min: 1, max: 10_000 }, commands: ['queue-status'], help: 'failed and active jobs listed', default: 50 },

  // What is printed.
  {
    flags: '--json',
    value: { type: 'flag' },
    commands: [...MANIFEST, 'fonts', 'cache', 'queue-status'],
    help: (command) => (command === 'fonts' || command === 'cache' || command === 'queue-status' ? 'print JSON' : 'print a machine-readable JSON report on stdout'),
  },
  { flags: '-q, --quiet', value: { type: 'flag' }, commands: [...MANIFEST, 'worker'], help: 'print nothing but errors' },
  {
    flags: '-v, --verbose',
    value: { type: 'flag' },
    commands: [...MANIFEST, 'worker'],
    help: (command) => (command === 'worker' ? 'print stack traces on errors' : 'print timings in ms (fetch, decode and draw summed across photos) and stack traces on errors'),
  },
] as const satisfies readonly OptionSpec[];

/** Variables read without an option of their own (`env` in OPTIONS lists the others). */
export const ENVIRONMENT = [
  { name: 'COLLAGE_HTTP_HEADERS', help: 'extra request headers per origin, JSON: {"host" or "https://host:port": {"Name": "value"}}' },
  { name: 'COLLAGE_OUTPUT_ROOT', help: 'the --output-root folder' },
  { name: 'UV_THREADPOOL_SIZE', help: "photos decoded at once (default: one per core, at least 4; a container's CPU limit counts)" },
] as const;

/** The options a command takes, in table order (deprecated ones included: they still work). */
export function optionsOf(command: CommandName): OptionSpec[] {
  return (OPTIONS as readonly OptionSpec[]).filter((option) => option.commands.includes(command));
}

/** `--max-crop` from `-o, --max-crop <percent>`. */
export function longFlag(option: Pick<OptionSpec, 'flags'>): string {
  return /--[a-z0-9-]+/.exec(option.flags)![0];
}

export const resolve = <T>(value: PerCommand<T>, command: CommandName): T => (typeof value === 'function' ? (value as (c: CommandName) => T)(command) : value);

const number = (n: number) => withCommas(n);

/** The value's range in words, for help: "1–100", "over 0, up to 60", … */
export function rangeText(value: OptionValue): string | undefined {
  switch (value.type) {
    case 'integer':
      return `whole number ${number(value.min)}–${number(value.max)}`;
    case 'number':
      return value.least ? `${number(value.least)}–${number(value.max)}` : `over 0, up to ${number(value.max)}`;
    case 'seconds':
      return `${number(value.min)}–${number(value.max)}`;
    case 'percent':
      return `0–${value.max}`;
    case 'focus':
      return 'auto, or x,y from 0 to 1';
    case 'aspect':
      return `auto, W:H, or ${number(value.min)}–${number(value.max)}`;
    default:
      return undefined;
  }
}

/** The default as help shows it. */
export function defaultText(option: OptionSpec, command: CommandName): string | undefined {
  if (option.defaultText !== undefined) return resolve(option.defaultText, command);
  const value = option.default;
  if (value === undefined || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') return number(value);
  if (typeof value === 'string') return value;
  return value.join(',');
}

/** The whole help line after the flags: what it does (range; default). */
export function helpText(option: OptionSpec, command: CommandName): string {
  const facts = [rangeText(option.value), defaultText(option, command) && `default ${defaultText(option, command)}`].filter(Boolean);
  return `${resolve(option.help, command)}${facts.length > 0 ? ` (${facts.join('; ')})` : ''}`;
}
