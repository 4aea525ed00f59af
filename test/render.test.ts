/** The RGB poster buffer: fills, copies and region round trips are exact and clipped. */
import { describe, expect, it } from 'vitest';
import { createPoster, drawBitmap, fillBox, readRegion, writeRegion, type Poster } from '../src/render/index.js';

const px = (poster: Poster, x: number, y: number) => [...poster.rowData(y).subarray(poster.rowOffset(y) + x * 3, poster.rowOffset(y) + x * 3 + 3)];

describe('poster buffer', () => {
  it('starts as the paper colour, translucent backgrounds flattened onto white', () => {
    const poster = createPoster(5, 4, { r: 0, g: 0, b: 255, a: 0.5 });
    expect(poster.pixels().length).toBe(5 * 4 * 3);
    expect(px(poster, 4, 3)).toEqual([128, 128, 255]);
  });

  it('copies a bitmap into place, clipped at the edges', () => {
    const poster = createPoster(6, 6, { r: 0, g: 0, b: 0, a: 1 });
    const data = Buffer.alloc(3 * 3 * 3, 9);
    drawBitmap(poster, { data, width: 3, height: 3 }, 4, -1);
    expect(px(poster, 4, 0)).toEqual([9, 9, 9]);
    expect(px(poster, 5, 1)).toEqual([9, 9, 9]);
    expect(px(poster, 3, 0)).toEqual([0, 0, 0]);
    expect(px(poster, 4, 2)).toEqual([0, 0, 0]);
    fillBox(poster, { x: -2, y: 5, width: 4, height: 4 }, { r: 1, g: 2, b: 3, a: 1 });
    expect(px(poster, 1, 5)).toEqual([1, 2, 3]);
    expect(px(poster, 2, 5)).toEqual([0, 0, 0]);
  });

  it('round-trips a region through RGBA for canvas drawing', () => {
    const poster = createPoster(4, 4, { r: 10, g: 20, b: 30, a: 1 });
    const box = { x: 1, y: 1, width: 2, height: 2 };
    const rgba = readRegion(poster, box);
    expect([...rgba.subarray(0, 4)]).toEqual([10, 20, 30, 255]);
    rgba.fill(77);
    writeRegion(poster, rgba, box);
    expect(px(poster, 2, 2)).toEqual([77, 77, 77]);
    expect(px(poster, 3, 3)).toEqual([10, 20, 30]);
  });
});
