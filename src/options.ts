/**
 * The library checks what it is given: every entry point (`build`, `plan`, `validate`,
 * `batch`, the queue functions) runs its options object through a valibot schema declared
 * next to the options type, and a bad or unknown option is one CollageError (exit 2) naming
 * its path: `options.fetch.concurrency: expected an integer ≥ 1, got 0`. The values are checked,
 * never converted: the caller's object (its signal, callbacks, dispatcher) is used as given.
 */
import * as v from 'valibot';
import { CollageError, ExitCode } from './errors.js';
import { formatPath } from './manifest/paths.js';
import { closest } from './manifest/suggest.js';

type Schema = v.GenericSchema;

/**
 * A strict object schema with exactly the keys of the options type `T`: a key the type gains
 * without a schema entry (or the reverse) does not compile, so the two cannot drift apart.
 */
export function optionsSchema<T extends object>(entries: Entries<T>): OptionsSchema<T> {
  return v.strictObject(entries as v.ObjectEntries) as unknown as OptionsSchema<T>;
}

export type OptionsSchema<T> = Omit<v.StrictObjectSchema<v.ObjectEntries, undefined>, 'entries'> & { readonly entries: Entries<T> };

type Entries<T> = { [K in keyof Required<T>]-?: Schema };

/** `entries` without `keys` (an options type that omits some of another's). */
export function omitEntries<E extends object, K extends keyof E>(entries: E, ...keys: K[]): Omit<E, K> {
  const rest = { ...entries };
  for (const key of keys) delete rest[key];
  return rest;
}

const optional = (schema: Schema) => v.optional(schema);

/** A whole number at least `min` (and at most `max`). */
export function integer(min: number, max?: number): Schema {
  const expected = max === undefined ? `expected an integer ≥ ${min}` : `expected an integer from ${min} to ${max}`;
  const whole = v.pipe(v.number(expected), v.integer(expected), v.minValue(min, expected));
  return optional(max === undefined ? whole : v.pipe(whole, v.maxValue(max, expected)));
}

/** A finite number above 0 (`unit` says what of: "milliseconds"). */
export function positive(unit: string): Schema {
  const expected = `expected a number of ${unit} > 0`;
  return optional(v.pipe(v.number(expected), v.finite(expected), v.gtValue(0, expected)));
}

/** A finite number, 0 or more. */
export function nonNegative(unit: string): Schema {
  const expected = `expected a number of ${unit} ≥ 0`;
  return optional(v.pipe(v.number(expected), v.finite(expected), v.minValue(0, expected)));
}

/** A finite number at least `min`, where `min` is described as `shown`. */
export function atLeast(min: number, expected: string): Schema {
  return optional(v.pipe(v.number(expected), v.finite(expected), v.minValue(min, expected)));
}

/** Any number: its range is checked where it is used (a manifest override, as the manifest's field). */
export const numeric: Schema = optional(v.number('expected a number'));
export const flag: Schema = optional(v.boolean('expected true or false'));
export const text: Schema = optional(v.string('expected a string'));
export const textOrNull: Schema = optional(v.nullable(v.string('expected a string or null')));
export const texts: Schema = optional(v.array(v.string('expected a string'), 'expected an array of strings'));
export const callback: Schema = optional(v.function('expected a function'));
export const abortSignal: Schema = optional(v.instance(AbortSignal, 'expected an AbortSignal'));
/** An object the library hands on as it is (an undici Dispatcher): only its kind is checked. */
export function objectWith(method: string, expected: string): Schema {
  return optional(v.custom((value) => typeof value === 'object' && value !== null && typeof (value as Record<string, unknown>)[method] === 'function', expected));
}
/** Per-origin request headers: `{ origin: { name: value } }`. */
export const headerMap: Schema = optional(
  v.record(
    v.string(),
    v.record(v.string(), v.string('expected a string header value'), 'expected an object of header names to values'),
    'expected an object of origins to headers',
  ),
);

/**
 * Checks `options` against `schema`; throws one CollageError (exit 2) for the first problem,
 * naming its path under `name`. Returns the options as given.
 */
export function checkOptions<T>(schema: Schema, options: T, name = 'options'): T {
  if (options === undefined) return options;
  // A key set to undefined means the default, as if absent (`{ output: undefined }` from a spread).
  const result = v.safeParse(schema, definedOnly(options), { abortEarly: true });
  if (result.success) return options;
  throw new CollageError(describeIssue(schema, result.issues[0], name), ExitCode.usage);
}

function describeIssue(root: Schema, issue: v.BaseIssue<unknown>, name: string): string {
  const keys = (issue.path ?? []).map((item) => item.key as string | number);
  const path = formatPath(keys);
  const at = keys.length === 0 ? name : path.startsWith('[') ? `${name}${path}` : `${name}.${path}`;
  if (issue.type === 'strict_object' && issue.expected === 'never' && keys.length > 0) {
    // An unknown key: a typo surfaces instead of being ignored.
    const suggestion = closest(String(keys[keys.length - 1]), Object.keys(entriesAt(root, keys.slice(0, -1))));
    return `${at}: unknown option${suggestion ? `; did you mean "${suggestion}"?` : ''}`;
  }
  const expected = issue.type === 'object' || issue.type === 'strict_object' ? 'expected an object' : issue.message;
  return `${at}: ${expected}, got ${describeValue(issue.input)}`;
}

/** The entries of the object schema at `keys` under `root` (through optional and nullable wrappers). */
function entriesAt(root: Schema, keys: (string | number)[]): Record<string, Schema> {
  let schema: Schema | undefined = root;
  for (let i = 0; ; i++) {
    while (schema && 'wrapped' in schema) schema = (schema as unknown as { wrapped: Schema }).wrapped;
    const entries: Record<string, Schema> | undefined = schema && 'entries' in schema ? (schema as unknown as { entries: Record<string, Schema> }).entries : undefined;
    if (i === keys.length || !entries) return entries ?? {};
    schema = entries[String(keys[i])];
  }
}

/** Plain objects without their undefined-valued keys, at every depth. */
function definedOnly(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .map(([key, item]) => [key, definedOnly(item)]),
  );
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  return 'an object';
}
