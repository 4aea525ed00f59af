/**
 * The option table (src/cli/options.ts) against what users read: every command's --help, the
 * README's option section and the manifest schema's defaults; one default changed in the built
 * table changes help, schema and README check together. And the options it adds, run for real.
 */
import { cp, readFile, symlink, writeFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { COMMANDS, helpText, OPTIONS, optionsOf, type CommandName, type OptionSpec } from '../src/cli/options.js';
import { optionsMarkdown, optionsSectionOf } from '../src/cli/options-doc.js';
import { MANIFEST_DEFAULTS } from '../src/manifest/defaults.js';
import { ROOT, runCli } from './support/cli.js';
import { useTempDirs } from './support/files.js';
import { readPixels, solidImage } from './support/images.js';

const run = promisify(execFile);
const squash = (text: string) => text.replace(/\s+/g, ' ');
const HELP_ARGS: Record<CommandName, string[]> = {
  build: ['build'],
  plan: ['plan'],
  proof: ['proof'],
  validate: ['validate'],
  batch: ['batch'],
  enqueue: ['enqueue'],
  worker: ['worker'],
  fonts: ['fonts'],
  cache: ['cache', 'ls'],
  'queue-status': ['queue', 'status'],
};

/** Every node of a JSON Schema at a manifest path (`layout.maxCrop` is in each layout variant that has it). */
function schemaNodes(schema: Record<string, unknown>, keyPath: string): Record<string, unknown>[] {
  let nodes = [schema];
  for (const key of keyPath.split('.')) {
    const next: Record<string, unknown>[] = [];
    const visit = (node: Record<string, unknown>) => {
      for (const branch of [...((node.anyOf as []) ?? []), ...((node.oneOf as []) ?? [])]) visit(branch);
      const child = (node.properties as Record<string, Record<string, unknown>> | undefined)?.[key];
      if (child) next.push(child);
    };
    nodes.forEach(visit);
    nodes = next;
  }
  return nodes;
}

describe('the option table', () => {
  const tempDir = useTempDirs();

  it("is what every command's --help says, deprecated options left out", async () => {
    const helps = await Promise.all(COMMANDS.map((command) => runCli([...HELP_ARGS[command], '--help'])));
    COMMANDS.forEach((command, i) => {
      const help = squash(helps[i]!.stdout);
      expect(helps[i]!.code).toBe(0);
      for (const option of optionsOf(command)) {
        if (option.deprecated) expect(help, `${command} ${option.flags}`).not.toContain(option.flags);
        else expect(help, `${command} ${option.flags}`).toContain(squash(`${option.flags} ${helpText(option, command)}`));
      }
    });
  });

  it("is what the README's option section says (regenerate: npm run readme:options)", async () => {
    const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
    expect(optionsSectionOf(readme)).toBe(optionsMarkdown());
    // Each non-deprecated option has a row naming it.
    for (const option of OPTIONS as readonly OptionSpec[]) if (!option.deprecated) expect(optionsSectionOf(readme)).toContain(option.flags.replaceAll('|', '\\|'));
  });

  it('gives the defaults the manifest schema has (collage schema\'s "default")', async () => {
    const schema = JSON.parse((await runCli(['schema'])).stdout);
    const checked: string[] = [];
    for (const option of OPTIONS as readonly OptionSpec[]) {
      if (!option.manifestKey || option.default === undefined) continue;
      const nodes = schemaNodes(schema, option.manifestKey);
      expect(nodes.length, option.manifestKey).toBeGreaterThan(0);
      for (const node of nodes) expect(node.default, option.manifestKey).toEqual(option.default);
      checked.push(option.manifestKey);
    }
    expect(checked).toEqual(
      expect.arrayContaining(['quality', 'size.dpi', 'layout.maxCrop', 'layout.fit', 'bleed.mode', 'order', 'seed', 'focus', 'onError', 'background', 'margin', 'gap']),
    );
  });

  it('one default changed in the built table changes help, schema and the README check together', async () => {
    // A copy of the built package whose manifest defaults say quality 77 instead of 92.
    const dir = await tempDir();
    await cp(path.join(ROOT, 'dist'), path.join(dir, 'dist'), { recursive: true });
    await cp(path.join(ROOT, 'package.json'), path.join(dir, 'package.json'));
    await symlink(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
    const defaults = path.join(dir, 'dist', 'manifest', 'defaults.js');
    const source = await readFile(defaults, 'utf8');
    expect(MANIFEST_DEFAULTS.quality).toBe(92);
    expect(source).toContain('quality: 92,');
    await writeFile(defaults, source.replace('quality: 92,', 'quality: 77,'));

    const cli = path.join(dir, 'dist', 'cli', 'bin.cjs');
    const schema = JSON.parse((await run(process.execPath, [cli, 'schema'])).stdout);
    expect(schema.properties.quality.default).toBe(77);
    const help = squash((await run(process.execPath, [cli, 'build', '--help'])).stdout);
    expect(help).toContain('--quality <1-100> JPEG and WebP quality; PNG, TIFF and PDF are lossless (whole number 1–100; default 77)');
    const doc = (await import(pathToFileURL(path.join(dir, 'dist', 'cli', 'options-doc.js')).href)) as typeof import('../src/cli/options-doc.js');
    const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
    expect(doc.optionsMarkdown()).toContain('| whole number 1–100 | 77 |');
    expect(doc.optionsMarkdown()).not.toBe(optionsSectionOf(readme));
  });
});

describe('command-line errors', () => {
  const tempDir = useTempDirs();

  it("commander's own errors are one collage: line, exit 2", async () => {
    const unknown = await runCli(['build', 'm.json', '--bleedz', '1in']);
    expect(unknown).toMatchObject({ code: 2, stdout: '', stderr: "collage: unknown option '--bleedz' (Did you mean --bleed?) (see --help)\n" });
    const missing = await runCli(['build']);
    expect(missing).toMatchObject({ code: 2, stderr: "collage: missing required argument 'manifest' (see --help)\n" });
    const bad = await runCli(['build', 'm.json', '--bleed-mode', 'wrap']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe("collage: option '--bleed-mode <mode>' argument 'wrap' is invalid. Allowed choices are extend, mirror, color. (see --help)\n");
    const focus = await runCli(['plan', 'm.json', '--focus', '1.5,0']);
    expect(focus.code).toBe(2);
    expect(focus.stderr).toBe("collage: option '--focus <x,y|auto>' argument '1.5,0' is invalid. --focus must be auto or x,y with both from 0 to 1, e.g. 0.5,0.3 (see --help)\n");
  });

  it('a layout option the layout does not take, and --bleed-mode without a bleed, name the option', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'list.txt'), 'a.jpg\nb.jpg\n');
    const rowHeight = await runCli(['validate', 'list.txt', '--size', '4x2in', '--row-height', '1in'], { cwd: dir });
    expect(rowHeight).toMatchObject({ code: 2, stderr: 'collage: list.txt: --row-height: the grid layout has no rowHeight; justified has (--layout)\n' });
    const mode = await runCli(['validate', 'list.txt', '--size', '4x2in', '--bleed-mode', 'mirror'], { cwd: dir });
    expect(mode).toMatchObject({ code: 2, stderr: 'collage: list.txt: --bleed-mode: needs a bleed: give --bleed, e.g. --bleed 1.5in, or set "bleed" in the manifest\n' });
    // --layout drops the manifest's keys the new type does not take.
    await writeFile(path.join(dir, 'm.json'), JSON.stringify({ size: { width: '4in', height: '2in' }, layout: { type: 'justified', rowHeight: '1in' }, images: ['a.jpg'] }));
    expect((await runCli(['validate', 'm.json', '--layout', 'grid', '--columns', '2', '-q'], { cwd: dir })).code).toBe(0);
  });
});

describe('manifest keys as options', () => {
  const tempDir = useTempDirs();

  async function twoSquares(): Promise<string> {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'red.png'), await solidImage([230, 20, 20], 40, 40, 'png'));
    await writeFile(path.join(dir, 'blue.png'), await solidImage([20, 20, 230], 40, 40, 'png'));
    await writeFile(path.join(dir, 'photos.txt'), 'red.png\nblue.png\n');
    return dir;
  }

  it('a photos.txt job gets a mirror (wrap) bleed and crop marks from the command line', async () => {
    const dir = await twoSquares();
    const result = await runCli(['build', 'photos.txt', '--size', '2x1in', '--dpi', '50', '--bleed', '0.2in', '--bleed-mode', 'mirror', '-o', 'wrap.png', '-q'], { cwd: dir });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const pixels = await readPixels(path.join(dir, 'wrap.png'));
    expect([pixels.width, pixels.height]).toEqual([120, 70]); // 100×50 trim + 10 px a side
    // The bleed mirrors the edge photos outward: red beyond the left edge, blue beyond the right.
    expect(pixels.at(2, 35)).toEqual([230, 20, 20]);
    expect(pixels.at(117, 35)).toEqual([20, 20, 230]);
    expect(pixels.at(35, 2)).toEqual([230, 20, 20]);
  });

  it('plan takes --order, --seed, --focus, --max-crop, --cell-aspect, --crop-marks', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'list.txt'), ['a.jpg', 'b.jpg', 'c.jpg', 'd.jpg', 'e.jpg', 'f.jpg'].join('\n'));
    const args = ['plan', 'list.txt', '--size', '4x2in', '--dpi', '100', '--focus', '0.2,0.8', '--max-crop', '12%', '--bleed', '0.1in', '--crop-marks'];
    const listed = JSON.parse((await runCli([...args, '--cell-aspect', '1:2'], { cwd: dir })).stdout);
    expect(listed.placements.map((p: { index: number }) => p.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(listed.placements[0].focus).toEqual([0.2, 0.8]);
    expect(listed.layout.maxCrop).toBe(12);
    expect(listed.bleed).toEqual({ size: 10, mode: 'extend', cropMarks: true });
    // Tall cells: one row of six (square cells make it 3 × 2, below).
    expect([listed.layout.columns, listed.layout.rows]).toEqual([6, 1]);
    const seven = JSON.parse((await runCli([...args, '--order', 'shuffle', '--seed', '7'], { cwd: dir })).stdout);
    const again = JSON.parse((await runCli([...args, '--order', 'shuffle', '--seed', '7'], { cwd: dir })).stdout);
    const other = JSON.parse((await runCli([...args, '--order', 'shuffle', '--seed', '8'], { cwd: dir })).stdout);
    const order = (plan: { placements: { index: number }[] }) => plan.placements.map((p) => p.index);
    expect(order(seven)).toEqual(order(again));
    expect(order(seven)).not.toEqual([0, 1, 2, 3, 4, 5]);
    expect(order(other)).not.toEqual(order(seven));
    expect([seven.layout.columns, seven.layout.rows]).toEqual([3, 2]);
  });

  it('plan for a mosaic has no columns or rows', async () => {
    const dir = await twoSquares();
    const result = await runCli(['plan', 'photos.txt', '--size', '2x1in', '--dpi', '50', '--layout', 'mosaic'], { cwd: dir });
    expect(result.code).toBe(0);
    const layout = JSON.parse(result.stdout).layout;
    expect(layout.type).toBe('mosaic');
    expect(layout).not.toHaveProperty('columns');
    expect(layout).not.toHaveProperty('rows');
  });
});

describe('warnings', () => {
  const tempDir = useTempDirs();

  it('a unitless size with both sides under 300 px is said once to be pixels, on stderr and in --json', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'red.png'), await solidImage([230, 20, 20], 40, 40, 'png'));
    await writeFile(path.join(dir, 'photos.txt'), 'red.png\n');
    const line = 'collage: warning: size 36x24 has no unit: read as 36×24 px; write 36x24in for inches';
    const built = await runCli(['build', 'photos.txt', '--size', '36x24', '-o', 'out.png'], { cwd: dir });
    expect(built.code).toBe(0);
    expect(built.stderr.split('\n').filter((l) => l.includes('warning'))).toEqual([line]);
    expect((await readPixels(path.join(dir, 'out.png'))).width).toBe(36);
    const json = await runCli(['build', 'photos.txt', '--size', '36x24', '-o', 'out.png', '--json'], { cwd: dir });
    expect(JSON.parse(json.stdout).warnings).toEqual([{ kind: 'unitless-size', message: line.replace('collage: warning: ', '') }]);
    // In a manifest too; not with a unit, nor with a side of 300 px or more (a 900×200 px banner).
    await writeFile(path.join(dir, 'm.json'), JSON.stringify({ size: { width: 36, height: 24 }, images: ['red.png'] }));
    expect((await runCli(['validate', 'm.json'], { cwd: dir })).stderr).toBe(`${line}\n`);
    expect((await runCli(['validate', 'photos.txt', '--size', '36x24in', '--dpi', '10', '-o', 'x.png'], { cwd: dir })).stderr).toBe('');
    expect((await runCli(['validate', 'photos.txt', '--size', '900x200', '-o', 'x.png'], { cwd: dir })).stderr).toBe('');
  });

  it('a mirror bleed with a margin says once that the margin shows across the fold', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'list.txt'), 'a.jpg\n');
    const result = await runCli(['validate', 'list.txt', '--size', '2x1in', '--dpi', '50', '--bleed', '0.2in', '--bleed-mode', 'mirror', '--margin', '0.1in'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      'collage: warning: bleed mode mirror with a 5 px margin: the margin and its mirror image make a 10 px background stripe across each fold of the wrap; set margin 0 for a gallery wrap\n',
    );
    const extend = await runCli(['validate', 'list.txt', '--size', '2x1in', '--dpi', '50', '--bleed', '0.2in', '--margin', '0.1in'], { cwd: dir });
    expect(extend.stderr).toBe('');
  });
});

describe('--verbose and worker --jobs', () => {
  const tempDir = useTempDirs();

  it('--verbose prints timings in ms, the per-photo stages labelled as sums', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'red.png'), await solidImage([230, 20, 20], 40, 40, 'png'));
    await writeFile(path.join(dir, 'photos.txt'), 'red.png\n');
    const result = await runCli(['build', 'photos.txt', '--size', '1x1in', '--dpi', '50', '-o', 'out.png', '--verbose'], { cwd: dir });
    expect(result.code).toBe(0);
    const lines = result.stderr.trim().split('\n');
    expect(lines.at(-2)).toMatch(/^collage: timings \(ms\): manifest [\d,]+, images [\d,]+ \(CPU [\d,]+\), encode [\d,]+, write [\d,]+, total [\d,]+$/);
    expect(lines.at(-1)).toMatch(/^collage: summed across photos \(ms\): fetch [\d,]+, decode [\d,]+, draw [\d,]+$/);
  });

  it('worker takes --jobs; --concurrency still works, hidden, with a warning', async () => {
    const help = await runCli(['worker', '--help']);
    expect(help.stdout).toMatch(/^ {2}-j, --jobs <n> +jobs rendered at once by this worker/m);
    expect(help.stdout).not.toContain('--concurrency');
    const old = await runCli(['worker', '--concurrency', '2'], { env: { COLLAGE_REDIS: '' } });
    expect(old).toMatchObject({
      code: 2,
      stderr: 'collage: warning: worker --concurrency is deprecated; use --jobs (jobs rendered at once)\ncollage: --redis <url> is required (or set COLLAGE_REDIS)\n',
    });
  });
});
