/**
 * The calendar's words and numbers on the poster: month and year headings, weekday initials,
 * month names, a day number in a corner of every cell, and the look of missed days. Names come
 * from Intl in the layout's locale (Gregorian months, Latin digits), drawn with the caption fonts'
 * fallback chain (render/fonts/), so month names in any bundled script draw; canvas text draws
 * nothing without a registered font.
 *
 * Each distinct text (a day number, a weekday initial, a month name) is drawn once on a small
 * transparent canvas, with its shadow, and the result blended into the poster wherever it goes
 * (`TextStamps`): 1,095 day numbers are 31 drawings, not 1,095 canvases. Labels and missed days
 * are drawn just before the first band of rows they touch is handed to the encoder (`band`), so
 * the poster never needs all its bands at once; a day number over a photo is drawn right after
 * the photo (`photoDrawn`).
 */
import type { SKRSContext2D } from '@napi-rs/canvas';
import { loadSkia } from '../skia.js';
import type { Box, CalendarLabel, CalendarPage } from '../layout/index.js';
import { dayParts, type Day } from '../layout/days.js';
import type { CalendarLayoutSpec } from '../manifest/calendar.js';
import { cssColor } from '../manifest/units.js';
import { bundledFontVersions, FontSet } from './fonts/index.js';
import { fillBox, type Poster } from './index.js';
import type { Rgba } from '../manifest/units.js';

/** Inter's cap height (and digit height) in em: text is placed by it, not by the font's full ascent. */
const CAP_HEIGHT = 0.727;

interface Decoration {
  box: Box;
  /** What it draws, for the recipe of a band it is in (band-reuse.ts). */
  what: unknown;
  /** Draws the part of it within `clip` (its box, or the part of it in one band). */
  draw(clip: Box): void;
}

export class CalendarPainter {
  private readonly decorations: Decoration[] = [];
  /** Per band: decorations that touch it. */
  private readonly byBand = new Map<number, number[]>();
  private readonly cellOf = new Map<Day, Box>();
  private readonly names: Names;
  private readonly stamps: TextStamps;

  /**
   * `page` is in trim-box pixels, `shift` the bleed (px per side); `days` the day of each photo
   * (by cell: the rest are missed days).
   */
  constructor(
    private readonly poster: Poster,
    private readonly page: CalendarPage,
    private readonly look: CalendarLayoutSpec,
    readonly days: readonly Day[],
    shift: number,
  ) {
    this.stamps = new TextStamps(look.labels.font);
    this.names = new Names(look.locale);
    const move = (box: Box): Box => ({ ...box, x: box.x + shift, y: box.y + shift });
    for (const cell of page.cells) this.cellOf.set(cell.day, move(cell.box));
    for (const label of page.labels) {
      const box = move(label.box);
      const moved = { ...label, box } as CalendarLabel;
      this.decorations.push({ box, what: moved, draw: (clip) => this.label(moved, clip) });
    }
    const withPhoto = new Set(days);
    if (look.missing !== 'background') {
      for (const cell of page.cells) {
        if (withPhoto.has(cell.day)) continue;
        const box = move(cell.box);
        this.decorations.push({ box, what: { missed: cell.day, box }, draw: (clip) => this.missedDay(cell.day, box, clip) });
      }
    }
    this.decorations.forEach((decoration, i) => {
      const { y, height } = decoration.box;
      const firstBand = Math.floor(Math.max(0, y) / poster.bandRows);
      const lastBand = Math.floor((Math.min(poster.height, y + height) - 1) / poster.bandRows);
      for (let band = firstBand; band <= lastBand; band++) {
        const list = this.byBand.get(band);
        if (list) list.push(i);
        else this.byBand.set(band, [i]);
      }
    });
  }

  /**
   * Band `index` is about to be encoded: the part of every label and missed day in its rows, now.
   * (Drawn band by band, so a band whose encoded bytes are reused is never painted: build.ts.)
   */
  band(index: number): void {
    const y = index * this.poster.bandRows;
    const rows = { x: 0, y, width: this.poster.width, height: this.poster.rowsIn(index) };
    for (const i of this.byBand.get(index) ?? []) {
      const decoration = this.decorations[i]!;
      decoration.draw(intersect(decoration.box, rows));
    }
  }

  /** What is drawn into band `index` besides photos and their day numbers: each label and missed day reaching into its rows. */
  recipe(index: number): unknown {
    return (this.byBand.get(index) ?? []).map((i) => this.decorations[i]!.what);
  }

  /** What every band's drawing depends on besides its decorations: the look, font sizes, arrangement, and the engines behind names and glyphs. */
  recipePage(): unknown {
    return [this.look, this.page.fonts, this.page.arrange, this.page.orientation ?? null, process.versions.icu ?? null, bundledFontVersions()];
  }

  /** The photo for `day` is in its cell (or its placeholder is): its day number goes over it. */
  photoDrawn(day: Day): void {
    const numbers = this.look.labels.dayNumbers;
    const box = this.cellOf.get(day);
    if (!numbers || !box) return;
    this.dayNumber(day, box, numbers.color, true);
  }

  private missedDay(day: Day, box: Box, clip: Box): void {
    if (this.look.missing === 'placeholder') fillBox(this.poster, clip, over(this.look.missingColor, this.poster.background));
    if (this.look.labels.dayNumbers) this.dayNumber(day, box, this.look.labels.labelColor, false, clip);
  }

  private dayNumber(day: Day, cell: Box, color: Rgba, overPhoto: boolean, clip: Box = cell): void {
    const numbers = this.look.labels.dayNumbers;
    if (!numbers) return;
    const size = this.page.fonts.day;
    const pad = Math.max(1, Math.round(0.45 * size));
    const right = numbers.position.endsWith('right');
    const bottom = numbers.position.startsWith('bottom');
    const x = right ? cell.x + cell.width - pad : cell.x + pad;
    const y = bottom ? cell.y + cell.height - pad : cell.y + pad + Math.round(CAP_HEIGHT * size);
    // A soft shadow keeps light numbers readable on light photos without a box around them.
    const shadow = overPhoto ? Math.max(1, Math.round(0.3 * size)) : 0;
    this.stamps.draw(this.poster, String(dayParts(day).day), { size, color, align: right ? 'right' : 'left', shadow }, x, y, clip);
  }

  private label(label: CalendarLabel, clip: Box): void {
    const { labels } = this.look;
    const { box } = label;
    if (label.kind === 'heading') {
      const size = this.page.fonts.heading;
      const baseline = box.y + Math.round(0.35 * size + CAP_HEIGHT * size);
      if (label.month === undefined) {
        this.text(box, this.names.year(label.year), size, labels.color, 'left', baseline, clip);
        return;
      }
      // Month name on the left, the year smaller and lighter on the right: both shrink to fit.
      const month = this.names.month(label.month, 'long');
      const year = this.names.year(label.year);
      const yearSize = Math.round(0.72 * size);
      const room = this.stamps.measure(month, size) + this.stamps.measure(year, yearSize) + 0.6 * size;
      const scale = Math.min(1, box.width / room);
      this.stamps.draw(this.poster, month, { size: Math.floor(size * scale), color: labels.color, align: 'left', shadow: 0 }, box.x, baseline, clip);
      this.stamps.draw(this.poster, year, { size: Math.floor(yearSize * scale), color: labels.labelColor, align: 'right', shadow: 0 }, box.x + box.width, baseline, clip);
      return;
    }
    const size = this.page.fonts.label;
    if (label.kind === 'weekday') {
      const baseline = box.y + Math.round(box.height / 2 + (CAP_HEIGHT * size) / 2);
      this.text(box, this.names.weekday(label.weekday), size, labels.labelColor, 'center', baseline, clip);
      return;
    }
    // Month names: beside a row (centred on it), over a run of weeks (on the band's foot), or
    // beside a run of weeks down the page (level with the first week's top).
    const name = this.names.month(label.month, 'short');
    const horizontalWeeks = this.page.arrange === 'weeks' && this.page.orientation === 'horizontal';
    const baseline =
      box.y +
      (this.page.arrange === 'rows'
        ? Math.round(box.height / 2 + (CAP_HEIGHT * size) / 2)
        : horizontalWeeks
          ? Math.round(box.height - 0.45 * size)
          : Math.round(CAP_HEIGHT * size));
    this.text(box, name, size, labels.labelColor, 'left', baseline, clip);
  }

  /** One line of text in `box` at `baseline` (poster row), shrunk to the box's width when too wide; only its part within `clip`. */
  private text(box: Box, text: string, size: number, color: Rgba, align: 'left' | 'center' | 'right', baseline: number, clip: Box): void {
    const fitted = Math.min(size, Math.floor((size * box.width) / Math.max(1, this.stamps.measure(text, size))));
    const x = align === 'left' ? box.x : align === 'right' ? box.x + box.width : box.x + Math.round(box.width / 2);
    this.stamps.draw(this.poster, text, { size: fitted, color, align, shadow: 0 }, x, baseline, clip);
  }
}

interface StampStyle {
  /** px */
  size: number;
  color: Rgba;
  align: 'left' | 'center' | 'right';
  /** Blur of a dark shadow under the text, px (0: none). */
  shadow: number;
}

interface Stamp {
  rgba: Uint8ClampedArray;
  width: number;
  height: number;
  /** Where the text's origin (its alignment point on the baseline) is in the stamp. */
  originX: number;
  originY: number;
}

/** Texts drawn once each on a transparent canvas, then blended wherever they are needed. */
export class TextStamps {
  private readonly cache = new Map<string, Stamp | null>();
  private readonly widths = new Map<string, number>();
  /** Made on first use: a rebuild whose bands are all reused draws no text and never loads the canvas engine. */
  private measurer: SKRSContext2D | null = null;

  constructor(private readonly family: string) {}

  measure(text: string, size: number): number {
    const key = `${size}|${text}`;
    let width = this.widths.get(key);
    if (width === undefined) {
      this.measurer ??= loadSkia().createCanvas(1, 1).getContext('2d');
      this.measurer.font = fontSpec(this.family, size, text);
      width = this.measurer.measureText(text).width;
      this.widths.set(key, width);
    }
    return width;
  }

  /** `text` with its origin at (x, y) on the poster (y the baseline), only within `clip`. */
  draw(poster: Poster, text: string, style: StampStyle, x: number, y: number, clip: Box): void {
    const stamp = this.stamp(text, style);
    if (stamp) blend(poster, stamp, x - stamp.originX, y - stamp.originY, clip);
  }

  private stamp(text: string, style: StampStyle): Stamp | null {
    const key = `${style.size}|${style.shadow}|${style.align}|${style.color.r},${style.color.g},${style.color.b},${style.color.a}|${text}`;
    let stamp = this.cache.get(key);
    if (stamp === undefined) {
      stamp = this.render(text, style);
      this.cache.set(key, stamp);
    }
    return stamp;
  }

  private render(text: string, { size, color, align, shadow }: StampStyle): Stamp | null {
    if (size < 1 || text === '') return null;
    const width = this.measure(text, size);
    // Room for the glyphs' overhang, descenders and the shadow's blur.
    const margin = Math.ceil(0.3 * size + 2 * shadow);
    const w = Math.ceil(width) + 2 * margin;
    const h = Math.ceil(1.25 * size) + 2 * margin;
    const originX = align === 'left' ? margin : align === 'right' ? w - margin : Math.round(w / 2);
    const originY = margin + Math.ceil(size);
    const canvas = loadSkia().createCanvas(w, h);
    const ctx = canvas.getContext('2d');
    ctx.font = fontSpec(this.family, size, text);
    ctx.fillStyle = cssColor(color);
    ctx.textBaseline = 'alphabetic';
    ctx.textAlign = align;
    if (shadow > 0) {
      ctx.shadowColor = 'rgba(0, 0, 0, 0.55)';
      ctx.shadowBlur = shadow;
    }
    ctx.fillText(text, originX, originY);
    return { rgba: ctx.getImageData(0, 0, w, h).data, width: w, height: h, originX, originY };
  }
}

/** The CSS font for `text`: the family, then the fallback faces its characters need (registered on first use). */
function fontSpec(family: string, size: number, text: string): string {
  const fonts = FontSet.bundled();
  const chain = fonts.chain(family) ?? fonts.chain()!;
  return `${Math.max(1, size)}px ${chain.families(text)}`;
}

/** Source-over of the stamp (unpremultiplied RGBA) at (x, y), within `clip` and the poster. */
function blend(poster: Poster, stamp: Stamp, x: number, y: number, clip: Box): void {
  const x0 = Math.max(x, clip.x, 0);
  const y0 = Math.max(y, clip.y, 0);
  const x1 = Math.min(x + stamp.width, clip.x + clip.width, poster.width);
  const y1 = Math.min(y + stamp.height, clip.y + clip.height, poster.height);
  const { rgba } = stamp;
  for (let py = y0; py < y1; py++) {
    const row = poster.rowData(py);
    let to = poster.rowOffset(py) + x0 * 3;
    let from = ((py - y) * stamp.width + (x0 - x)) * 4;
    for (let px = x0; px < x1; px++, to += 3, from += 4) {
      const a = rgba[from + 3]!;
      if (a === 0) continue;
      const keep = 255 - a;
      row[to] = (rgba[from]! * a + row[to]! * keep + 127) / 255;
      row[to + 1] = (rgba[from + 1]! * a + row[to + 1]! * keep + 127) / 255;
      row[to + 2] = (rgba[from + 2]! * a + row[to + 2]! * keep + 127) / 255;
    }
  }
}

function intersect(a: Box, b: Box): Box {
  const x = Math.max(a.x, b.x);
  const y = Math.max(a.y, b.y);
  return { x, y, width: Math.max(0, Math.min(a.x + a.width, b.x + b.width) - x), height: Math.max(0, Math.min(a.y + a.height, b.y + b.height) - y) };
}

/** `color` (maybe translucent) laid over the opaque `background`. */
function over(color: Rgba, background: Rgba): Rgba {
  const mix = (a: number, b: number) => Math.round(a * color.a + b * (1 - color.a));
  return { r: mix(color.r, background.r), g: mix(color.g, background.g), b: mix(color.b, background.b), a: 1 };
}

/** Month and weekday names in a locale (Gregorian calendar), first letter capitalised as a heading wants. */
class Names {
  private readonly long: Intl.DateTimeFormat;
  private readonly short: Intl.DateTimeFormat;
  private readonly weekdays: Intl.DateTimeFormat;

  constructor(private readonly locale: string) {
    const options = { timeZone: 'UTC', calendar: 'gregory', numberingSystem: 'latn' } as const;
    this.long = new Intl.DateTimeFormat(locale, { ...options, month: 'long' });
    this.short = new Intl.DateTimeFormat(locale, { ...options, month: 'short' });
    this.weekdays = new Intl.DateTimeFormat(locale, { ...options, weekday: 'narrow' });
  }

  month(month: number, form: 'long' | 'short'): string {
    const text = (form === 'long' ? this.long : this.short).format(Date.UTC(2000, month - 1, 1));
    return this.capitalise(text);
  }

  /** 0 = Sunday. 2000-01-02 was a Sunday. */
  weekday(weekday: number): string {
    return this.capitalise(this.weekdays.format(Date.UTC(2000, 0, 2 + weekday)));
  }

  year(year: number): string {
    return String(year);
  }

  private capitalise(text: string): string {
    const [first = '', ...rest] = text;
    return first.toLocaleUpperCase(this.locale) + rest.join('');
  }
}
