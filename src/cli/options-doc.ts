/**
 * The README's option tables, rendered from the option table (options.ts). `npm run readme:options`
 * writes them between the README's markers; test/options.test.ts fails when the README differs.
 */
import { COMMANDS, defaultText, ENVIRONMENT, OPTIONS, rangeText, resolve, type CommandName, type OptionSpec } from './options.js';

export const README_START = '<!-- options: generated from src/cli/options.ts by `npm run readme:options`; do not edit -->';
export const README_END = '<!-- options: end -->';

const commandLabel = (command: CommandName) => (command === 'cache' ? 'cache ls/clean/verify' : command === 'queue-status' ? 'queue status' : command);
const cell = (text: string) => text.replaceAll('|', '\\|');

/** One row per option (per distinct help text where commands differ), then the environment variables. */
export function optionsMarkdown(): string {
  const rows: string[] = [];
  for (const option of OPTIONS as readonly OptionSpec[]) {
    if (option.deprecated) continue;
    // Commands that share a help text and default share a row.
    const groups = new Map<string, CommandName[]>();
    for (const command of COMMANDS.filter((c) => option.commands.includes(c))) {
      const key = JSON.stringify([resolve(option.help, command), defaultText(option, command) ?? '']);
      groups.set(key, [...(groups.get(key) ?? []), command]);
    }
    for (const [key, commands] of groups) {
      const [help, byDefault] = JSON.parse(key) as [string, string];
      const value = option.value.type === 'choice' ? option.value.choices.join(' \\| ') : (rangeText(option.value) ?? '');
      const what = [help, option.env && `env ${option.env}`, option.manifestKey && `manifest \`${option.manifestKey}\``].filter(Boolean).join('; ');
      rows.push(`| \`${cell(option.flags)}\` | ${commands.map(commandLabel).join(', ')} | ${cell(what)} | ${value} | ${cell(byDefault)} |`);
    }
  }
  return [
    '| option | commands | what it does | value | default |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
    '| environment | read by build, batch and worker |',
    '| --- | --- |',
    ...ENVIRONMENT.map((variable) => `| \`${variable.name}\` | ${cell(variable.help)} |`),
  ].join('\n');
}

/** The README with its option section replaced by `optionsMarkdown()`. */
export function withOptionsSection(readme: string): string {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start) throw new Error(`README.md has no "${README_START}" … "${README_END}" section`);
  return `${readme.slice(0, start + README_START.length)}\n${optionsMarkdown()}\n${readme.slice(end)}`;
}

/** The section as it stands in the README. */
export function optionsSectionOf(readme: string): string {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  return start < 0 || end < start ? '' : readme.slice(start + README_START.length + 1, end - 1);
}
