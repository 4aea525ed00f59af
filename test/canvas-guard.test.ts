/**
 * Guard for the pinned @napi-rs/canvas: 1.0.10 and later draw 10-40× slower onto poster-size
 * surfaces. An upgrade must fail here.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support/cli.js';

describe('@napi-rs/canvas pin', () => {
  it('is pinned exactly to 1.0.9 in package.json and installed at that version', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.dependencies['@napi-rs/canvas']).toBe('1.0.9');
    const installed = JSON.parse(readFileSync(path.join(ROOT, 'node_modules', '@napi-rs', 'canvas', 'package.json'), 'utf8'));
    expect(installed.version).toBe('1.0.9');
  });

  it('draws, fills and puts pixels onto a 10800×7200 poster at 1.0.9 speed', async () => {
    // Measured on the 2-core dev box: 1.0.9 ≈ 100 ms for all of this, 1.1.1 ≈ 1,850 ms.
    const photo = await loadImage(await sharp({ create: { width: 4000, height: 3000, channels: 3, background: '#3a7' } }).jpeg().toBuffer());
    const poster = createCanvas(10800, 7200);
    const context = poster.getContext('2d');
    context.fillStyle = '#fff';
    context.fillRect(0, 0, 10800, 7200);
    context.getImageData(0, 0, 1, 1); // flush Skia's deferred drawing before timing
    const block = context.getImageData(0, 0, 2000, 2000);

    const started = performance.now();
    for (let i = 0; i < 3; i++) {
      context.drawImage(photo, 100 + i * 2700, 100, 2700, 2400);
      context.getImageData(0, 0, 1, 1);
    }
    context.fillRect(0, 0, 5000, 5000);
    context.putImageData(block, 10, 10); // the renderer's own way onto the poster
    context.getImageData(0, 0, 1, 1);
    expect(performance.now() - started).toBeLessThan(600);
  });
});
