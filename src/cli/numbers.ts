/**
 * Numeric command-line options: each parser refuses NaN, Infinity and values outside its range
 * with one line naming the option (commander prints it; exit 2), before anything runs.
 */
import { InvalidArgumentError } from 'commander';
import { withCommas } from '../manifest/limits.js';

const format = (n: number) => withCommas(n);

/** A whole number from `min` to `max`. */
export const integer = (name: string, min: number, max: number) => (value: string) => {
  const n = parse(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be a whole number from ${format(min)} to ${format(max)}`);
  return n;
};

/** A number over 0 and at most `max` (`least`: the smallest that makes sense, when more than 0). */
export const positiveNumber =
  (name: string, max: number, least = 0) =>
  (value: string) => {
    const n = parse(value);
    const ok = Number.isFinite(n) && (least > 0 ? n >= least : n > 0) && n <= max;
    if (!ok) throw new InvalidArgumentError(`${name} must be a number ${least > 0 ? `from ${format(least)}` : 'over 0'} up to ${format(max)}`);
    return n;
  };

/**
 * A duration in seconds within sane bounds: below a second a timeout only blames every photo for
 * the setting (`--timeout 0.0001`), and Infinity or 1e400 would disable the bound it sets.
 */
export const seconds = (name: string, min: number, max: number) => (value: string) => {
  const n = parse(value);
  if (!(n >= min && n <= max)) throw new InvalidArgumentError(`${name} must be a number of seconds from ${min} to ${max}`);
  return n;
};

/** Number() takes "" and "  " as 0; an option given an empty value is not a number. */
function parse(value: string): number {
  return value.trim() === '' ? NaN : Number(value);
}

/** `--focus`: "auto", or "x,y" with both in 0..1. */
export const focus =
  (name: string) =>
  (value: string): 'auto' | [number, number] => {
    if (value.trim() === 'auto') return 'auto';
    const parts = value.split(',').map(parse);
    if (parts.length !== 2 || !parts.every((n) => n >= 0 && n <= 1)) throw new InvalidArgumentError(`${name} must be auto or x,y with both from 0 to 1, e.g. 0.5,0.3`);
    return parts as [number, number];
  };

/** A percentage from 0 to `max`: "5" or "5%". */
export const percent = (name: string, max: number) => (value: string) => {
  const n = parse(value.replace(/%\s*$/, ''));
  if (!(n >= 0 && n <= max)) throw new InvalidArgumentError(`${name} must be a percentage from 0 to ${max}, e.g. 5 or 5%`);
  return n;
};

/** "auto", a ratio "4:3" (kept as written), or a number width/height from `min` to `max`. */
export const aspect =
  (name: string, min: number, max: number) =>
  (value: string): string | number => {
    const message = `${name} must be auto, a ratio such as 4:3, or a number (width/height) from ${min} to ${max}`;
    if (value.trim() === 'auto') return 'auto';
    const ratio = /^\s*(\d+(?:\.\d+)?)\s*:\s*(\d+(?:\.\d+)?)\s*$/.exec(value);
    const n = ratio ? Number(ratio[1]) / Number(ratio[2]) : parse(value);
    if (!(n >= min && n <= max)) throw new InvalidArgumentError(message);
    return ratio ? value.trim() : n;
  };
