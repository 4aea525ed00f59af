/** Stage 5, render: draw each photo into its box on one poster-size canvas. */
import { createCanvas, type Canvas, type Image, type SKRSContext2D } from '@napi-rs/canvas';
import type { Fit, Rgba } from '../manifest/index.js';
import { containRect, coverCrop, type Box } from '../layout/index.js';

export interface Poster {
  canvas: Canvas;
  context: SKRSContext2D;
  width: number;
  height: number;
  background: Rgba;
}

export interface PhotoPlacement {
  box: Box;
  fit: Fit;
  focus: readonly [number, number];
}

/** Print output has no alpha: a translucent background is flattened onto white paper. */
export function opaque(color: Rgba): Rgba {
  const blend = (channel: number) => Math.round(channel * color.a + 255 * (1 - color.a));
  return { r: blend(color.r), g: blend(color.g), b: blend(color.b), a: 1 };
}

function fillStyle(color: Rgba): string {
  return `rgb(${color.r}, ${color.g}, ${color.b})`;
}

export function createPoster(width: number, height: number, background: Rgba): Poster {
  const canvas = createCanvas(width, height);
  const context = canvas.getContext('2d');
  const paper = opaque(background);
  context.fillStyle = fillStyle(paper);
  context.fillRect(0, 0, width, height);
  return { canvas, context, width, height, background: paper };
}

/**
 * Resample the photo into a cell-sized canvas, then copy those pixels onto the poster.
 * Drawing the full-size photo onto the poster directly would keep it alive as long as the
 * poster (Skia records draws lazily), so 1,000 photos would all stay in memory; copying
 * pixels with putImageData holds no reference.
 */
export function drawPhoto(poster: Poster, image: Image, placement: PhotoPlacement): void {
  const { box, fit, focus } = placement;
  const cell = createCanvas(box.width, box.height);
  const context = cell.getContext('2d');
  context.imageSmoothingEnabled = true;
  // 'medium' is Skia's mipmapped filter: 1-px stripes at 1/5 size come out an even grey.
  // On canvas 1.0.9 'high' is a bicubic without mipmaps and aliases them (28/227 columns).
  context.imageSmoothingQuality = 'medium';
  if (fit === 'contain') {
    context.fillStyle = fillStyle(poster.background);
    context.fillRect(0, 0, box.width, box.height);
    const target = containRect(image.width, image.height, box.width, box.height);
    context.drawImage(image, target.x, target.y, target.width, target.height);
  } else {
    const crop = coverCrop(image.width, image.height, box.width, box.height, focus);
    context.drawImage(image, crop.x, crop.y, crop.width, crop.height, 0, 0, box.width, box.height);
  }
  poster.context.putImageData(context.getImageData(0, 0, box.width, box.height), box.x, box.y);
}

/** The poster as 8-bit RGBA rows (alpha is always 255). */
export function posterPixels(poster: Poster): Buffer {
  const data = poster.context.getImageData(0, 0, poster.width, poster.height).data;
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}
