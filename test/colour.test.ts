/** Colour management: embedded profiles are converted to sRGB by lcms (inside libvips) or skcms, not ignored. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../src/index.js';
import { adobeRgbToSrgb, deltaE, displayP3ToSrgb, proPhotoToSrgb, type Rgb } from './support/colour.js';
import { ADOBE_RGB_ICC, PROPHOTO_ICC, sharpProfile, stripJpegIcc, tagJpeg, tagPng } from './support/icc.js';
import { readPixels } from './support/images.js';
import { jpegSegments } from './support/metadata.js';

const CELL = 40;

/** A solid JPEG whose *stored* values are `rgb` (q100, 4:4:4, untagged). */
function storedJpeg(rgb: Rgb): Promise<Buffer> {
  return sharp({ create: { width: CELL, height: CELL, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } })
    .jpeg({ quality: 100, chromaSubsampling: '4:4:4' })
    .toBuffer();
}

/** Renders the files side by side in a one-row grid and returns each cell's centre colour. */
async function render(dir: string, files: Record<string, Buffer>): Promise<Rgb[]> {
  return (await renderAt(dir, files, [CELL / 2])).map(([centre]) => centre!);
}

/** Renders the files side by side in a one-row grid and returns each cell's colours at heights `ys`. */
async function renderAt(dir: string, files: Record<string, Buffer>, ys: number[]): Promise<Rgb[][]> {
  const names = Object.keys(files);
  await Promise.all(names.map((name) => writeFile(path.join(dir, name), files[name]!)));
  const output = path.join(dir, `out-${names.length}-${names[0]}.png`);
  await build({ size: { width: CELL * names.length, height: CELL }, layout: { type: 'grid', columns: names.length }, images: names }, { output, cwd: dir });
  const pixels = await readPixels(output);
  return names.map((_, i) => ys.map((y) => pixels.at(i * CELL + CELL / 2, y)));
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

  it('converts ProPhoto RGB JPEGs (wide gamut, D50, gamma 1.8) to sRGB (ΔE ≤ 2)', async () => {
    const warmStored: Rgb = [150, 110, 80];
    const greenStored: Rgb = [100, 140, 120];
    const warm = await storedJpeg(warmStored);
    const green = await storedJpeg(greenStored);
    const warmActual = (await readPixels(warm)).at(CELL / 2, CELL / 2);
    const greenActual = (await readPixels(green)).at(CELL / 2, CELL / 2);
    const [warmOut, greenOut, warmUntagged] = await render(dir, {
      'prophoto-warm.jpg': tagJpeg(warm, PROPHOTO_ICC),
      'prophoto-green.jpg': tagJpeg(green, PROPHOTO_ICC),
      'prophoto-untagged.jpg': stripJpegIcc(warm),
    });
    // Reference: published ProPhoto and Bradford matrices, independent of lcms (LittleCMS 2.14's
    // transicc -t1 with this profile agrees on the nominal values: 201,118,92 and 64,165,136).
    const warmExpected = proPhotoToSrgb(warmActual);
    const greenExpected = proPhotoToSrgb(greenActual);
    expect(deltaE(warmOut!, warmExpected), `ProPhoto ${warmActual} → ${warmOut}, expected ${warmExpected}`).toBeLessThanOrEqual(2);
    expect(deltaE(greenOut!, greenExpected), `ProPhoto ${greenActual} → ${greenOut}, expected ${greenExpected}`).toBeLessThanOrEqual(2);
    expect(deltaE(warmUntagged!, warmExpected)).toBeGreaterThan(8);
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

  it('decodes plain (no APP14) CMYK, Adobe-inverted CMYK and YCCK JPEGs, tagged or not, to within ΔE 3 of lcms', async () => {
    // Fixtures from scripts/make-cmyk-fixtures.c (libjpeg): the same two inks in each, top half
    // C10 M70 Y80 K5, bottom half C80 M30 Y10 K10, stored three ways.
    const fixture = (name: string) => readFile(path.join(import.meta.dirname, 'fixtures', name));
    const plain = await fixture('cmyk-plain.jpg');
    const adobe = await fixture('cmyk-adobe.jpg');
    const ycck = await fixture('ycck-adobe.jpg');
    const app14 = (jpeg: Buffer) => jpegSegments(jpeg).find((s) => s.marker === 0xee && s.data.toString('latin1', 0, 5) === 'Adobe');
    expect(app14(plain)).toBeUndefined(); // plain ink values, not inverted
    expect(app14(adobe)!.data[11]).toBe(0); // transform 0: CMYK, stored inverted
    expect(app14(ycck)!.data[11]).toBe(2); // transform 2: YCCK, inverted CMYK underneath
    for (const jpeg of [plain, adobe, ycck]) expect((await sharp(jpeg).metadata()).space).toBe('cmyk');

    // Untagged CMYK is taken to be in libvips' built-in CMYK profile (the one sharp embeds, Argyll's
    // public-domain "Chemical proof"); tagged, the files carry that same profile. Reference: lcms,
    // relative colorimetric, that profile → sRGB, on the exact inks (LittleCMS 2.14):
    //   printf '%s\n' 10.196 70.196 80 5.098 80 30.196 10.196 10.196 | transicc -t1 -n -i cmyk.icc -o '*sRGB'
    //   → 205.9 93.9 69.0 and 27.5 122.7 165.6
    // (jpgicc -t1 on each fixture, which honours the APP14 marker, agrees: 206,94,69 and 25,123,166.)
    const top: Rgb = [206, 94, 69];
    const bottom: Rgb = [28, 123, 166];
    const icc = await sharpProfile('cmyk');
    const files: Record<string, Buffer> = {
      'plain.jpg': plain,
      'adobe.jpg': adobe,
      'ycck.jpg': ycck,
      'plain-icc.jpg': tagJpeg(plain, icc),
      'adobe-icc.jpg': tagJpeg(adobe, icc),
      'ycck-icc.jpg': tagJpeg(ycck, icc),
    };
    const colours = await renderAt(dir, files, [CELL / 4, (3 * CELL) / 4]);
    Object.keys(files).forEach((name, i) => {
      const [gotTop, gotBottom] = colours[i]!;
      expect(deltaE(gotTop!, top), `${name} top ${gotTop}, lcms ${top}`).toBeLessThanOrEqual(3);
      expect(deltaE(gotBottom!, bottom), `${name} bottom ${gotBottom}, lcms ${bottom}`).toBeLessThanOrEqual(3);
    });
  });
});
