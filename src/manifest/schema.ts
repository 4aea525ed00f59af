/**
 * The manifest, version 1, as one valibot definition. The validator and the JSON Schema
 * that `collage schema` prints are both derived from it, so they cannot drift apart.
 */
import * as v from 'valibot';
import { toJsonSchema } from '@valibot/to-json-schema';
import { parseColor } from './units.js';
import { Length } from './lengths.js';
import { MAX_COLUMNS, MAX_DPI, MAX_IMAGES, MAX_QUALITY, MAX_SEED, MAX_WEIGHT, MIN_WEIGHT, withCommas } from './limits.js';
import { CaptionTextSchema, STYLE_KEYS, StyleSchema } from './style.js';
import { HEADER_NAME, originsOfKey, refusedHeaderName, refusedHeaderValue } from '../sources/headers.js';
import { CALENDAR_KEYS, CalendarLayoutSchema, DateSchema } from './calendar.js';
import { MANIFEST_DEFAULTS } from './defaults.js';

export const FORMATS = ['png', 'jpeg', 'tiff', 'webp', 'pdf'] as const;
export type OutputFormat = (typeof FORMATS)[number];
export const FITS = ['cover', 'contain'] as const;
export const ON_ERROR = ['fail', 'skip', 'placeholder'] as const;
export type OnError = (typeof ON_ERROR)[number];
export type Fit = (typeof FITS)[number];
export const BLEED_MODES = ['extend', 'mirror', 'color'] as const;
export const ON_LOW_RES = ['warn', 'fail'] as const;
export type OnLowRes = (typeof ON_LOW_RES)[number];
/** The effective resolution under which a photo is reported (print shops hold orders under 150). */
export const DEFAULT_MIN_DPI = MANIFEST_DEFAULTS.minDpi;
export type BleedMode = (typeof BLEED_MODES)[number];

const Color = v.pipe(
  v.string('Invalid colour: expected a string such as "#ffffff", "rgb(255 255 255)" or "white"'),
  v.check(
    (value) => parseColor(value) !== null,
    (issue) => `Invalid colour: ${issue.received} is not #rgb, #rrggbb, rgb() or a CSS colour name`,
  ),
  v.description('A CSS colour: #rgb, #rrggbb, #rrggbbaa, rgb()/rgba() or a name such as "white".'),
);

const Fit = v.pipe(v.picklist(FITS), v.description('cover: fill the cell, cropping around focus. contain: whole image, letterboxed in the background.'));

const Focus = v.pipe(
  v.tuple([v.pipe(v.number(), v.minValue(0), v.maxValue(1)), v.pipe(v.number(), v.minValue(0), v.maxValue(1))]),
  v.description('[x, y] in 0..1: the point kept in view when cropping (the centre unless given).'),
);

const FocusOrAuto = v.pipe(
  v.union([Focus, v.literal('auto')], 'Invalid focus: expected [x, y] with both in 0..1, or "auto"'),
  v.description('[x, y] in 0..1, the point kept in view when cropping, or "auto": around the most salient region (detail, saturation, skin tones).'),
);

export const ORDERS = ['manifest', 'date', 'shuffle'] as const;
/** A whole number from 0 to MAX_SEED. */
const seedNumber = () =>
  v.pipe(v.number(), v.integer('seed must be a whole number'), v.minValue(0, 'seed must be at least 0'), v.maxValue(MAX_SEED, `seed must be at most ${MAX_SEED}`));
const Seed = v.pipe(seedNumber(), v.description('Seed for order "shuffle": the same seed gives the same order.'));
const OrderSchema = v.pipe(
  v.union(
    [v.picklist(ORDERS), v.strictObject({ type: v.picklist(ORDERS), seed: v.optional(Seed) })],
    'Invalid order: expected "manifest", "date", "shuffle" or { "type": "shuffle", "seed": 7 }',
  ),
  v.description('Which photo takes which cell: manifest (as listed), date (EXIF capture time, oldest first; undated photos after, as listed) or shuffle (with "seed").'),
);

const Src = v.pipe(v.string(), v.minLength(1, 'Invalid image: src is empty'), v.description('An http:, https: or file: URL, or a path relative to the manifest.'));

export const ImageEntrySchema = v.union(
  [
    Src,
    v.strictObject({
      src: Src,
      caption: v.optional(CaptionTextSchema),
      focus: v.optional(FocusOrAuto),
      fit: v.optional(Fit),
      style: v.optional(StyleSchema),
      weight: v.optional(
        v.pipe(
          v.number(),
          v.minValue(MIN_WEIGHT, `weight must be at least ${MIN_WEIGHT}`),
          v.maxValue(MAX_WEIGHT, `weight must be at most ${MAX_WEIGHT}`),
          v.description('Relative area hint for justified and mosaic layouts (default 1).'),
        ),
      ),
      date: v.optional(
        v.pipe(
          DateSchema,
          v.description('The day the photo belongs to, "YYYY-MM-DD", for the calendar layout (used when it has no EXIF capture time, or first with dateFrom "manifest").'),
        ),
      ),
    }),
  ],
  'Invalid image: expected a URL or path string, or an object with "src"',
);

const FontSrc = v.pipe(
  v.string(),
  v.minLength(1, 'Invalid font: the entry is empty'),
  v.description('A font file (TrueType, OpenType, WOFF or WOFF2): an http:, https: or file: URL, or a path relative to the manifest.'),
);

export const MAX_FONT_FILES = 16;

const Fonts = v.pipe(
  v.array(FontSrc, 'Invalid fonts: expected an array of font files'),
  v.maxLength(MAX_FONT_FILES, `Invalid fonts: at most ${MAX_FONT_FILES} files`),
  v.description(
    'Extra font files for captions (e.g. a CJK font), fetched and cached like photos: characters the bundled fonts lack fall back to them, in order; a caption\'s "font" may name their family.',
  ),
);

const Count = (what: string) =>
  v.pipe(
    v.number(),
    v.integer(`${what} must be a whole number`),
    v.minValue(1, `${what} must be at least 1`),
    v.maxValue(MAX_COLUMNS, `${what} must be at most ${withCommas(MAX_COLUMNS)}`),
  );

export const PERCENT_PATTERN = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*%\s*$/;
const MAX_CROP_MESSAGE = 'Invalid maxCrop: expected a percentage from 0 to 99, such as 5 or "5%"';
const MaxCrop = v.pipe(
  v.union(
    [
      v.pipe(v.number(), v.minValue(0, MAX_CROP_MESSAGE), v.maxValue(99, MAX_CROP_MESSAGE)),
      v.pipe(
        v.string(),
        v.regex(PERCENT_PATTERN, MAX_CROP_MESSAGE),
        v.check((value) => !(parseFloat(value) > 99), MAX_CROP_MESSAGE),
      ),
    ],
    MAX_CROP_MESSAGE,
  ),
  v.description(
    'Largest share of a photo\'s area a cover crop may hide, in percent: a number such as 5, or "5%". plan and the --json report list every photo cropped more; where the page cannot be filled within it, the rest stays background.',
  ),
);

export const CELL_ASPECT_PATTERN = /^\s*(\d+(?:\.\d+)?)\s*:\s*(\d+(?:\.\d+)?)\s*$/;
const CELL_ASPECT_MESSAGE = 'Invalid cellAspect: expected "auto", a ratio such as "4:3", or a positive number (width/height)';
const CellAspect = v.pipe(
  v.union(
    [
      v.literal('auto'),
      v.pipe(v.number(), v.minValue(0.05, CELL_ASPECT_MESSAGE), v.maxValue(20, CELL_ASPECT_MESSAGE)),
      v.pipe(
        v.string(),
        v.regex(CELL_ASPECT_PATTERN, CELL_ASPECT_MESSAGE),
        // Runs even when the pattern did not match (every problem is collected): that one is the regex's to report.
        v.check((value) => {
          const match = CELL_ASPECT_PATTERN.exec(value);
          if (!match) return true;
          const ratio = Number(match[1]) / Number(match[2]);
          return ratio >= 0.05 && ratio <= 20;
        }, CELL_ASPECT_MESSAGE),
      ),
    ],
    CELL_ASPECT_MESSAGE,
  ),
  v.description(
    'Cell shape of a derived grid (no columns/rows given): "auto" reads every photo\'s header first and fits the cells to the photos (their median aspect); a ratio such as "4:3" or a number (width/height) sets it. Default: "auto" when headers are read anyway (order "date"), else square cells, drawn as photos arrive.',
  ),
);

const ResolutionAware = v.pipe(
  v.boolean(),
  v.description(
    "Size cells by the photos' own pixels (weights from native pixels): photos too small for an average cell at preflight.minDpi get smaller cells, the space going to sharper ones, so fewer print under it.",
  ),
);

export const GridLayoutSchema = v.strictObject({
  type: v.literal('grid'),
  columns: v.optional(v.pipe(Count('columns'), v.description('Number of columns; derived from the image count when omitted.'))),
  rows: v.optional(v.pipe(Count('rows'), v.description('Number of rows; derived from the image count when omitted.'))),
  cellAspect: v.optional(CellAspect),
  maxCrop: v.optional(MaxCrop, MANIFEST_DEFAULTS.maxCrop),
  fit: v.optional(Fit, MANIFEST_DEFAULTS.fit),
});

export const JustifiedLayoutSchema = v.strictObject({
  type: v.literal('justified'),
  rowHeight: v.optional(
    v.pipe(
      Length,
      v.description('Preferred row height: rows are kept even around it, but the page decides how many there are (default: what fills the page with photos near their own shape).'),
    ),
  ),
  maxCrop: v.optional(MaxCrop, MANIFEST_DEFAULTS.maxCrop),
  resolutionAware: v.optional(ResolutionAware, MANIFEST_DEFAULTS.resolutionAware),
  fit: v.optional(Fit, MANIFEST_DEFAULTS.fit),
});

export const MasonryLayoutSchema = v.strictObject({
  type: v.literal('masonry'),
  columns: v.optional(v.pipe(Count('columns'), v.description('Number of columns; when omitted, the count that fills the page best within maxCrop.'))),
  maxCrop: v.optional(MaxCrop, MANIFEST_DEFAULTS.maxCrop),
  resolutionAware: v.optional(ResolutionAware, MANIFEST_DEFAULTS.resolutionAware),
  fit: v.optional(Fit, MANIFEST_DEFAULTS.fit),
});

export const MosaicLayoutSchema = v.strictObject({
  type: v.literal('mosaic'),
  seed: v.optional(v.pipe(seedNumber(), v.description('Changes the arrangement; the same seed gives the same layout.')), MANIFEST_DEFAULTS.seed),
  maxCrop: v.optional(MaxCrop, MANIFEST_DEFAULTS.maxCrop),
  maxAreaRatio: v.optional(
    v.pipe(
      v.number(),
      v.minValue(1, 'maxAreaRatio must be at least 1'),
      v.maxValue(100, 'maxAreaRatio must be at most 100'),
      v.description('Largest photo area over smallest (per weight) the mosaic aims to stay within; a soft cap: a little more is accepted where it saves a visible crop.'),
    ),
    MANIFEST_DEFAULTS.maxAreaRatio,
  ),
  resolutionAware: v.optional(ResolutionAware, MANIFEST_DEFAULTS.resolutionAware),
  fit: v.optional(Fit, MANIFEST_DEFAULTS.fit),
});

export const LAYOUT_TYPES = ['grid', 'justified', 'masonry', 'mosaic', 'calendar'] as const;
export type LayoutType = (typeof LAYOUT_TYPES)[number];
/** Each layout type's object schema (the keys it takes). */
export const LAYOUT_SCHEMAS = {
  grid: GridLayoutSchema,
  justified: JustifiedLayoutSchema,
  masonry: MasonryLayoutSchema,
  mosaic: MosaicLayoutSchema,
  calendar: CalendarLayoutSchema,
} as const satisfies Record<LayoutType, { entries: object }>;

export const LayoutSchema = v.variant(
  'type',
  [GridLayoutSchema, JustifiedLayoutSchema, MasonryLayoutSchema, MosaicLayoutSchema, CalendarLayoutSchema],
  `Invalid layout: "type" must be ${LAYOUT_TYPES.map((type) => `"${type}"`)
    .join(', ')
    .replace(/, ([^,]+)$/, ' or $1')}`,
);

export const SizeSchema = v.strictObject({
  width: Length,
  height: Length,
  dpi: v.optional(
    v.pipe(
      v.number(),
      v.integer('dpi must be a whole number'),
      v.minValue(1, 'dpi must be at least 1'),
      v.maxValue(MAX_DPI, `dpi must be at most ${MAX_DPI}`),
      v.description('Dots per inch, a whole number; converts physical units and is written into the file.'),
    ),
    MANIFEST_DEFAULTS.dpi,
  ),
});

const BleedMode = v.pipe(v.picklist(BLEED_MODES), v.description('extend: edge photos continue into the bleed. mirror: the edge band is mirrored outward. color: background only.'));

export const BleedObjectSchema = v.strictObject({
  size: Length,
  mode: v.optional(BleedMode, MANIFEST_DEFAULTS.bleedMode),
});

const Bleed = v.pipe(
  v.union([Length, BleedObjectSchema], 'Invalid bleed: expected a length such as "3mm", or { "size": "1.5in", "mode": "mirror" }'),
  v.description('Extra area on every side of the trim size; the output is trim + 2 × bleed. A length, or { size, mode }.'),
);

export const PreflightSchema = v.strictObject({
  minDpi: v.optional(
    v.pipe(
      v.number(),
      v.minValue(1, 'minDpi must be at least 1'),
      v.maxValue(MAX_DPI, `minDpi must be at most ${MAX_DPI}`),
      v.description(`Effective resolution (source pixels shown ÷ the cell's size in inches) under which a photo is reported. --min-dpi overrides.`),
    ),
    MANIFEST_DEFAULTS.minDpi,
  ),
  onLowRes: v.optional(
    v.pipe(
      v.picklist(ON_LOW_RES),
      v.description('When photos print under minDpi: warn (one line per photo, and in the report) or fail (write nothing, exit 4). --on-low-res overrides.'),
    ),
    MANIFEST_DEFAULTS.onLowRes,
  ),
});

const ManifestObjectSchema = v.strictObject({
  $schema: v.optional(v.string()),
  version: v.optional(v.literal(1)),
  output: v.optional(v.pipe(v.string(), v.minLength(1), v.description('Output file, relative to the manifest folder. -o overrides.'))),
  format: v.optional(v.pipe(v.picklist(FORMATS), v.description('Output format: png, jpeg, tiff, webp or pdf; else taken from the output file extension.'))),
  quality: v.optional(
    v.pipe(
      v.number(),
      v.integer('quality must be a whole number'),
      v.minValue(1),
      v.maxValue(MAX_QUALITY),
      v.description('JPEG and WebP quality 1-100; PNG, TIFF and PDF are lossless.'),
    ),
    MANIFEST_DEFAULTS.quality,
  ),
  size: SizeSchema,
  background: v.optional(Color, MANIFEST_DEFAULTS.background),
  margin: v.optional(Length, MANIFEST_DEFAULTS.margin),
  gap: v.optional(Length, MANIFEST_DEFAULTS.gap),
  bleed: v.optional(Bleed),
  cropMarks: v.optional(v.pipe(v.boolean(), v.description('Draw trim marks in the bleed (needs a bleed).')), MANIFEST_DEFAULTS.cropMarks),
  layout: v.optional(LayoutSchema),
  style: v.optional(StyleSchema),
  fonts: v.optional(Fonts),
  focus: v.optional(
    v.pipe(FocusOrAuto, v.description('Default focus for every image: [x, y] or "auto" (an image\'s own focus wins).')),
    () => [...MANIFEST_DEFAULTS.focus] as [number, number],
  ),
  order: v.optional(OrderSchema, MANIFEST_DEFAULTS.order),
  seed: v.optional(Seed, MANIFEST_DEFAULTS.seed),
  onError: v.optional(
    v.pipe(v.picklist(ON_ERROR), v.description('When images fail: fail (write nothing), skip (lay out the rest) or placeholder (keep the slot, filled grey).')),
    MANIFEST_DEFAULTS.onError,
  ),
  preflight: v.optional(v.pipe(PreflightSchema, v.description("Checks before printing: every photo's effective resolution in its cell, against minDpi."))),
  headers: v.optional(
    v.pipe(
      v.record(
        v.pipe(
          v.string(),
          v.check(
            (key) => !('problem' in originsOfKey(key)),
            (issue) => (originsOfKey(String(issue.input)) as { problem: string }).problem,
          ),
        ),
        v.record(
          v.pipe(
            v.string(),
            v.regex(HEADER_NAME, (issue) => refusedHeaderName(String(issue.input))!),
            // Not a token: the regex above said so.
            v.check(
              (name) => !HEADER_NAME.test(name) || refusedHeaderName(name) === null,
              (issue) => refusedHeaderName(String(issue.input))!,
            ),
          ),
          v.pipe(
            v.string(),
            v.check((value) => refusedHeaderValue(value) === null, 'a header value cannot contain line breaks or NUL'),
          ),
        ),
      ),
      v.description(
        'Extra request headers per origin, e.g. {"photos.example": {"Authorization": "Bearer …"}}. A key is "https://host[:port]", "http://host[:port]" or a bare host (https and http on their default ports); headers go only to that origin and never follow a redirect from https to http. Host and hop-by-hop headers are refused. Never printed.',
      ),
    ),
  ),
  images: v.pipe(
    v.array(ImageEntrySchema, 'Invalid images: expected an array'),
    v.minLength(1, 'Invalid images: the list is empty; add at least one image'),
    v.maxLength(
      MAX_IMAGES,
      (issue) => `Invalid images: ${(issue.input as unknown[]).length.toLocaleString('en-US')} images; a manifest takes at most ${MAX_IMAGES.toLocaleString('en-US')}`,
    ),
  ),
});

export const ManifestSchema = v.pipe(
  ManifestObjectSchema,
  v.title('collage manifest (version 1)'),
  v.description('A photo collage to render: page size, layout and the images to place.'),
);

export type ManifestInput = v.InferInput<typeof ManifestSchema>;
export type ImageEntryInput = v.InferInput<typeof ImageEntrySchema>;

/** Keys an object at each level accepts, for "did you mean" suggestions. */
export const KNOWN_KEYS = {
  root: Object.keys(ManifestObjectSchema.entries),
  size: Object.keys(SizeSchema.entries),
  bleed: Object.keys(BleedObjectSchema.entries),
  layout: [...new Set([GridLayoutSchema, JustifiedLayoutSchema, MasonryLayoutSchema, MosaicLayoutSchema, CalendarLayoutSchema].flatMap((s) => Object.keys(s.entries)))],
  image: ['src', 'caption', 'focus', 'fit', 'weight', 'style', 'date'],
  ...CALENDAR_KEYS,
  order: ['type', 'seed'],
  preflight: Object.keys(PreflightSchema.entries),
  ...STYLE_KEYS,
} as const;

export function manifestJsonSchema(): Record<string, unknown> {
  const { $schema, title, description, ...rest } = toJsonSchema(ManifestSchema, { errorMode: 'ignore' }) as Record<string, unknown>;
  return { $schema, $id: 'https://example.invalid/collage.schema.json', title, description, ...rest };
}
