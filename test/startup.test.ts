/**
 * Start-up cost: a plain build must not load what only some jobs need. Each of these cost
 * 30–150 ms of every run when loaded eagerly (measured with `import()` timings).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support/cli.js';

const LAZY = ['pdf-lib', '@napi-rs/canvas', 'cacache', 'proper-lockfile', 'tinyglobby', 'tinypool', 'bullmq', 'ioredis'];

function loadedPackages(entry: string): string[] {
  const script = `
    await import(${JSON.stringify(entry)});
    const { createRequire } = await import('node:module');
    const cache = createRequire(import.meta.url).cache;
    console.log(JSON.stringify(Object.keys(cache)));
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
  const files = JSON.parse(out) as string[];
  return LAZY.filter((name) => files.some((file) => file.includes(`${path.sep}node_modules${path.sep}${name}${path.sep}`)));
}

describe('start-up', () => {
  it('the library entry loads no PDF, canvas, cache, batch, worker-pool or queue code', () => {
    expect(loadedPackages(path.join(ROOT, 'dist', 'index.js'))).toEqual([]);
  });

  it('the build pipeline loads them only when a job needs them', () => {
    expect(loadedPackages(path.join(ROOT, 'dist', 'build.js'))).toEqual([]);
  });
});
