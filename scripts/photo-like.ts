/**
 * Deterministic photo-like images (sky, sun, hills, grain) for the demo, tests and bench.
 * Real JPEG statistics matter for timing and file sizes, flat colour would not do.
 */
import { createCanvas, type Canvas } from '@napi-rs/canvas';
import sharp from 'sharp';
import { mulberry32 } from '../src/layout/random.js';

export { mulberry32 };

export function paintPhotoLike(seed: number, width: number, height: number): Canvas {
  const random = mulberry32(seed * 7919 + 17);
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  const hue = Math.floor(random() * 360);
  const sky = ctx.createLinearGradient(0, 0, 0, height);
  sky.addColorStop(0, `hsl(${hue}, 60%, ${35 + random() * 20}%)`);
  sky.addColorStop(1, `hsl(${(hue + 40) % 360}, 70%, ${70 + random() * 15}%)`);
  ctx.fillStyle = sky;
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = `hsl(${(hue + 180) % 360}, 90%, 75%)`;
  ctx.beginPath();
  ctx.arc(width * (0.2 + random() * 0.6), height * (0.15 + random() * 0.3), Math.min(width, height) * (0.05 + random() * 0.08), 0, Math.PI * 2);
  ctx.fill();
  for (let layer = 0; layer < 3; layer++) {
    ctx.fillStyle = `hsl(${(hue + 90 + layer * 25) % 360}, ${35 + layer * 10}%, ${45 - layer * 12}%)`;
    ctx.beginPath();
    const base = height * (0.55 + layer * 0.13);
    ctx.moveTo(0, height);
    ctx.lineTo(0, base);
    const steps = 6;
    for (let s = 1; s <= steps; s++) {
      const x = (s / steps) * width;
      ctx.quadraticCurveTo(x - width / steps / 2, base - random() * height * 0.25, x, base - random() * height * 0.08);
    }
    ctx.lineTo(width, height);
    ctx.fill();
  }
  // Grain, so the JPEG has the entropy of a photograph.
  const image = ctx.getImageData(0, 0, width, height);
  const noise = mulberry32(seed);
  for (let i = 0; i < image.data.length; i += 4) {
    const n = (noise() - 0.5) * 24;
    image.data[i] = clamp(image.data[i]! + n);
    image.data[i + 1] = clamp(image.data[i + 1]! + n);
    image.data[i + 2] = clamp(image.data[i + 2]! + n);
  }
  ctx.putImageData(image, 0, 0);
  return canvas;
}

function clamp(value: number): number {
  return Math.max(0, Math.min(value, 255));
}

/** A photo-like JPEG (libjpeg-turbo via sharp, 4:2:0 like a camera). */
export async function photoLikeJpeg(seed: number, width: number, height: number, quality = 85): Promise<Buffer> {
  const canvas = paintPhotoLike(seed, width, height);
  const data = canvas.getContext('2d').getImageData(0, 0, width, height).data;
  return sharp(Buffer.from(data.buffer, data.byteOffset, data.byteLength), { raw: { width, height, channels: 4 } })
    .removeAlpha()
    .jpeg({ quality, chromaSubsampling: '4:2:0' })
    .toBuffer();
}
