/**
 * The `calendar` layout's manifest keys (valibot, put into the manifest by schema.ts) and their
 * resolution to what the layout and the label renderer take: days as numbers, lengths in
 * pixels, colours as RGBA.
 */
import * as v from 'valibot';
import { MANIFEST_DEFAULTS } from './defaults.js';
import { ARRANGES, type CalendarArrange } from '../layout/calendar.js';
import { PICKS, type Pick } from '../layout/calendar-days.js';
import { WEEKDAYS, parseDay, type Day } from '../layout/days.js';
import { LENGTH_PATTERN, lengthToPixels, parseColor, parseLength, type Rgba } from './units.js';
import { DEFAULT_MAX_CROP } from '../layout/bound.js';

const LENGTH_MESSAGE = 'Invalid length: expected a number of pixels or a string like "0.25in", "3mm", "12pt", "40px"';
const Length = v.pipe(
  v.union([v.pipe(v.number(), v.minValue(0)), v.pipe(v.string(), v.regex(LENGTH_PATTERN, LENGTH_MESSAGE))], LENGTH_MESSAGE),
  v.description('A length: a number of pixels, or a string with a unit: px, in, mm, cm, pt.'),
);
const Color = v.pipe(
  v.string('Invalid colour: expected a string such as "#ffffff", "rgb(255 255 255)" or "white"'),
  v.check(
    (value) => parseColor(value) !== null,
    (issue) => `Invalid colour: ${issue.received} is not #rgb, #rrggbb, rgb() or a CSS colour name`,
  ),
  v.description('A CSS colour: #rgb, #rrggbb, #rrggbbaa, rgb()/rgba() or a name such as "white".'),
);

export const DATE_SOURCES = ['exif', 'manifest', 'name'] as const;
export type DateSource = (typeof DATE_SOURCES)[number];
export const MISSING_STYLES = ['number', 'background', 'placeholder'] as const;
export type MissingStyle = (typeof MISSING_STYLES)[number];
export const DAY_NUMBER_POSITIONS = ['top-left', 'top-right', 'bottom-left', 'bottom-right'] as const;
export type DayNumberPosition = (typeof DAY_NUMBER_POSITIONS)[number];

/** `YYYY-MM-DD` (a time after it is allowed and ignored): a real date from 1800 to 2200. */
export const DateSchema = v.pipe(
  v.string('Invalid date: expected a string "YYYY-MM-DD"'),
  // For editors (the JSON Schema's pattern); the check below is the real one.
  v.regex(/^\d{4}-\d{2}-\d{2}([T ].*)?$/, (issue) => `Invalid date: ${issue.received} is not "YYYY-MM-DD"`),
  v.check(
    (value) => parseDay(value) !== null,
    (issue) => `Invalid date: ${issue.received} is not a real date "YYYY-MM-DD" between 1800 and 2200`,
  ),
  v.description('A calendar day, "YYYY-MM-DD" (a time after it, as in ISO 8601, is ignored: the day is the one written).'),
);

const Locale = v.pipe(
  v.string(),
  v.check(supportedLocale, (issue) => `Invalid locale: ${issue.received} is not a BCP 47 language tag this Node knows, e.g. "en-GB", "de", "fr-CA"`),
  v.description('Language for month and weekday names (Intl), e.g. "en-GB", "de", "fr" (default "en-US").'),
);

function supportedLocale(value: string): boolean {
  try {
    return Intl.DateTimeFormat.supportedLocalesOf(value).length > 0;
  } catch {
    return false;
  }
}

const ASPECT = /^\s*(\d+(?:\.\d+)?)\s*[:/x]\s*(\d+(?:\.\d+)?)\s*$/;

/** `"4:3"`, `"3/2"`, a positive number, or null. */
export function parseAspect(value: number | string): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? value : null;
  const match = ASPECT.exec(value);
  if (!match) return null;
  const ratio = Number(match[1]) / Number(match[2]);
  return Number.isFinite(ratio) && ratio > 0 ? ratio : null;
}

const CellAspect = v.pipe(
  v.union(
    [
      v.literal('auto'),
      v.pipe(v.number(), v.minValue(0.1, 'cellAspect must be at least 0.1'), v.maxValue(10, 'cellAspect must be at most 10')),
      v.pipe(
        v.string(),
        v.check((value) => {
          const ratio = parseAspect(value);
          return ratio !== null && ratio >= 0.1 && ratio <= 10;
        }, 'Invalid cellAspect: expected "auto", a ratio such as "4:3", or a number from 0.1 to 10'),
      ),
    ],
    'Invalid cellAspect: expected "auto", a ratio such as "4:3", or a number from 0.1 to 10',
  ),
  v.description('Width : height of every day cell: "auto" (default: the photos\' median shape, from their headers), "4:3", "3:2", or a number.'),
);

export const DayNumbersSchema = v.pipe(
  v.union(
    [
      v.literal(false),
      v.strictObject({
        size: v.optional(v.pipe(Length, v.description("Font size (default: 15 % of the cell's shorter side)."))),
        color: v.optional(v.pipe(Color, v.description('Colour over photos (default white, on a soft shadow).'))),
        position: v.optional(v.pipe(v.picklist(DAY_NUMBER_POSITIONS), v.description('Corner of the cell (default top-left).'))),
      }),
    ],
    'Invalid dayNumbers: expected false or { "size", "color", "position" }',
  ),
  v.description('Day numbers in a corner of each cell: { size, color, position }, or false for none.'),
);

export const CalendarLabelsSchema = v.pipe(
  v.strictObject({
    font: v.optional(v.pipe(v.string(), v.minLength(1), v.description('Font family (default "Inter", bundled); any other must be installed on the machine.'))),
    color: v.optional(v.pipe(Color, v.description('Month and year headings (default #262626).'))),
    labelColor: v.optional(v.pipe(Color, v.description("Weekday initials, month names beside rows, the year beside a month, missed days' numbers (default #8c8c8c)."))),
    headingSize: v.optional(v.pipe(Length, v.description("Heading font size (default: 42 % of the cell's shorter side)."))),
    labelSize: v.optional(v.pipe(Length, v.description("Weekday initials and month name labels (default: 17–30 % of the cell's shorter side)."))),
    weekdays: v.optional(v.pipe(v.boolean(), v.description('Weekday initials over the month blocks (default true).'))),
    dayNumbers: v.optional(DayNumbersSchema),
  }),
  v.description('Headings, weekday initials and day numbers: drawn with the bundled Inter font unless "font" names another.'),
);

export const CalendarLayoutSchema = v.strictObject({
  type: v.literal('calendar'),
  arrange: v.optional(
    v.pipe(
      v.picklist(ARRANGES),
      v.description('months: a block per month, weeks as rows, blocks in a grid shaped to the page. rows: a row per month, 31 day columns. weeks: a strip of weeks per year.'),
    ),
    MANIFEST_DEFAULTS.arrange,
  ),
  dateFrom: v.optional(
    v.pipe(
      v.picklist(DATE_SOURCES),
      v.description(
        'Where a photo\'s day comes from first: exif (capture time), manifest (the image\'s "date") or name (a date in the file name, e.g. 2024-03-07.jpg or IMG_20240307_…). The others follow, in the order exif, manifest, name.',
      ),
    ),
    MANIFEST_DEFAULTS.dateFrom,
  ),
  from: v.optional(v.pipe(DateSchema, v.description("First day of the calendar (default: the earliest photo's). Photos before it are left out and reported."))),
  to: v.optional(v.pipe(DateSchema, v.description("Last day of the calendar (default: the latest photo's). Photos after it are left out and reported."))),
  weekStart: v.optional(v.pipe(v.picklist(WEEKDAYS), v.description('First day of each week.')), MANIFEST_DEFAULTS.weekStart),
  locale: v.optional(Locale),
  pick: v.optional(
    v.pipe(v.picklist(PICKS), v.description('Several photos on one day: the first listed (default), the last, or the largest (most pixels); the rest are reported as duplicates.')),
  ),
  cellAspect: v.optional(CellAspect),
  missing: v.optional(
    v.pipe(
      v.picklist(MISSING_STYLES),
      v.description("A day without a photo: number (default: the page with the day's number), background (nothing), placeholder (missingColor with the number)."),
    ),
  ),
  missingColor: v.optional(v.pipe(Color, v.description('Fill of missed days with missing "placeholder" (default #ececec).'))),
  labels: v.optional(CalendarLabelsSchema),
  fit: v.optional(
    v.pipe(v.picklist(['cover', 'contain'] as const), v.description('cover: fill the cell, cropping around focus. contain: whole image, letterboxed in the background.')),
    MANIFEST_DEFAULTS.fit,
  ),
});

export type CalendarLayoutInput = v.InferInput<typeof CalendarLayoutSchema>;

export const CALENDAR_KEYS = {
  labels: Object.keys(CalendarLabelsSchema.entries),
  dayNumbers: ['size', 'color', 'position'],
} as const;

/** The calendar as the layout and the renderer take it. */
export interface CalendarLayoutSpec {
  type: 'calendar';
  /** The crop bound the report measures against (the calendar has no key for it: cells follow the photos' dominant shape). */
  maxCrop: number;
  fit: 'cover' | 'contain';
  arrange: CalendarArrange;
  /** The source tried first (the others follow: exif, manifest, name). */
  dateFrom: DateSource;
  from?: Day;
  to?: Day;
  /** 0 = Sunday … 6 = Saturday. */
  weekStart: number;
  locale: string;
  pick: Pick;
  /** Cell width / height; undefined: the photos' median shape. */
  cellAspect?: number;
  missing: MissingStyle;
  missingColor: Rgba;
  labels: CalendarLabels;
}

export interface CalendarLabels {
  font: string;
  color: Rgba;
  labelColor: Rgba;
  /** px, when given. */
  headingSize?: number;
  labelSize?: number;
  weekdays: boolean;
  dayNumbers: false | { size?: number; color: Rgba; position: DayNumberPosition };
}

export const DEFAULT_LOCALE = 'en-US';

/** Resolves a validated calendar layout to pixels and colours at `dpi`. */
export function calendarLayoutSpec(layout: CalendarLayoutInput, fit: 'cover' | 'contain', dpi: number): CalendarLayoutSpec {
  const px = (value: number | string) => lengthToPixels(parseLength(value)!, dpi);
  const labels = layout.labels ?? {};
  const numbers = labels.dayNumbers;
  const aspect = layout.cellAspect === undefined || layout.cellAspect === 'auto' ? undefined : parseAspect(layout.cellAspect)!;
  return {
    type: 'calendar',
    maxCrop: DEFAULT_MAX_CROP,
    fit,
    arrange: layout.arrange ?? MANIFEST_DEFAULTS.arrange,
    dateFrom: layout.dateFrom ?? MANIFEST_DEFAULTS.dateFrom,
    ...(layout.from !== undefined && { from: parseDay(layout.from)! }),
    ...(layout.to !== undefined && { to: parseDay(layout.to)! }),
    weekStart: WEEKDAYS.indexOf(layout.weekStart ?? MANIFEST_DEFAULTS.weekStart),
    locale: layout.locale ?? DEFAULT_LOCALE,
    pick: layout.pick ?? 'first',
    ...(aspect !== undefined && { cellAspect: aspect }),
    missing: layout.missing ?? 'number',
    missingColor: parseColor(layout.missingColor ?? '#ececec')!,
    labels: {
      font: labels.font ?? 'Inter',
      color: parseColor(labels.color ?? '#262626')!,
      labelColor: parseColor(labels.labelColor ?? '#8c8c8c')!,
      ...(labels.headingSize !== undefined && { headingSize: Math.max(1, Math.round(px(labels.headingSize))) }),
      ...(labels.labelSize !== undefined && { labelSize: Math.max(1, Math.round(px(labels.labelSize))) }),
      weekdays: labels.weekdays ?? true,
      dayNumbers:
        numbers === false
          ? false
          : {
              ...(numbers?.size !== undefined && { size: Math.max(1, Math.round(px(numbers.size))) }),
              color: parseColor(numbers?.color ?? '#ffffff')!,
              position: numbers?.position ?? 'top-left',
            },
    },
  };
}
