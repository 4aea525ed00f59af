/** Calendar: days, names in file names, one photo per day, and the page's cells and labels. Pure, no images. */
import { describe, expect, it } from 'vitest';
import { calendarLayout, LayoutError, layoutPage, mulberry32, type Box, type CalendarPage } from '../../src/layout/index.js';
import { chooseDays } from '../../src/layout/calendar-days.js';
import { dayFromName, dayFromTime, dayOf, dayParts, fileNameOf, formatDay, parseDay, weekdayColumn } from '../../src/layout/days.js';
import { checkInside, checkNoOverlap } from './helpers.js';

const day = (text: string) => parseDay(text)!;

describe('days', () => {
  it('numbers real dates and refuses others', () => {
    expect(dayOf(1970, 1, 1)).toBe(0);
    expect(formatDay(dayOf(2024, 2, 29)!)).toBe('2024-02-29');
    expect(dayOf(2023, 2, 29)).toBeNull();
    expect(dayOf(2024, 13, 1)).toBeNull();
    expect(dayParts(day('2024-03-07'))).toEqual({ year: 2024, month: 3, day: 7, weekday: 4 });
    expect(parseDay('2024-03-07T23:30:00-08:00')).toBe(day('2024-03-07'));
    expect(parseDay('2024-3-7')).toBeNull();
    expect(dayFromTime(Date.UTC(2024, 1, 29, 23, 59, 59))).toBe(day('2024-02-29'));
  });

  it('finds dates in file names, not in other numbers', () => {
    const cases: [string, string | null][] = [
      ['2024-03-07.jpg', '2024-03-07'],
      ['IMG_20240307_081500.jpg', '2024-03-07'],
      ['PXL_20240307_081500123.jpg', '2024-03-07'],
      ['2024_03_07 beach.JPG', '2024-03-07'],
      ['day 2024.03.07.png', '2024-03-07'],
      ['20240307-1.jpg', '2024-03-07'],
      ['IMG_1234.jpg', null],
      ['20241340.jpg', null],
      ['12320240307.jpg', null],
      ['2024-03-7.jpg', null],
      ['DSC_99999999_20230228.jpg', '2023-02-28'],
    ];
    for (const [name, expected] of cases) expect(dayFromName(name), name).toBe(expected === null ? null : day(expected));
    expect(fileNameOf('https://photos.example/2024/IMG_20240307_1.jpg?w=1024#x')).toBe('IMG_20240307_1.jpg');
    expect(fileNameOf('https://photos.example/a/2024-03-07%20sea.jpg')).toBe('2024-03-07 sea.jpg');
    expect(fileNameOf('C:\\photos\\2024-03-07.jpg')).toBe('2024-03-07.jpg');
  });
});

describe('chooseDays', () => {
  const items = [
    { index: 0, day: 10, pixels: 100 },
    { index: 1, day: 11, pixels: 100 },
    { index: 2, day: 10, pixels: 400 },
    { index: 3, day: null },
    { index: 4, day: 10, pixels: 400 },
    { index: 5, day: 30 },
  ];
  it('keeps one photo a day, by pick, and reports the rest', () => {
    const first = chooseDays(items, 'first');
    expect(first.placed).toEqual([
      { index: 0, day: 10 },
      { index: 1, day: 11 },
      { index: 5, day: 30 },
    ]);
    expect(first.duplicates).toEqual([{ day: 10, kept: 0, dropped: [2, 4] }]);
    expect(first.undated).toEqual([3]);
    expect(chooseDays(items, 'last').duplicates).toEqual([{ day: 10, kept: 4, dropped: [0, 2] }]);
    expect(chooseDays(items, 'largest').duplicates).toEqual([{ day: 10, kept: 2, dropped: [0, 4] }]);
  });
  it('shows another photo of the day when the one it would keep failed', () => {
    const failing = items.map((item) => (item.index === 0 ? { ...item, failed: true } : item));
    expect(chooseDays(failing, 'first').duplicates).toEqual([{ day: 10, kept: 2, dropped: [0, 4] }]);
    expect(chooseDays([{ index: 0, day: 10, failed: true }], 'first').placed).toEqual([{ index: 0, day: 10 }]);
  });

  it('sets apart photos outside from..to', () => {
    const choice = chooseDays(items, 'first', { from: 11, to: 20 });
    expect(choice.placed).toEqual([{ index: 1, day: 11 }]);
    expect(choice.outside).toEqual([0, 2, 4, 5]);
  });
});

/** Every day from first to last has one cell; cells and labels are inside the content and apart. */
function checkPage(page: CalendarPage, first: number, last: number, content: Box, gap: number): void {
  expect(page.cells.map((c) => c.day)).toEqual(Array.from({ length: last - first + 1 }, (_, i) => first + i));
  const cells = page.cells.map((c) => c.box);
  expect(checkInside(cells, content)).toEqual([]);
  expect(
    checkInside(
      page.labels.map((l) => l.box),
      content,
    ),
  ).toEqual([]);
  expect(checkNoOverlap(cells)).toEqual([]);
  // Labels may share a band (a heading spans its weekday initials' block), never a cell's pixels.
  for (const label of page.labels) expect(checkNoOverlap([label.box, ...cells.filter((c) => c.y < label.box.y + label.box.height && label.box.y < c.y + c.height)])).toEqual([]);
  for (const cell of page.cells) {
    expect([cell.box.width, cell.box.height]).toEqual([page.cell.width, page.cell.height]);
    // Each cell at its row and column from its block's origin, with exact gaps.
    const origin = page.blocks[cell.block]!.origin;
    expect(cell.box.x - origin.x).toBe(cell.column * (page.cell.width + gap));
    expect(cell.box.y - origin.y).toBe(cell.row * (page.cell.height + gap));
  }
}

describe('calendarLayout: months', () => {
  it("three years on a 36×24 in page: 36 month blocks shaped to the page, cells of the photos' shape", () => {
    const content = { x: 75, y: 75, width: 10650, height: 7050 };
    const first = day('2022-01-01');
    const last = day('2024-12-31');
    const page = calendarLayout({ content, gap: 24, first, last, arrange: 'months', weekStart: 1, cellAspect: 4 / 3 });
    checkPage(page, first, last, content, 24);
    expect(page.blocks).toHaveLength(36);
    expect([page.columns, page.rows]).toEqual([6, 6]);
    expect(page.cell.width / page.cell.height).toBeCloseTo(4 / 3, 1);
    expect(page.labels.filter((l) => l.kind === 'heading')).toHaveLength(36);
    expect(page.labels.filter((l) => l.kind === 'weekday')).toHaveLength(36 * 7);
    // Monday first: 2024-02-29 was a Thursday, in February 2024's fifth week.
    const leap = page.cells.find((c) => c.day === day('2024-02-29'))!;
    expect(leap).toMatchObject({ block: 25, row: 4, column: 3 });
    // A Sunday start moves it a column right.
    const sunday = calendarLayout({ content, gap: 24, first, last, arrange: 'months', weekStart: 0, cellAspect: 4 / 3 });
    expect(sunday.cells.find((c) => c.day === day('2024-02-29'))).toMatchObject({ block: 25, row: 4, column: 4 });
  });

  it("cells at each date's week row and weekday column, for random spans, pages, gaps and week starts", () => {
    for (let seed = 1; seed <= 40; seed++) {
      const random = mulberry32(seed);
      const first = day('2019-06-01') + Math.floor(random() * 900);
      const last = first + Math.floor(random() * 800);
      const gap = Math.floor(random() * 12);
      const content = { x: 20, y: 30, width: 2000 + Math.floor(random() * 6000), height: 2000 + Math.floor(random() * 6000) };
      const weekStart = Math.floor(random() * 7);
      const page = calendarLayout({ content, gap, first, last, arrange: 'months', weekStart, cellAspect: 0.6 + random() * 1.4 });
      checkPage(page, first, last, content, gap);
      for (const cell of page.cells) {
        const { year, month, day: d } = dayParts(cell.day);
        const lead = weekdayColumn(dayParts(dayOf(year, month, 1)!).weekday, weekStart);
        expect([cell.row, cell.column], formatDay(cell.day)).toEqual([Math.floor((lead + d - 1) / 7), (lead + d - 1) % 7]);
        expect(cell.column).toBe(weekdayColumn(dayParts(cell.day).weekday, weekStart));
      }
    }
  });
});

describe('calendarLayout: rows and weeks (property tests)', () => {
  for (const arrange of ['rows', 'weeks'] as const) {
    it(`${arrange}: no overlap, inside the content box, every date's cell at its computed row and column`, () => {
      for (let seed = 1; seed <= 40; seed++) {
        const random = mulberry32(1000 + seed);
        const first = day('2018-01-01') + Math.floor(random() * 2000);
        const last = first + Math.floor(random() * 1200);
        const gap = Math.floor(random() * 10);
        const content = { x: 10, y: 5, width: 1500 + Math.floor(random() * 9000), height: 1500 + Math.floor(random() * 7000) };
        const weekStart = Math.floor(random() * 7);
        const page = calendarLayout({ content, gap, first, last, arrange, weekStart, cellAspect: 0.5 + random() * 1.5 });
        checkPage(page, first, last, content, gap);
        const firstYear = dayParts(first).year;
        const months = (year: number, month: number) => (year - firstYear) * 12 + month - dayParts(first).month;
        for (const cell of page.cells) {
          const { year, month, day: d, weekday } = dayParts(cell.day);
          if (arrange === 'rows') {
            expect([cell.block, cell.row, cell.column], formatDay(cell.day)).toEqual([months(year, month), 0, d - 1]);
          } else {
            const jan1 = dayOf(year, 1, 1)!;
            const week = Math.floor((weekdayColumn(dayParts(jan1).weekday, weekStart) + cell.day - jan1) / 7);
            const wd = weekdayColumn(weekday, weekStart);
            expect(cell.block).toBe(year - firstYear);
            expect([cell.row, cell.column], formatDay(cell.day)).toEqual(page.orientation === 'horizontal' ? [wd, week] : [week, wd]);
          }
        }
      }
    });
  }

  it('weeks: strips side by side on a tall page, one under another on a wide one', () => {
    const [first, last] = [day('2022-01-01'), day('2024-12-31')];
    const wide = calendarLayout({ content: { x: 0, y: 0, width: 10800, height: 7200 }, gap: 8, first, last, arrange: 'weeks', weekStart: 1, cellAspect: 4 / 3 });
    const tall = calendarLayout({ content: { x: 0, y: 0, width: 3000, height: 12000 }, gap: 8, first, last, arrange: 'weeks', weekStart: 1, cellAspect: 4 / 3 });
    expect(wide.orientation).toBe('horizontal');
    expect(tall.orientation).toBe('vertical');
  });
});

describe('calendar through layoutPage', () => {
  it('places each photo on its day; refuses what cannot be laid out', () => {
    const content = { width: 1200, height: 800, margin: 10, gap: 4 };
    const spec = { type: 'calendar' as const, arrange: 'months' as const, weekStart: 1 };
    const images = [
      { aspect: 1.5, day: day('2024-03-01') },
      { aspect: 1.5, day: day('2024-03-07') },
      { aspect: 0.75, day: day('2024-04-30') },
    ];
    const page = layoutPage(spec, content, images.length, images);
    expect(page.calendar!.cells).toHaveLength(61);
    expect(page.calendar!.cell.width / page.calendar!.cell.height).toBeCloseTo(1.5, 1);
    const cellOf = (d: number) => page.calendar!.cells.find((c) => c.day === d)!.box;
    images.forEach((image, i) => expect(page.boxes[i]).toMatchObject(cellOf(image.day)));
    expect(() => layoutPage(spec, content, 2, [images[0]!, images[0]!])).toThrow('one photo per day');
    expect(() => layoutPage({ ...spec, from: day('2024-04-01') }, content, 3, images)).toThrow(/outside the calendar span/);
    expect(() => layoutPage({ ...spec, from: day('1900-01-01'), to: day('2024-01-01') }, content, 1, [images[0]!])).toThrow(LayoutError);
    expect(() =>
      calendarLayout({ content: { x: 0, y: 0, width: 50, height: 50 }, gap: 2, first: day('2020-01-01'), last: day('2024-01-01'), arrange: 'months', weekStart: 1, cellAspect: 1 }),
    ).toThrow(/does not fit in 50×50 px/);
  });
});
