/**
 * Lengths as the schema takes them: a number of pixels or a string with a unit, bounded
 * (manifest/limits.ts) so that `1e400` (JSON's Infinity) or "99…9in" is refused with its path,
 * never turned into an infinite page.
 */
import * as v from 'valibot';
import { MAX_LENGTH_INCHES, MAX_LENGTH_PX, withCommas } from './limits.js';
import { LENGTH_PATTERN, lengthToInches, parseLength } from './units.js';

const LENGTH_MESSAGE = 'Invalid length: expected a number of pixels or a string like "0.25in", "3mm", "12pt", "40px"';
const SIGNED_LENGTH = /^\s*-?(\d+(?:\.\d+)?|\.\d+)\s*(px|in|mm|cm|pt)?\s*$/;
const BOUNDS = `at most ${withCommas(MAX_LENGTH_PX)} px or ${withCommas(MAX_LENGTH_INCHES)} in (254 m)`;
/** No length needs more characters; a longer string is a number too large to be one. */
const MAX_LENGTH_CHARS = 32;

/** Within the bounds: a string's unit decides which bound applies. */
function inBounds(input: string): boolean {
  const length = parseLength(input.trim().replace(/^-/, ''));
  if (!length || !Number.isFinite(length.value)) return false;
  const inches = lengthToInches(length);
  return inches === null ? length.value <= MAX_LENGTH_PX : inches <= MAX_LENGTH_INCHES;
}

function tooLarge(input: unknown): string {
  const shown = typeof input === 'string' ? JSON.stringify(input.length > MAX_LENGTH_CHARS ? `${input.slice(0, MAX_LENGTH_CHARS)}…` : input) : String(input);
  return `Invalid length: ${shown} is too large; a length is ${BOUNDS}`;
}

export const Length = v.pipe(
  v.union(
    [
      v.pipe(
        v.number(),
        v.minValue(0),
        v.maxValue(MAX_LENGTH_PX, (issue) => tooLarge(issue.input)),
      ),
      v.pipe(
        v.string(),
        v.maxLength(MAX_LENGTH_CHARS, (issue) => tooLarge(issue.input)),
        v.regex(LENGTH_PATTERN, LENGTH_MESSAGE),
        v.check(inBounds, (issue) => tooLarge(issue.input)),
      ),
    ],
    LENGTH_MESSAGE,
  ),
  v.description(`A length: a number of pixels, or a string with a unit: px, in, mm, cm, pt; ${BOUNDS}.`),
);

export const SignedLength = v.pipe(
  v.union(
    [
      v.pipe(
        v.number(),
        v.minValue(-MAX_LENGTH_PX, (issue) => tooLarge(issue.input)),
        v.maxValue(MAX_LENGTH_PX, (issue) => tooLarge(issue.input)),
      ),
      v.pipe(
        v.string(),
        v.maxLength(MAX_LENGTH_CHARS, (issue) => tooLarge(issue.input)),
        v.regex(SIGNED_LENGTH, LENGTH_MESSAGE),
        v.check(inBounds, (issue) => tooLarge(issue.input)),
      ),
    ],
    LENGTH_MESSAGE,
  ),
  v.description('A length that may be negative: a number of pixels, or a string with a unit, e.g. "-1mm".'),
);
