/**
 * Commander options from the option table (options.ts): flags, parser with bounds, choices,
 * environment variable and help text, per command; and the manifest overrides from the parsed flags.
 */
import path from 'node:path';
import { Option, type Command } from 'commander';
import type { ManifestOverrides } from '../manifest/index.js';
import { aspect, focus, integer, percent, positiveNumber, seconds } from './numbers.js';
import { ENVIRONMENT, helpText, longFlag, optionsOf, OPTIONS, type CommandName, type OptionSpec } from './options.js';

/** Adds every option the table gives `name`, in table order. */
export function addOptions(command: Command, name: CommandName): Command {
  for (const spec of optionsOf(name)) command.addOption(commanderOption(spec, name));
  return command;
}

export function commanderOption(spec: OptionSpec, command: CommandName): Option {
  const option = new Option(spec.flags, helpText(spec, command));
  const flag = longFlag(spec);
  const value = spec.value;
  switch (value.type) {
    case 'choice':
      option.choices(value.choices);
      break;
    case 'list':
      option.argParser((item: string, previous: string[] | undefined) => [...(previous ?? []), item]);
      break;
    case 'integer':
      option.argParser(integer(flag, value.min, value.max));
      break;
    case 'number':
      option.argParser(positiveNumber(flag, value.max, value.least));
      break;
    case 'seconds':
      option.argParser(seconds(flag, value.min, value.max));
      break;
    case 'focus':
      option.argParser(focus(flag));
      break;
    case 'percent':
      option.argParser(percent(flag, value.max));
      break;
    case 'aspect':
      option.argParser(aspect(flag, value.min, value.max));
      break;
  }
  if (spec.env) option.env(spec.env);
  if (spec.deprecated) option.hideHelp();
  return option;
}

/** The "Environment:" lines after a rendering command's options. */
export function addEnvironmentHelp(command: Command): Command {
  const width = Math.max(...ENVIRONMENT.map((variable) => variable.name.length));
  return command.addHelpText('after', ['', 'Environment:', ...ENVIRONMENT.map((variable) => `  ${variable.name.padEnd(width)}  ${variable.help}`)].join('\n'));
}

/** Commander's attribute name for an option: `--max-crop` → maxCrop, `--no-cache` → cache. */
export function attributeOf(spec: Pick<OptionSpec, 'flags'>): string {
  return new Option(spec.flags).attributeName();
}

/**
 * The manifest overrides the flags give, by the table's `override` fields; `--font` files become
 * absolute, so a job queued here and rendered by a worker elsewhere finds the same file.
 */
export function overridesFrom(flags: object): ManifestOverrides {
  const overrides: Record<string, unknown> = {};
  for (const spec of OPTIONS as readonly OptionSpec[]) {
    const value = (flags as Record<string, unknown>)[attributeOf(spec)];
    if (spec.override === undefined || value === undefined) continue;
    overrides[spec.override.key] = spec.override.from ? spec.override.from(value as never) : value;
  }
  const fonts = (flags as { font?: string[] }).font;
  if (fonts) overrides.fonts = fonts.map((font) => (/^[a-z][a-z0-9+.-]+:/i.test(font) ? font : path.resolve(font)));
  return overrides as ManifestOverrides;
}
