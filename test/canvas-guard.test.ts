/**
 * Guard for the pinned @napi-rs/canvas: 1.0.10 and later draw 10-40× slower onto poster-size
 * surfaces. An upgrade must fail here. The speed itself is checked by `npm run bench` (its speed
 * checks): a timing here would fail on a busy machine and prove nothing about the version.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support/cli.js';

const PINNED = '1.0.9';
const fromRoot = createRequire(path.join(ROOT, 'package.json'));
const versionOf = (file: string) => (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;

describe('@napi-rs/canvas pin', () => {
  it(`is pinned exactly to ${PINNED} in package.json`, () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.dependencies['@napi-rs/canvas']).toBe(PINNED);
  });

  it(`is installed at ${PINNED}, with its native binary package at ${PINNED}`, () => {
    // The package the code loads, resolved as `import '@napi-rs/canvas'` resolves it.
    const canvasJson = fromRoot.resolve('@napi-rs/canvas/package.json');
    expect(versionOf(canvasJson)).toBe(PINNED);
    // The drawing is done by the platform package beside it (e.g. @napi-rs/canvas-linux-x64-gnu).
    const fromCanvas = createRequire(canvasJson);
    const scope = path.dirname(path.dirname(canvasJson));
    const natives = readdirSync(scope).filter((name) => name.startsWith('canvas-'));
    expect(natives.length).toBeGreaterThan(0);
    for (const name of natives) expect(versionOf(fromCanvas.resolve(`@napi-rs/${name}/package.json`)), name).toBe(PINNED);
  });
});
