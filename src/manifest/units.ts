/** Physical lengths and colours as the manifest writes them, and their conversion to pixels. */
import colorString from 'color-string';

export const LENGTH_UNITS = ['px', 'in', 'mm', 'cm', 'pt'] as const;
export type LengthUnit = (typeof LENGTH_UNITS)[number];

/** Inches per unit; `px` is handled apart because it does not depend on DPI. */
const INCHES_PER_UNIT: Record<Exclude<LengthUnit, 'px'>, number> = {
  in: 1,
  mm: 1 / 25.4,
  cm: 1 / 2.54,
  pt: 1 / 72,
};

export const LENGTH_PATTERN = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(px|in|mm|cm|pt)?\s*$/;

export interface ParsedLength {
  value: number;
  unit: LengthUnit;
}

/** A number is pixels; a string is `<number><unit>` (unit defaults to px). Null when malformed. */
export function parseLength(input: number | string): ParsedLength | null {
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? { value: input, unit: 'px' } : null;
  const match = LENGTH_PATTERN.exec(input);
  if (!match) return null;
  return { value: Number(match[1]), unit: (match[2] as LengthUnit | undefined) ?? 'px' };
}

/** Length in (unrounded) device pixels at `dpi`. */
export function lengthToPixels(length: ParsedLength, dpi: number): number {
  if (length.unit === 'px') return length.value;
  return length.value * INCHES_PER_UNIT[length.unit] * dpi;
}

/** Length in inches, or null for pixel lengths (which have no physical size of their own). */
export function lengthToInches(length: ParsedLength): number | null {
  return length.unit === 'px' ? null : length.value * INCHES_PER_UNIT[length.unit];
}

export interface Rgba {
  r: number;
  g: number;
  b: number;
  /** 0..1 */
  a: number;
}

/** `#rgb`, `#rrggbb`, `#rrggbbaa`, `rgb()`/`rgba()` and CSS colour names. Null when not a colour. */
export function parseColor(input: string): Rgba | null {
  const rgba = colorString.get.rgb(input.trim());
  if (!rgba) return null;
  const [r = 0, g = 0, b = 0, a = 1] = rgba;
  return { r, g, b, a };
}

export function cssColor(color: Rgba): string {
  return `rgba(${color.r}, ${color.g}, ${color.b}, ${color.a})`;
}

/** `36x24in`, `10800x7200`, `297x210mm`: the plain-text manifest's `--size`. */
export function parseSizeOption(input: string): { width: string; height: string } | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*[x×]\s*(\d+(?:\.\d+)?)\s*(px|in|mm|cm|pt)?\s*$/i.exec(input);
  if (!match) return null;
  const unit = (match[3] ?? 'px').toLowerCase();
  return { width: `${match[1]}${unit}`, height: `${match[2]}${unit}` };
}
