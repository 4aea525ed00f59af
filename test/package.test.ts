/**
 * The published package works as users get it: `npm pack`, install the tarball in an empty
 * folder, `npx collage build` the demo, and `npx collage batch` under `env -i` with no TTY.
 * Dependencies come from the npm registry (or its cache).
 */
import { execFile } from 'node:child_process';
import { cp, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support/cli.js';
import { useTempDirs } from './support/files.js';
import { readJfifDensity } from './support/metadata.js';

const run = promisify(execFile);

describe('npm pack → install → npx collage', () => {
  const tempDir = useTempDirs();

  it('installs from the tarball, builds the demo, and batches it under env -i without a TTY', async () => {
    const packDir = await tempDir();
    const { stdout } = await run('npm', ['pack', '--pack-destination', packDir, '--ignore-scripts', '--json'], { cwd: ROOT });
    const [{ filename, files }] = JSON.parse(stdout) as [{ filename: string; files: { path: string }[] }];
    expect(files.every((f) => ['package.json', 'README.md', 'LICENSE'].includes(f.path) || f.path.startsWith('dist/'))).toBe(true);
    expect(files.some((f) => f.path === 'dist/cli/index.js')).toBe(true);
    expect(files.some((f) => f.path === 'LICENSE')).toBe(true);

    const app = await tempDir();
    await run('npm', ['init', '-y'], { cwd: app });
    await run('npm', ['install', '--no-audit', '--no-fund', path.join(packDir, path.basename(filename))], { cwd: app });
    await cp(path.join(ROOT, 'examples', 'photo-a-day'), path.join(app, 'demo'), { recursive: true });
    await run('npx', ['collage', 'build', 'demo/manifest.json', '-o', 'out.jpg', '--dpi', '60', '--quiet'], { cwd: app });
    expect(await readdir(app)).toContain('out.jpg');
    expect(readJfifDensity(await readFile(path.join(app, 'out.jpg')))).toEqual({ units: 1, x: 60, y: 60 });
    // The bundled caption fonts resolve from the installed package's dependencies.
    const fonts = JSON.parse((await run('npx', ['collage', 'fonts', '--json'], { cwd: app })).stdout) as { chain: { family: string }[] };
    expect(fonts.chain.map((entry) => entry.family)).toEqual(['Inter', 'Noto Sans Arabic', 'Noto Sans Hebrew', 'Noto Sans Devanagari', 'Noto Sans Thai', 'Noto Color Emoji']);

    // Unattended: an empty environment (only PATH and HOME), no TTY (pipes), no prompt.
    const home = await tempDir();
    const batch = () => run('env', ['-i', `PATH=${process.env.PATH}`, `HOME=${home}`, 'npx', 'collage', 'batch', 'demo', '--dpi', '20'], { cwd: app });
    const first = await batch();
    expect(first.stdout).toMatch(/^1 job: 1 built, 0 skipped, 0 failed, 0 invalid in /m);
    expect(first.stdout + first.stderr).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    expect(readJfifDensity(await readFile(path.join(app, 'demo', 'poster.jpg')))).toEqual({ units: 1, x: 20, y: 20 });
    const second = await batch();
    expect(second.stdout).toMatch(/^1 job: 0 built, 1 skipped, 0 failed, 0 invalid in /m);
  });
});
