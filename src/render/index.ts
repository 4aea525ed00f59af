/** Stage 5, render: each photo's pixels into its box on one poster-size canvas. */
import { createCanvas, ImageData, type Canvas, type SKRSContext2D } from '@napi-rs/canvas';
import type { Bitmap } from '../decode/index.js';
import type { Rgba } from '../manifest/index.js';

export interface Poster {
  canvas: Canvas;
  context: SKRSContext2D;
  width: number;
  height: number;
  background: Rgba;
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
 * Copies a cell's pixels onto the poster. putImageData copies, so the poster holds no
 * reference to the photo (Skia records drawImage lazily and would keep every photo alive).
 */
export function drawBitmap(poster: Poster, bitmap: Bitmap, x: number, y: number): void {
  poster.context.putImageData(new ImageData(bitmap.data, bitmap.width, bitmap.height), x, y);
}

/** The poster as 8-bit RGBA rows (alpha is always 255). */
export function posterPixels(poster: Poster): Buffer {
  const data = poster.context.getImageData(0, 0, poster.width, poster.height).data;
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}
