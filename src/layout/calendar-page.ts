/**
 * The calendar as one of `layoutPage`'s types: photos (each with its day, one per day) in,
 * each photo's box and the calendar page out. The span is `from`..`to`, else the photos'
 * first to last day; the cells take the photos' median shape unless `cellAspect` is given.
 */
import { calendarLayout, type CalendarArrange, type CalendarPage } from './calendar.js';
import type { Day } from './days.js';
import { LayoutError, checkImages, coverCropFraction, type Box, type ImageShape, type PlacedBox } from './types.js';

/** What the layout reads of the manifest's calendar (CalendarLayoutSpec has these and more). */
export interface CalendarPageSpec {
  type: 'calendar';
  arrange: CalendarArrange;
  from?: Day;
  to?: Day;
  weekStart: number;
  cellAspect?: number;
  labels?: { headingSize?: number; labelSize?: number; weekdays?: boolean; dayNumbers?: false | { size?: number } };
}

/** Cell shape when there are no photos to take it from. */
const DEFAULT_ASPECT = 4 / 3;

export function calendarPage(spec: CalendarPageSpec, images: readonly ImageShape[], content: Box, gap: number): { boxes: PlacedBox[]; page: CalendarPage } {
  checkImages(images);
  const days = images.map((image, i) => {
    if (image.day === undefined || !Number.isInteger(image.day)) throw new LayoutError(`images[${i}]`, 'a calendar needs the day of every photo');
    return image.day;
  });
  if (new Set(days).size !== days.length) throw new LayoutError('images', 'a calendar takes one photo per day');
  const first = spec.from ?? (days.length > 0 ? Math.min(...days) : undefined);
  const last = spec.to ?? (days.length > 0 ? Math.max(...days) : undefined);
  if (first === undefined || last === undefined) throw new LayoutError('images', 'no photo is dated within the calendar: set "from" and "to", or give the photos dates');
  const page = calendarLayout({
    content,
    gap,
    first,
    last,
    arrange: spec.arrange,
    weekStart: spec.weekStart,
    cellAspect: spec.cellAspect ?? medianAspect(images) ?? DEFAULT_ASPECT,
    sizes: {
      heading: spec.labels?.headingSize,
      label: spec.labels?.labelSize,
      day: spec.labels?.dayNumbers ? spec.labels.dayNumbers.size : undefined,
    },
    weekdays: spec.labels?.weekdays,
  });
  const cells = new Map(page.cells.map((cell) => [cell.day, cell.box]));
  const boxes = images.map((image, i) => {
    const box = cells.get(days[i]!);
    if (!box) throw new LayoutError(`images[${i}]`, 'its day is outside the calendar span');
    return { ...box, index: i, crop: coverCropFraction(image.aspect, box.width, box.height) };
  });
  return { boxes, page };
}

/** The middle shape of the photos (the lower middle of an even count): most photos' own when most share one. */
export function medianAspect(images: readonly ImageShape[]): number | undefined {
  if (images.length === 0) return undefined;
  const sorted = images.map((image) => image.aspect).sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}
