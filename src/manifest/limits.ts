/**
 * The largest value every number in a manifest (and its command-line overrides) may take. A
 * manifest is untrusted: `layout.columns: 100000000` made `validate` run out of memory, and
 * `1e400` parses to Infinity. Each bound is far beyond any print, and is checked by the schema
 * before anything is computed from it.
 */

/** dpi: whole dots per inch (the README's manifest table: `dpi` is "a whole number from 1 to 10,000"). */
export const MAX_DPI = 10_000;

/** images[]: a 36×24 in poster holds 10,000 photos at about a quarter inch each. */
export const MAX_IMAGES = 10_000;

/** Grid columns and rows, masonry columns. */
export const MAX_COLUMNS = 10_000;

/**
 * A length: up to a million pixels, or 10,000 in (254 m) in a physical unit. A page side beyond
 * either could not be a poster of at most 1,400 Mpx anyway.
 */
export const MAX_LENGTH_PX = 1_000_000;
export const MAX_LENGTH_INCHES = 10_000;

/** Seeds: mulberry32 takes 32 bits. */
export const MAX_SEED = 2 ** 32 - 1;

export const MAX_QUALITY = 100;
export const MAX_CAPTION_LINES = 20;
export const MIN_WEIGHT = 0.01;
export const MAX_WEIGHT = 100;

/**
 * A number with thousands commas ("1,000,000", "0.25"; at most `fractionDigits` decimals), for
 * messages, help and the schema's descriptions: what `toLocaleString('en-US')` gives, without
 * loading ICU's number formatting at start-up (~20 ms on every command).
 */
export function withCommas(n: number, fractionDigits = 6): string {
  const [whole = '', fraction] = String(Number(n.toFixed(fractionDigits))).split('.');
  return whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',') + (fraction ? `.${fraction}` : '');
}
