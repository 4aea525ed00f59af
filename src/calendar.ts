/**
 * The calendar layout's job-level step, shared by build() and plan(): each photo's day (EXIF
 * capture time, the manifest's `date`, a date in the file name, in the order `dateFrom` says),
 * one photo per day, and what `plan` and the report say about the span, missed days and
 * duplicates. Photos without any date are failures (they cannot be placed).
 */
import { ImageError } from './errors.js';
import { chooseDays } from './layout/calendar-days.js';
import { dayFromName, dayFromTime, dayOf, fileNameOf, formatDay, type Day } from './layout/days.js';
import { calendarLayout, contentBox, LayoutError, type CalendarPage } from './layout/index.js';
import type { CalendarLayoutSpec, DateSource } from './manifest/calendar.js';
import type { CollageSpec, ImageSpec } from './manifest/index.js';

/** What is known of a photo once its header is read. */
export interface PhotoFacts {
  /** EXIF capture time (wall-clock ms). */
  taken?: number;
  /** Stored pixel count, for pick "largest". */
  pixels?: number;
}

export interface CalendarReport {
  /** The calendar's first and last day, and its length in days. */
  span: { from: string; to: string; days: number };
  daysWithPhotos: number;
  missedDays: number;
  /** Every day of the span without a photo. */
  missed: string[];
  /** Days with more than one photo: the one shown and the ones left out. */
  duplicates: { date: string; kept: string; dropped: string[] }[];
  /** Photos dated outside `from`..`to`, left out. */
  outOfRange?: { src: string; date: string }[];
}

export interface CalendarChoice<T extends ImageSpec> {
  /** One photo per day, by day. */
  placed: T[];
  days: Day[];
  /** Photos without a date (failures). */
  undated: T[];
  duplicates: { day: Day; kept: T; dropped: T[] }[];
  outside: { image: T; day: Day }[];
}

export function isCalendar(spec: CollageSpec): spec is CollageSpec & { layout: CalendarLayoutSpec } {
  return spec.layout.type === 'calendar';
}

const SOURCE_ORDER: Record<DateSource, DateSource[]> = {
  exif: ['exif', 'manifest', 'name'],
  manifest: ['manifest', 'exif', 'name'],
  name: ['name', 'exif', 'manifest'],
};

/** The photo's day from the first source that has one, or null. */
export function photoDay(image: ImageSpec, facts: PhotoFacts | undefined, first: DateSource): Day | null {
  for (const source of SOURCE_ORDER[first]) {
    const day =
      source === 'exif' ? (facts?.taken === undefined ? null : dayFromTime(facts.taken)) : source === 'manifest' ? (image.date ?? null) : dayFromName(fileNameOf(image.src));
    if (day !== null) return day;
  }
  return null;
}

/**
 * Whether the whole calendar is known from the manifest alone: every photo's day from `dateFrom`
 * itself (manifest or name: EXIF, next in line, would need the header), a winner per day that
 * needs no pixel counts, and the cells' shape given. Then photos are drawn as they arrive.
 */
export function calendarKnownUpFront(spec: CollageSpec & { layout: CalendarLayoutSpec }): boolean {
  const { dateFrom, pick, cellAspect } = spec.layout;
  if (dateFrom === 'exif' || pick === 'largest' || cellAspect === undefined) return false;
  return spec.images.every((image) => (dateFrom === 'manifest' ? image.date !== undefined : dayFromName(fileNameOf(image.src)) !== null));
}

/** Days for `images`, one photo per day, by the layout's `pick`, `from` and `to`; a photo that `failed` yields its day to another. */
export function chooseCalendarPhotos<T extends ImageSpec>(
  spec: CollageSpec & { layout: CalendarLayoutSpec },
  images: readonly T[],
  facts: (index: number) => PhotoFacts | undefined,
  failed: ReadonlySet<number> = new Set(),
): CalendarChoice<T> {
  const byIndex = new Map(images.map((image) => [image.index, image]));
  const dated = images.map((image) => ({
    index: image.index,
    day: photoDay(image, facts(image.index), spec.layout.dateFrom),
    pixels: facts(image.index)?.pixels,
    failed: failed.has(image.index),
  }));
  const dayOf = new Map(dated.map((d) => [d.index, d.day]));
  const choice = chooseDays(dated, spec.layout.pick, { from: spec.layout.from, to: spec.layout.to });
  const get = (index: number) => byIndex.get(index)!;
  return {
    placed: choice.placed.map((p) => get(p.index)),
    days: choice.placed.map((p) => p.day),
    undated: choice.undated.map(get),
    duplicates: choice.duplicates.map((d) => ({ day: d.day, kept: get(d.kept), dropped: d.dropped.map(get) })),
    outside: choice.outside.map((index) => ({ image: get(index), day: dayOf.get(index)! })),
  };
}

/** A photo without a date cannot be placed: it fails like one that could not be fetched. */
export function undatedError(image: ImageSpec): ImageError {
  return new ImageError(image.src, 'no date: no EXIF capture time, no "date" in the manifest and no date in the file name (e.g. 2024-03-07.jpg)', { code: 'E_NO_DATE' });
}

/** What plan and the build report say: the span, days with photos, missed days, duplicates. */
export function calendarReport(page: CalendarPage, photoDays: readonly Day[], choice: Pick<CalendarChoice<ImageSpec>, 'duplicates' | 'outside'>): CalendarReport {
  const withPhoto = new Set(photoDays);
  const missed = page.cells.filter((cell) => !withPhoto.has(cell.day)).map((cell) => formatDay(cell.day));
  const first = page.cells[0]!.day;
  const last = page.cells[page.cells.length - 1]!.day;
  return {
    span: { from: formatDay(first), to: formatDay(last), days: last - first + 1 },
    daysWithPhotos: page.cells.length - missed.length,
    missedDays: missed.length,
    missed,
    duplicates: choice.duplicates.map((d) => ({ date: formatDay(d.day), kept: d.kept.src, dropped: d.dropped.map((image) => image.src) })),
    ...(choice.outside.length > 0 && { outOfRange: choice.outside.map(({ image, day }) => ({ src: image.src, date: formatDay(day) })) }),
  };
}

/**
 * `chooseCalendarPhotos`, with every photo that has no date recorded as a failure through
 * `fail` (unless it already failed: a photo that could not be fetched is reported once).
 */
export function calendarPhotos<T extends ImageSpec>(
  spec: CollageSpec & { layout: CalendarLayoutSpec },
  listed: readonly T[],
  facts: (index: number) => PhotoFacts | undefined,
  alreadyFailed: ReadonlySet<number>,
  fail: (image: T, error: unknown) => void,
): CalendarChoice<T> {
  const choice = chooseCalendarPhotos(spec, listed, facts, alreadyFailed);
  for (const image of choice.undated) if (!alreadyFailed.has(image.index)) fail(image, undatedError(image));
  return choice;
}

/**
 * The cell the calendar is expected to give, before any header is read: the layout of
 * `from`..`to`, else of one day per photo, with cells of `cellAspect`, else 4:3 (most cameras').
 * Photos are decoded early for it (decode/proxy.ts); a cell that turns out larger than that
 * covers is decoded from the file. Undefined when no such layout fits.
 */
export function expectedCell(spec: CollageSpec & { layout: CalendarLayoutSpec }): { width: number; height: number } | undefined {
  const { from, to, arrange, weekStart, labels, cellAspect } = spec.layout;
  const first = from ?? (to !== undefined ? to - spec.images.length + 1 : dayOf(2001, 1, 1)!);
  const last = to ?? first + spec.images.length - 1;
  try {
    return calendarLayout({
      content: contentBox(spec),
      gap: spec.gap,
      first,
      last,
      arrange,
      weekStart,
      cellAspect: cellAspect ?? 4 / 3,
      sizes: { heading: labels.headingSize, label: labels.labelSize, day: labels.dayNumbers ? labels.dayNumbers.size : undefined },
      weekdays: labels.weekdays,
    }).cell;
  } catch (error) {
    if (error instanceof LayoutError) return undefined;
    throw error;
  }
}
