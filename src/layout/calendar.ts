/**
 * Calendar: one cell per day of a span, with room for month and year headings and weekday
 * initials. Pure: the span, page and cell shape in; every day's cell and every label's box out.
 *
 * - `months`: a block per month (7 columns from `weekStart`, a row per week), blocks in a grid
 *   of months shaped to the page (a column count that divides 12 is preferred, so years line up).
 * - `rows`: a row per month, 31 day columns, a year heading over each year's months.
 * - `weeks`: a strip per year, a line of 7 days per week (weeks across and weekdays down, or the
 *   strips side by side with weeks down, whichever gives larger cells).
 *
 * Cells all have one size, of `cellAspect` (the photos' own shape), as large as the page allows;
 * label sizes follow the cell's shorter side unless given. What is left over is spread between
 * blocks (up to a third of a block) and the rest centres the calendar in the content box.
 */
import { dayOf, dayParts, daysInMonth, monthsBetween, weekdayColumn, weeksInMonth, type Day } from './days.js';
import { LayoutError, type Box } from './types.js';

export const ARRANGES = ['months', 'rows', 'weeks'] as const;
export type CalendarArrange = (typeof ARRANGES)[number];

/** Longest span laid out: 100 years of days. */
export const MAX_SPAN_DAYS = 36_525;
/** Cells smaller than this (px, shorter side) are refused: nothing could be seen in them. */
const MIN_CELL = 4;

export interface CalendarSizes {
  /** Month (months) or year (rows, weeks) heading font size, px. */
  heading?: number;
  /** Weekday initials and month name labels (rows, weeks), px. */
  label?: number;
  /** Day numbers in the cells, px. */
  day?: number;
}

export interface CalendarOptions {
  content: Box;
  gap: number;
  /** First and last day of the span, inclusive. */
  first: Day;
  last: Day;
  arrange: CalendarArrange;
  /** 0 = Sunday … 6 = Saturday. */
  weekStart: number;
  /** width / height of every cell. */
  cellAspect: number;
  sizes?: CalendarSizes;
  /** Weekday initials over month blocks and beside week strips (default true). */
  weekdays?: boolean;
}

export interface CalendarCell {
  day: Day;
  box: Box;
  /** Month block (months), month row (rows) or year strip (weeks), from 0. */
  block: number;
  /** Row and column within the block: week and weekday (months), 0 and day − 1 (rows), weekday and week or week and weekday (weeks). */
  row: number;
  column: number;
}

export type CalendarLabel =
  /** A month block's heading (month name and year), or a year's heading (`month` absent). */
  | { kind: 'heading'; box: Box; year: number; month?: number }
  /** A month's name beside its row (rows) or at its first week (weeks). */
  | { kind: 'month'; box: Box; year: number; month: number }
  /** A weekday initial over (or beside) its column (or row). */
  | { kind: 'weekday'; box: Box; weekday: number };

export interface CalendarPage {
  arrange: CalendarArrange;
  /** Every cell's size. */
  cell: { width: number; height: number };
  /** Every day of the span, by day. */
  cells: CalendarCell[];
  labels: CalendarLabel[];
  /** Where each block's cell grid starts (its row 0, column 0), and its box with headings. */
  blocks: { origin: { x: number; y: number }; box: Box }[];
  /** Font sizes, px. */
  fonts: { heading: number; label: number; day: number };
  /** months: blocks across and down; rows: 31 and the months; weeks: the week count and 7 (or 7 and the week count). */
  columns: number;
  rows: number;
  /** weeks: weeks across (horizontal) or down (vertical). */
  orientation?: 'horizontal' | 'vertical';
}

/** Sizes derived from a cell, with the user's font sizes where given. */
interface Metrics {
  w: number;
  h: number;
  heading: number;
  headingBand: number;
  label: number;
  labelBand: number;
  /** A column of labels beside the cells (month names in rows and vertical weeks, weekday initials beside horizontal weeks), and the space after it. */
  labelColumn: number;
  /** The labels' own width in that column. */
  labelWidth: number;
  day: number;
  /** Space between blocks. */
  spacing: number;
}

interface Arrangement {
  kind: LabelKind;
  /** Block slots left empty (months: a grid of blocks may have more slots than months). */
  empty: number;
  /** Total width and height for cells `w` px wide. */
  size(m: Metrics): { width: number; height: number };
  /** Lays out at metrics `m`, the arrangement's top-left at (x, y), `extra` px added to each space between blocks. */
  place(m: Metrics, x: number, y: number, extra: { x: number; y: number }): Omit<CalendarPage, 'arrange' | 'cell' | 'fonts'>;
  /** Spaces between blocks across and down (where leftover room may go). */
  spaces: { x: number; y: number };
  /** A block's width and height (caps the leftover given to each space). */
  block(m: Metrics): { width: number; height: number };
}

export function calendarLayout(options: CalendarOptions): CalendarPage {
  const { content, first, last } = options;
  if (!(last >= first)) throw new LayoutError('layout', 'the calendar span is empty: "to" is before "from"');
  if (last - first + 1 > MAX_SPAN_DAYS) {
    throw new LayoutError(
      'layout',
      `the calendar would span ${(last - first + 1).toLocaleString('en-US')} days, over the ${MAX_SPAN_DAYS.toLocaleString('en-US')} (100 years) it lays out; check the photos' dates, or set "from" and "to"`,
    );
  }
  if (!(options.cellAspect > 0 && Number.isFinite(options.cellAspect))) throw new LayoutError('layout.cellAspect', `must be a positive number, got ${options.cellAspect}`);

  // Every shape the arrangement allows, its largest cells; a preferred shape (years in line)
  // wins unless another gives cells 5 % wider; then fewer empty block slots.
  const fitted = arrangements(options)
    .map(({ arrangement, preferred }) => ({ arrangement, preferred, w: largestCell(options, arrangement) }))
    .filter((c) => c.w > 0);
  const widest = Math.max(0, ...fitted.map((c) => c.w));
  const pool = fitted.some((c) => c.preferred && c.w >= 0.95 * widest) ? fitted.filter((c) => c.preferred) : fitted;
  const chosen = pool.reduce<(typeof pool)[number] | null>((a, c) => (!a || c.w > a.w || (c.w === a.w && c.arrangement.empty < a.arrangement.empty) ? c : a), null);
  if (!chosen) {
    throw new LayoutError(
      'layout',
      `a ${options.arrange} calendar of ${(last - first + 1).toLocaleString('en-US')} days does not fit in ${content.width}×${content.height} px: its cells would be under ${MIN_CELL} px`,
    );
  }
  const arrangement = chosen.arrangement;
  const metrics = metricsFor(chosen.w, options, arrangement.kind);
  const size = arrangement.size(metrics);
  const block = arrangement.block(metrics);
  const spare = { x: content.width - size.width, y: content.height - size.height };
  // Leftover room: first between blocks (at most a third of a block each), the rest around.
  const extra = {
    x: arrangement.spaces.x > 0 ? Math.min(Math.floor(spare.x / arrangement.spaces.x), Math.floor(block.width / 3)) : 0,
    y: arrangement.spaces.y > 0 ? Math.min(Math.floor(spare.y / arrangement.spaces.y), Math.floor(block.height / 3)) : 0,
  };
  const x = content.x + Math.floor((spare.x - extra.x * arrangement.spaces.x) / 2);
  const y = content.y + Math.floor((spare.y - extra.y * arrangement.spaces.y) / 2);
  const placed = arrangement.place(metrics, x, y, extra);
  return {
    arrange: options.arrange,
    cell: { width: metrics.w, height: metrics.h },
    fonts: { heading: metrics.heading, label: metrics.label, day: metrics.day },
    ...placed,
  };
}

/** What labels an arrangement has beside its cells, which sets their default sizes. */
type LabelKind = 'months' | 'rows' | 'weeks-horizontal' | 'weeks-vertical';

/** Default label font sizes and label column widths, as multiples of the cell's shorter side and of the label size. */
const LABELS: Record<LabelKind, { label: number; column: number }> = {
  // Weekday initials over each block.
  months: { label: 0.17, column: 0 },
  // Short month names beside each row.
  rows: { label: 0.3, column: 3.2 },
  // Weekday initials beside the rows; month names over the weeks.
  'weeks-horizontal': { label: 0.22, column: 1.6 },
  // Month names beside the weeks; weekday initials over the columns.
  'weeks-vertical': { label: 0.22, column: 3.2 },
};

/** Cell size and every label size for cells `w` px wide. */
function metricsFor(w: number, options: CalendarOptions, kind: LabelKind): Metrics {
  const { gap, sizes = {} } = options;
  const h = Math.max(1, Math.round(w / options.cellAspect));
  const s = Math.min(w, h);
  const heading = sizes.heading ?? Math.max(1, Math.round(0.42 * s));
  const label = sizes.label ?? Math.max(1, Math.round(LABELS[kind].label * s));
  const day = sizes.day ?? Math.max(1, Math.round(0.15 * s));
  const labelGap = Math.max(gap, Math.round(0.12 * s));
  const showWeekdays = options.weekdays !== false;
  return {
    w,
    h,
    heading,
    headingBand: Math.ceil(1.6 * heading),
    label,
    // A band of labels over the cells: weekday initials (months, vertical weeks) or month names (horizontal weeks).
    labelBand: kind === 'rows' || (!showWeekdays && kind !== 'weeks-horizontal') ? 0 : Math.ceil(1.9 * label),
    labelWidth: Math.ceil(LABELS[kind].column * label),
    labelColumn: LABELS[kind].column === 0 || (!showWeekdays && kind === 'weeks-horizontal') ? 0 : Math.ceil(LABELS[kind].column * label) + labelGap,
    day,
    spacing: Math.max(2 * gap, Math.round(0.45 * s)),
  };
}

/** The largest whole-pixel cell width whose calendar fits the content box (0: none does). */
function largestCell(options: CalendarOptions, arrangement: Arrangement): number {
  const { width, height } = options.content;
  // Every size grows with the cell, so fitting is monotone: binary search for the last width that fits.
  const fits = (w: number) => {
    const size = arrangement.size(metricsFor(w, options, arrangement.kind));
    return size.width <= width && size.height <= height;
  };
  let lo = 0;
  let hi = Math.max(1, width);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  if (lo === 0) return 0;
  const m = metricsFor(lo, options, arrangement.kind);
  return Math.min(m.w, m.h) >= MIN_CELL ? lo : 0;
}

function arrangements(options: CalendarOptions): { arrangement: Arrangement; preferred: boolean }[] {
  const { first, last } = options;
  if (options.arrange === 'months') {
    const months = monthsBetween(first, last);
    const weeks = Math.max(...months.map(([y, m]) => weeksInMonth(y, m, options.weekStart)));
    return months.map((_, i) => {
      const columns = i + 1;
      return { arrangement: monthBlocks(options, months, weeks, columns), preferred: 12 % columns === 0 || columns >= months.length };
    });
  }
  if (options.arrange === 'rows') return [{ arrangement: monthRows(options), preferred: false }];
  return [
    { arrangement: yearStrips(options, 'horizontal'), preferred: false },
    { arrangement: yearStrips(options, 'vertical'), preferred: false },
  ];
}

/** Positions `count` items of `size` from `start`, `space` between them. */
const at = (start: number, index: number, size: number, space: number) => start + index * (size + space);

function monthBlocks(options: CalendarOptions, months: [number, number][], weeks: number, columns: number): Arrangement {
  const { gap, first, last, weekStart } = options;
  const rows = Math.ceil(months.length / columns);
  const block = (m: Metrics) => ({ width: 7 * m.w + 6 * gap, height: m.headingBand + m.labelBand + weeks * m.h + (weeks - 1) * gap });
  return {
    kind: 'months',
    empty: columns * rows - months.length,
    spaces: { x: columns - 1, y: rows - 1 },
    block,
    size(m) {
      const b = block(m);
      return { width: columns * b.width + (columns - 1) * m.spacing, height: rows * b.height + (rows - 1) * m.spacing };
    },
    place(m, x, y, extra) {
      const b = block(m);
      const cells: CalendarCell[] = [];
      const labels: CalendarLabel[] = [];
      const blocks: CalendarPage['blocks'] = [];
      months.forEach(([year, month], i) => {
        const bx = at(x, i % columns, b.width, m.spacing + extra.x);
        const by = at(y, Math.floor(i / columns), b.height, m.spacing + extra.y);
        const origin = { x: bx, y: by + m.headingBand + m.labelBand };
        blocks.push({ origin, box: { x: bx, y: by, width: b.width, height: b.height } });
        labels.push({ kind: 'heading', box: { x: bx, y: by, width: b.width, height: m.headingBand }, year, month });
        if (m.labelBand > 0) {
          for (let column = 0; column < 7; column++) {
            labels.push({ kind: 'weekday', box: { x: at(bx, column, m.w, gap), y: by + m.headingBand, width: m.w, height: m.labelBand }, weekday: (weekStart + column) % 7 });
          }
        }
        const start = dayOf(year, month, 1)!;
        const lead = weekdayColumn(dayParts(start).weekday, weekStart);
        for (let d = 0; d < daysInMonth(year, month); d++) {
          const day = start + d;
          if (day < first || day > last) continue;
          const row = Math.floor((lead + d) / 7);
          const column = (lead + d) % 7;
          cells.push({ day, block: i, row, column, box: { x: at(origin.x, column, m.w, gap), y: at(origin.y, row, m.h, gap), width: m.w, height: m.h } });
        }
      });
      return { cells, labels, blocks, columns, rows };
    },
  };
}

function monthRows(options: CalendarOptions): Arrangement {
  const { gap, first, last } = options;
  const months = monthsBetween(first, last);
  const years = [...new Set(months.map(([year]) => year))];
  const block = (m: Metrics) => ({ width: m.labelColumn + 31 * m.w + 30 * gap, height: m.h });
  return {
    kind: 'rows',
    empty: 0,
    spaces: { x: 0, y: years.length - 1 },
    block: (m) => ({ ...block(m), height: m.headingBand + m.h }),
    size(m) {
      const width = block(m).width;
      const height = years.length * m.headingBand + months.length * m.h + (months.length - years.length) * gap + (years.length - 1) * m.spacing;
      return { width, height };
    },
    place(m, x, y, extra) {
      const width = block(m).width;
      const cells: CalendarCell[] = [];
      const labels: CalendarLabel[] = [];
      const blocks: CalendarPage['blocks'] = [];
      let top = y;
      months.forEach(([year, month], i) => {
        if (i === 0 || month === 1) {
          if (i > 0) top += m.spacing + extra.y - gap;
          labels.push({ kind: 'heading', box: { x, y: top, width, height: m.headingBand }, year });
          top += m.headingBand;
        }
        const origin = { x: x + m.labelColumn, y: top };
        blocks.push({ origin, box: { x, y: top, width, height: m.h } });
        labels.push({ kind: 'month', box: { x, y: top, width: m.labelWidth, height: m.h }, year, month });
        const start = dayOf(year, month, 1)!;
        for (let d = 0; d < daysInMonth(year, month); d++) {
          const day = start + d;
          if (day < first || day > last) continue;
          cells.push({ day, block: i, row: 0, column: d, box: { x: at(origin.x, d, m.w, gap), y: top, width: m.w, height: m.h } });
        }
        top += m.h + gap;
      });
      return { cells, labels, blocks, columns: 31, rows: months.length };
    },
  };
}

function yearStrips(options: CalendarOptions, orientation: 'horizontal' | 'vertical'): Arrangement {
  const { gap, first, last, weekStart } = options;
  const years: number[] = [];
  for (let year = dayParts(first).year; year <= dayParts(last).year; year++) years.push(year);
  const lead = (year: number) => weekdayColumn(dayParts(dayOf(year, 1, 1)!).weekday, weekStart);
  const yearDays = (year: number) => dayOf(year + 1, 1, 1)! - dayOf(year, 1, 1)!;
  const weeks = Math.max(...years.map((year) => Math.ceil((lead(year) + yearDays(year)) / 7)));
  const horizontal = orientation === 'horizontal';
  // Horizontal: [weekday initials] then weeks across; above: year heading, month names.
  // Vertical: [month names] then 7 weekday columns; above: year heading, weekday initials.
  const block = (m: Metrics) =>
    horizontal
      ? { width: m.labelColumn + weeks * m.w + (weeks - 1) * gap, height: m.headingBand + m.labelBand + 7 * m.h + 6 * gap }
      : { width: m.labelColumn + 7 * m.w + 6 * gap, height: m.headingBand + m.labelBand + weeks * m.h + (weeks - 1) * gap };
  const count = years.length;
  return {
    kind: horizontal ? 'weeks-horizontal' : 'weeks-vertical',
    empty: 0,
    spaces: horizontal ? { x: 0, y: count - 1 } : { x: count - 1, y: 0 },
    block,
    size(m) {
      const b = block(m);
      return horizontal ? { width: b.width, height: count * b.height + (count - 1) * m.spacing } : { width: count * b.width + (count - 1) * m.spacing, height: b.height };
    },
    place(m, x, y, extra) {
      const b = block(m);
      const cells: CalendarCell[] = [];
      const labels: CalendarLabel[] = [];
      const blocks: CalendarPage['blocks'] = [];
      years.forEach((year, i) => {
        const bx = horizontal ? x : at(x, i, b.width, m.spacing + extra.x);
        const by = horizontal ? at(y, i, b.height, m.spacing + extra.y) : y;
        const origin = { x: bx + m.labelColumn, y: by + m.headingBand + m.labelBand };
        blocks.push({ origin, box: { x: bx, y: by, width: b.width, height: b.height } });
        labels.push({ kind: 'heading', box: { x: bx, y: by, width: b.width, height: m.headingBand }, year });
        for (let wd = 0; wd < 7; wd++) {
          const box = horizontal
            ? { x: bx, y: at(origin.y, wd, m.h, gap), width: m.labelWidth, height: m.h }
            : { x: at(origin.x, wd, m.w, gap), y: by + m.headingBand, width: m.w, height: m.labelBand };
          if (options.weekdays !== false) labels.push({ kind: 'weekday', box, weekday: (weekStart + wd) % 7 });
        }
        const jan1 = dayOf(year, 1, 1)!;
        const weekOf = (day: Day) => Math.floor((lead(year) + day - jan1) / 7);
        for (let month = 1; month <= 12; month++) {
          const start = Math.max(dayOf(year, month, 1)!, first);
          const end = Math.min(dayOf(year, month, daysInMonth(year, month))!, last);
          if (start > end) continue;
          const from = weekOf(start);
          // The label runs to where the next month's starts (or the strip ends).
          const to = month < 12 ? weekOf(dayOf(year, month + 1, 1)!) : weeks;
          const span = Math.max(1, to - from);
          const box = horizontal
            ? { x: at(origin.x, from, m.w, gap), y: by + m.headingBand, width: span * (m.w + gap) - gap, height: m.labelBand }
            : { x: bx, y: at(origin.y, from, m.h, gap), width: m.labelWidth, height: span * (m.h + gap) - gap };
          labels.push({ kind: 'month', box, year, month });
          for (let day = start; day <= end; day++) {
            const week = weekOf(day);
            const wd = weekdayColumn(dayParts(day).weekday, weekStart);
            const [row, column] = horizontal ? [wd, week] : [week, wd];
            cells.push({ day, block: i, row, column, box: { x: at(origin.x, column, m.w, gap), y: at(origin.y, row, m.h, gap), width: m.w, height: m.h } });
          }
        }
      });
      return { cells, labels, blocks, columns: horizontal ? weeks : 7, rows: horizontal ? 7 : weeks, orientation };
    },
  };
}
