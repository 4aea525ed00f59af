/** Colour management: embedded profiles are converted to sRGB by lcms (inside libvips) or skcms, not ignored. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../src/index.js';
import { adobeRgbToSrgb, deltaE, displayP3ToSrgb, type Rgb } from './support/colour.js';
import { ADOBE_RGB_ICC, sharpProfile, stripJpegIcc, tagJpeg, tagPng } from './support/icc.js';
import { readPixels } from './support/images.js';

const CELL = 40;

/** A solid JPEG whose *stored* values are `rgb` (q100, 4:4:4, untagged). */
function storedJpeg(rgb: Rgb): Promise<Buffer> {
  return sharp({ create: { width: CELL, height: CELL, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } })
    .jpeg({ quality: 100, chromaSubsampling: '4:4:4' })
    .toBuffer();
}

/** Renders the files side by side in a one-row grid and returns each cell's centre colour. */
async function render(dir: string, files: Record<string, Buffer>): Promise<Rgb[]> {
  const names = Object.keys(files);
  await Promise.all(names.map((name) => writeFile(path.join(dir, name), files[name]!)));
  const output = path.join(dir, `out-${names.length}-${names[0]}.png`);
  await build(
    { size: { width: CELL * names.length, height: CELL }, layout: { type: 'grid', columns: names.length }, images: names },
    { output, cwd: dir },
  );
  const pixels = await readPixels(output);
  return names.map((_, i) => pixels.at(i * CELL + CELL / 2, CELL / 2));
}

describe('colour management', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'collage-colour-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('converts Adobe RGB and Display P3 JPEGs to sRGB (ΔE ≤ 2), and renders the same bytes untagged differently', async () => {
    const adobeStored: Rgb = [144, 200, 60];
    const p3Stored: Rgb = [200, 100, 50];
    const adobe = await storedJpeg(adobeStored);
    const p3 = await storedJpeg(p3Stored);
    // What the file really stores after JPEG rounding, read with no profile in the way.
    const adobeActual = (await readPixels(adobe)).at(CELL / 2, CELL / 2);
    const p3Actual = (await readPixels(p3)).at(CELL / 2, CELL / 2);
    const [adobeOut, adobeUntagged, p3Out, p3Untagged] = await render(dir, {
      'adobe.jpg': tagJpeg(adobe, ADOBE_RGB_ICC),
      'adobe-untagged.jpg': stripJpegIcc(adobe),
      'p3.jpg': tagJpeg(p3, await sharpProfile('p3')),
      'p3-untagged.jpg': stripJpegIcc(p3),
    });

    const adobeExpected = adobeRgbToSrgb(adobeActual);
    const p3Expected = displayP3ToSrgb(p3Actual);
    expect(deltaE(adobeOut!, adobeExpected), `Adobe RGB ${adobeActual} → ${adobeOut}, expected ${adobeExpected}`).toBeLessThanOrEqual(2);
    expect(deltaE(p3Out!, p3Expected), `P3 ${p3Actual} → ${p3Out}, expected ${p3Expected}`).toBeLessThanOrEqual(2);
    // Untagged is taken as sRGB: the stored values as they are, far from the converted colour.
    expect(deltaE(adobeUntagged!, adobeActual)).toBeLessThanOrEqual(1);
    expect(deltaE(p3Untagged!, p3Actual)).toBeLessThanOrEqual(1);
    expect(deltaE(adobeUntagged!, adobeExpected)).toBeGreaterThan(8);
    expect(deltaE(p3Untagged!, p3Expected)).toBeGreaterThan(8);
  });

  it('converts an Adobe RGB PNG (iCCP) the same way', async () => {
    const stored: Rgb = [90, 160, 200];
    const png = await sharp({ create: { width: CELL, height: CELL, channels: 3, background: { r: stored[0], g: stored[1], b: stored[2] } } })
      .png()
      .toBuffer();
    const [out] = await render(dir, { 'adobe.png': tagPng(png, ADOBE_RGB_ICC) });
    const expected = adobeRgbToSrgb(stored);
    expect(deltaE(out!, expected), `Adobe RGB PNG ${stored} → ${out}, expected ${expected}`).toBeLessThanOrEqual(2);
  });

  it('decodes an Adobe (inverted, APP14) CMYK JPEG with its profile to within ΔE 3 of the colour it was made from', async () => {
    const original: Rgb = [180, 90, 60];
    const cmyk = await sharp({ create: { width: CELL, height: CELL, channels: 3, background: { r: original[0], g: original[1], b: original[2] } } })
      .toColourspace('cmyk')
      .withIccProfile('cmyk')
      .jpeg({ quality: 100 })
      .toBuffer();
    expect((await sharp(cmyk).metadata()).space).toBe('cmyk');
    expect(cmyk.includes(Buffer.from('Adobe'))).toBe(true); // APP14: stored inverted, as Photoshop writes
    const [out] = await render(dir, { 'cmyk.jpg': cmyk });
    expect(deltaE(out!, original), `CMYK → ${out}, made from ${original}`).toBeLessThanOrEqual(3);
  });
});
