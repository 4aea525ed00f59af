/** placePhoto(): a photo's place in its cell, as numbers (no images, no canvas). */
import { describe, expect, it } from 'vitest';
import { placePhoto } from '../src/render/place.js';

const cell = { x: 100, y: 50, width: 200, height: 100 };

describe('placePhoto', () => {
  it('cover: scales to cover the cell, cuts around the focus, reports the share hidden', () => {
    const placed = placePhoto({ width: 400, height: 400 }, { fit: 'cover', focus: [0.5, 0] }, cell, null, 0, null);
    expect(placed.target).toEqual(cell);
    expect(placed.sampling).toEqual({ scaledWidth: 200, scaledHeight: 200, region: { left: 0, top: 0, width: 200, height: 100 }, offset: { x: 0, y: 0 } });
    expect([placed.x, placed.y, placed.pad]).toEqual([100, 50, undefined]);
    expect(placed.crop).toBeCloseTo(0.5);
  });

  it('contain: letterboxed and centred in the box above the caption strip, nothing hidden', () => {
    const placed = placePhoto({ width: 400, height: 400 }, { fit: 'contain', focus: [0.5, 0.5] }, cell, null, 20, null);
    expect(placed.target).toEqual({ ...cell, height: 80 });
    expect(placed.sampling.region).toEqual({ left: 0, top: 0, width: 80, height: 80 });
    expect([placed.x, placed.y, placed.crop]).toEqual([100 + 60, 50, 0]);
  });

  it('bleed extend: a photo on the trim edge grows into the bleed; one with a look keeps its shape', () => {
    const trim = { x: 100, y: 50, width: 400, height: 400 };
    const extend = { trim, size: 10 };
    // The cell's top-left corner is on the trim's: a 4:1 photo cover-cropped to 2:1 has 100 px
    // cut off each side, so the left bleed takes 10 real pixels; the top has none and mirrors 10.
    const edge = placePhoto({ width: 400, height: 100 }, { fit: 'cover', focus: [0.5, 0.5] }, cell, null, 0, extend);
    expect(edge.sampling.region).toEqual({ left: 90, top: 0, width: 210, height: 100 });
    expect(edge.pad).toEqual({ top: 10, right: 0, bottom: 0, left: 0 });
    expect([edge.x, edge.y, edge.crop]).toEqual([90, 40, 0.5]);
    const look = { photo: { x: 110, y: 60, width: 180, height: 80 } };
    const framed = placePhoto({ width: 400, height: 100 }, { fit: 'cover', focus: [0.5, 0.5] }, cell, look, 0, extend);
    expect(framed.target).toEqual(look.photo);
    expect(framed.pad).toBeUndefined();
  });
});
