/**
 * The banded poster and its encoders: bands are final exactly when every cell reaching into them
 * is drawn; a band's memory is reused once encoded; JPEG and PNG joined from bands decode to the
 * very pixels they were given (JPEG: the same pixels as libvips encoding the image at once).
 */
import zlib from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { encodeJpegBand, joinJpegBands, jpegBandRows } from '../src/output/jpeg.js';
import { encodePngBand, joinPngBands } from '../src/output/png.js';
import { encodeImage } from '../src/output/stream.js';
import { srgbProfile } from '../src/output/encode.js';
import { BandTracker } from '../src/render/bands.js';
import { createPoster, drawBitmap, fillBox, type Poster } from '../src/render/index.js';
import { drawCropMarks, mirrorColumns, mirrorRows, type BleedSpec } from '../src/render/bleed.js';
import { BleedBands, mirrorSources } from '../src/render/bleed-bands.js';
import { bandsOfCells } from '../src/band-reuse.js';
import { jpegSegments, pngChunks } from './support/metadata.js';

/** Deterministic photo-like noise: gradients plus a hash, so every block differs. */
function noisyPixels(width: number, height: number): Buffer {
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const h = Math.imul(x * 374761393 + y * 668265263, 1274126177) >>> 24;
      pixels[i] = (x * 255) / width + (h & 31);
      pixels[i + 1] = (y * 255) / height + ((h >> 2) & 31);
      pixels[i + 2] = ((x + y) & 255) ^ (h & 63);
    }
  }
  return pixels;
}

describe('BandTracker', () => {
  it('finishes a band when the last cell reaching into it is done, and empty bands at start', () => {
    const final: number[] = [];
    // Rows 0..99 in bands of 10: cell 0 spans rows 5..24 (bands 0-2), cell 1 rows 20..29 (band 2).
    const tracker = new BandTracker(
      100,
      10,
      [
        { y: 5, height: 20 },
        { y: 20, height: 10 },
      ],
      (band) => final.push(band),
    );
    tracker.start();
    expect(final).toEqual([3, 4, 5, 6, 7, 8, 9]);
    tracker.done(1);
    expect(final).toHaveLength(7);
    tracker.done(0);
    expect(final.slice(7)).toEqual([0, 1, 2]);
    tracker.finishAll();
    expect(final).toHaveLength(10);
  });
});

/** The bleed as the whole-poster pass did it: every row's columns mirrored, then the rows, then the marks. */
function wholePosterBleed(poster: Poster, bleed: BleedSpec, marks: boolean, dpi: number): void {
  if (bleed.mode === 'mirror') {
    mirrorColumns(poster, bleed.size, 0, poster.height);
    mirrorRows(poster, bleed.size, 0, poster.height);
  }
  if (marks) drawCropMarks(poster, bleed.size, dpi);
}

describe('BleedBands', () => {
  // 61×53 px with 9 px of bleed: bands of 4 rows split the top and bottom bleed, their source
  // rows and the trim lines (marks straddle them) in every way.
  const [width, height, bleedSize, dpi] = [61, 53, 9, 300];
  const background = { r: 1, g: 2, b: 3, a: 1 };

  function drawn(poster: Poster): void {
    drawBitmap(poster, { data: noisyPixels(width - 2 * bleedSize, height - 2 * bleedSize), width: width - 2 * bleedSize, height: height - 2 * bleedSize }, bleedSize, bleedSize);
  }

  for (const mode of ['mirror', 'extend', 'color'] as const) {
    for (const bandRows of [3, 4, 5, 9, 16, 53]) {
      it(`${mode}, bands of ${bandRows} rows, in any order: the same pixels as finishing the whole poster, each band final once`, () => {
        const bleed = { size: bleedSize, mode };
        const reference = createPoster(width, height, background);
        drawn(reference);
        wholePosterBleed(reference, bleed, true, dpi);

        const poster = createPoster(width, height, background, { bandRows });
        drawn(poster);
        const out = Buffer.alloc(width * height * 3);
        const finals: number[] = [];
        const bands = new BleedBands(poster, bleed, true, dpi, (band) => {
          finals.push(band);
          poster.band(band).copy(out, band * bandRows * width * 3);
          // Released as the encoder does: a later write to it would throw.
          poster.release(band);
        });
        // Bands reported drawn middle-out, then the edges: sources before and after their readers.
        const order = Array.from({ length: poster.bands }, (_, i) => i).sort((a, b) => Math.abs(a - poster.bands / 2) - Math.abs(b - poster.bands / 2) || a - b);
        for (const band of order) bands.done(band);
        expect([...finals].sort((a, b) => a - b)).toEqual(Array.from({ length: poster.bands }, (_, i) => i));
        expect(out.equals(reference.pixels())).toBe(true);
      });
    }
  }

  it('mirror: a band of the top bleed waits for the trim rows it mirrors, and they wait for it', () => {
    const poster = createPoster(width, height, background, { bandRows: 4 });
    const finals: number[] = [];
    const bands = new BleedBands(poster, { size: bleedSize, mode: 'mirror' }, false, dpi, (band) => finals.push(band));
    // Band 0 (rows 0-3) mirrors rows 14-17 (bands 3 and 4).
    bands.done(0);
    bands.done(3);
    expect(finals).toEqual([]);
    bands.done(4);
    expect(finals).toContain(0);
    expect(finals).not.toContain(3); // band 1 (rows 4-7, mirroring 10-13: bands 2 and 3) has not copied from it yet
  });
});

describe('bandsOfCells (band reuse by recipe)', () => {
  // 100 rows in bands of 10: trim rows 20..79 inside a 20-row bleed.
  const geometry = { width: 50, height: 100, bandRows: 10, bands: 10 };
  const spans = [
    { y: 22, height: 10 }, // top trim rows: bands 2, 3
    { y: 45, height: 5 }, // the middle: band 4
    { y: 70, height: 10 }, // bottom trim rows: bands 7
  ];

  it('without a mirror bleed: the bands a cell reaches', () => {
    const none = mirrorSources(geometry, { size: 20, mode: 'extend' });
    expect(bandsOfCells(spans, geometry, none)).toEqual([[2, 3], [4], [7]]);
  });

  it('with a mirror bleed: also the bleed bands copying its rows', () => {
    const sources = mirrorSources(geometry, { size: 20, mode: 'mirror' });
    // Bleed rows 0..19 mirror trim rows 20..39 (bands 2, 3); rows 80..99 mirror 60..79 (bands 6, 7).
    expect(sources[0]).toEqual([3]);
    expect(sources[1]).toEqual([2]);
    expect(sources[9]).toEqual([6]);
    expect(bandsOfCells(spans, geometry, sources)).toEqual([[0, 1, 2, 3], [4], [7, 8]]);
  });
});

describe('banded poster', () => {
  it('paints the background outside covered boxes only, and reuses a released band for the next', () => {
    const box = { x: 2, y: 1, width: 3, height: 2 };
    const poster = createPoster(8, 6, { r: 10, g: 20, b: 30, a: 1 }, { bandRows: 3, covered: [box] });
    const band0 = poster.band(0);
    const at = (x: number, y: number) => [...poster.rowData(y).subarray(poster.rowOffset(y) + x * 3, poster.rowOffset(y) + x * 3 + 3)];
    expect(at(0, 0)).toEqual([10, 20, 30]);
    expect(at(1, 1)).toEqual([10, 20, 30]);
    expect(at(5, 2)).toEqual([10, 20, 30]);
    // The covered box is left for its photo; drawing it makes the band whole.
    drawBitmap(poster, { data: Buffer.alloc(3 * 2 * 3, 200), width: 3, height: 2 }, 2, 1);
    expect(at(2, 1)).toEqual([200, 200, 200]);
    expect(at(4, 2)).toEqual([200, 200, 200]);
    poster.release(0);
    expect(() => poster.band(0)).toThrow(/written after it was encoded/);
    const band1 = poster.band(1);
    expect(band1.buffer).toBe(band0.buffer);
    expect(at(3, 4)).toEqual([10, 20, 30]);
  });

  it('reads and writes across band boundaries', () => {
    const poster = createPoster(4, 7, { r: 0, g: 0, b: 0, a: 1 }, { bandRows: 2 });
    fillBox(poster, { x: 1, y: 1, width: 2, height: 5 }, { r: 9, g: 8, b: 7, a: 1 });
    const all = poster.pixels();
    for (let y = 0; y < 7; y++) {
      const inside = y >= 1 && y <= 5;
      expect([...all.subarray((y * 4 + 1) * 3, (y * 4 + 1) * 3 + 3)]).toEqual(inside ? [9, 8, 7] : [0, 0, 0]);
      expect([...all.subarray(y * 4 * 3, y * 4 * 3 + 3)]).toEqual([0, 0, 0]);
    }
  });
});

describe('JPEG from bands', () => {
  it('decodes to exactly the pixels of libvips encoding the whole image, with restart markers between bands', async () => {
    const [width, height] = [1003, 517];
    const pixels = noisyPixels(width, height);
    const rows = jpegBandRows(width);
    expect(rows % 8).toBe(0);
    const bands = await Promise.all(
      Array.from({ length: Math.ceil(height / rows) }, (_, i) => {
        const y0 = i * rows;
        const y1 = Math.min(height, y0 + rows);
        return encodeJpegBand(pixels.subarray(y0 * width * 3, y1 * width * 3), width, y1 - y0, { quality: 92 });
      }),
    );
    const joined = joinJpegBands(bands, width, height, rows, 300, await srgbProfile());
    const whole = await sharp(pixels, { raw: { width, height, channels: 3 } })
      .jpeg({ quality: 92, chromaSubsampling: '4:4:4', optimiseCoding: false })
      .toBuffer();
    const [a, b] = await Promise.all([sharp(joined).raw().toBuffer(), sharp(whole).raw().toBuffer()]);
    expect(a.equals(b)).toBe(true);
    const segments = jpegSegments(joined);
    const dri = segments.find((s) => s.marker === 0xdd)!;
    expect(dri.data.readUInt16BE(0)).toBe(Math.ceil(width / 8) * (rows / 8));
    const markers = [...joined.subarray(joined.indexOf(Buffer.from([0xff, 0xda])))].filter((byte, i, all) => byte === 0xff && all[i + 1]! >= 0xd0 && all[i + 1]! <= 0xd7);
    expect(markers).toHaveLength(bands.length - 1);
  });

  it('keeps rows within the restart interval limit on the widest JPEG', () => {
    for (const width of [1, 800, 10_800, 18_000, 65_500]) {
      const rows = jpegBandRows(width);
      expect(Math.ceil(width / 8) * (rows / 8)).toBeLessThanOrEqual(65_535);
      expect(rows).toBeGreaterThanOrEqual(8);
    }
  });
});

describe('PNG from bands', () => {
  it('is one valid zlib stream (Adler-32 combined from the bands) of Up/Sub-filtered rows that decode to the input', async () => {
    const [width, height] = [301, 97];
    const pixels = noisyPixels(width, height);
    const rows = 10;
    const bands = Array.from({ length: Math.ceil(height / rows) }, (_, i) => {
      const y0 = i * rows;
      const y1 = Math.min(height, y0 + rows);
      return encodePngBand(pixels.subarray(y0 * width * 3, y1 * width * 3), width, y1 - y0, y1 === height);
    });
    const png = joinPngBands(bands, width, height, 300, await srgbProfile());
    const chunks = pngChunks(png);
    expect(chunks.filter((c) => c.type === 'IDAT')).toHaveLength(bands.length);
    // inflateSync checks the Adler-32 trailer.
    const filtered = zlib.inflateSync(Buffer.concat(chunks.filter((c) => c.type === 'IDAT').map((c) => c.data)));
    expect(filtered.length).toBe(height * (width * 3 + 1));
    const types = Array.from({ length: height }, (_, y) => filtered[y * (width * 3 + 1)]);
    expect(types).toEqual(Array.from({ length: height }, (_, y) => (y % rows === 0 ? 1 : 2)));
    const decoded = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect(decoded.info).toMatchObject({ width, height, channels: 3 });
    expect(decoded.data.equals(pixels)).toBe(true);
  });

  it('the whole-image path is deterministic and decodes at the exact size, for JPEG and PNG', async () => {
    const [width, height] = [640, 700];
    const pixels = noisyPixels(width, height);
    for (const format of ['jpeg', 'png'] as const) {
      const once = await encodeImage(pixels, width, height, { format, quality: 90, dpi: 150 });
      const again = await encodeImage(Buffer.from(pixels), width, height, { format, quality: 90, dpi: 150 });
      expect(once.equals(again)).toBe(true);
      const decoded = await sharp(once).raw().toBuffer({ resolveWithObject: true });
      expect([decoded.info.width, decoded.info.height]).toEqual([width, height]);
    }
  });
});
