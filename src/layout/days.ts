/**
 * Calendar days as whole numbers: days since 1970-01-01 in the proleptic Gregorian calendar,
 * with no time zone (a photo's day is the one its camera's clock showed). Pure arithmetic.
 */

/** Days since 1970-01-01. */
export type Day = number;

const MS_PER_DAY = 86_400_000;

/** Years a day may be in: wide enough for any photo, narrow enough that a stray number is not a date. */
export const FIRST_YEAR = 1800;
export const LAST_YEAR = 2200;

export interface DayParts {
  year: number;
  /** 1..12 */
  month: number;
  /** 1..31 */
  day: number;
  /** 0 = Sunday … 6 = Saturday */
  weekday: number;
}

/** The day of a real date, or null when there is no such date (2023-02-29) or it is out of range. */
export function dayOf(year: number, month: number, day: number): Day | null {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return null;
  if (year < FIRST_YEAR || year > LAST_YEAR || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return Date.UTC(year, month - 1, day) / MS_PER_DAY;
}

/** The day of a wall-clock time in milliseconds (as EXIF times are read: the clock's reading, as if UTC). */
export function dayFromTime(ms: number): Day | null {
  if (!Number.isFinite(ms)) return null;
  const day = Math.floor(ms / MS_PER_DAY);
  const { year } = dayParts(day);
  return year < FIRST_YEAR || year > LAST_YEAR ? null : day;
}

export function dayParts(day: Day): DayParts {
  const date = new Date(day * MS_PER_DAY);
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate(), weekday: date.getUTCDay() };
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** `YYYY-MM-DD`. */
export function formatDay(day: Day): string {
  const { year, month, day: d } = dayParts(day);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * A manifest date: `YYYY-MM-DD`, optionally with a time (`2024-03-07T08:15`, `…:30Z`, `…+01:00`).
 * The date part is the day, as written: a time or offset never moves it to another day.
 */
export function parseDay(text: string): Day | null {
  const match = ISO_DATE.exec(text.trim());
  return match ? dayOf(Number(match[1]), Number(match[2]), Number(match[3])) : null;
}

/**
 * A date in a file name: `2024-03-07.jpg`, `2024_03_07`, `2024.03.07`, `IMG_20240307_081500.jpg`,
 * `PXL_20240307_…`, `20240307-…`. Eight digits (or three groups) not part of a longer number;
 * the first that is a real date wins.
 */
const NAME_DATE = /(?<!\d)(\d{4})([-_.]?)(\d{2})\2(\d{2})(?!\d)/g;

export function dayFromName(name: string): Day | null {
  for (const match of name.matchAll(NAME_DATE)) {
    const day = dayOf(Number(match[1]), Number(match[3]), Number(match[4]));
    if (day !== null) return day;
  }
  return null;
}

/** The last path segment of a URL or path (query and fragment dropped, %-escapes decoded). */
export function fileNameOf(src: string): string {
  let pathPart = src.replace(/[?#].*$/, '');
  try {
    pathPart = decodeURIComponent(pathPart);
  } catch {
    // A malformed escape: match on the text as written.
  }
  return pathPart.split(/[/\\]/).pop() ?? '';
}

/** Weekday names as the manifest writes them, Sunday first (JavaScript's getUTCDay order). */
export const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
export type WeekdayName = (typeof WEEKDAYS)[number];

/** Column of `weekday` (0 = Sunday) in a week that starts on `weekStart`. */
export function weekdayColumn(weekday: number, weekStart: number): number {
  return (weekday - weekStart + 7) % 7;
}

/** First day of the month `day` is in. */
export function monthStart(day: Day): Day {
  const { year, month } = dayParts(day);
  return dayOf(year, month, 1) ?? day;
}

/** Months from `first`'s month to `last`'s, as [year, month] pairs. */
export function monthsBetween(first: Day, last: Day): [number, number][] {
  const a = dayParts(first);
  const b = dayParts(last);
  const months: [number, number][] = [];
  for (let y = a.year, m = a.month; y < b.year || (y === b.year && m <= b.month); m === 12 ? ((m = 1), y++) : m++) months.push([y, m]);
  return months;
}

/** Rows a month takes in a 7-column block whose weeks start on `weekStart`. */
export function weeksInMonth(year: number, month: number, weekStart: number): number {
  const lead = weekdayColumn(dayParts(dayOf(year, month, 1)!).weekday, weekStart);
  return Math.ceil((lead + daysInMonth(year, month)) / 7);
}
