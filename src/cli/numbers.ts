/**
 * Numeric command-line options: each parser refuses NaN, Infinity and values outside its range
 * with one line naming the option (commander prints it; exit 2), before anything runs.
 */
import { InvalidArgumentError } from 'commander';

const format = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 6 });

/** A whole number from `min` to `max`. */
export const integer = (name: string, min: number, max: number) => (value: string) => {
  const n = parse(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be a whole number from ${format(min)} to ${format(max)}`);
  return n;
};

/** A number over 0 and at most `max` (`least`: the smallest that makes sense, when more than 0). */
export const positiveNumber = (name: string, max: number, least = 0) => (value: string) => {
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
