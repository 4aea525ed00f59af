/**
 * Looks: border, rounded corners, circle, drop shadow and caption around one photo.
 *
 * The poster never sees the photo as an image (canvas 1.0.9 keeps every image drawn onto a
 * canvas alive for the canvas's life): the poster's pixels under the cell's territory are
 * copied into a temporary canvas, the photo is drawn there from a second temporary canvas
 * with its clip, shadow, border and caption, and the result is copied back with
 * putImageData. Both temporary canvases die with the cell.
 *
 * A cell's territory is its box grown by half the gap (never into another cell), so shadows
 * of neighbours never overlap and the output does not depend on the order photos arrive in.
 */
import type { SKRSContext2D } from '@napi-rs/canvas';
import { loadSkia } from '../skia.js';
import type { Bitmap } from '../decode/index.js';
import type { Box } from '../layout/index.js';
import type { CaptionLook, Look } from '../manifest/style.js';
import { cssColor, type Rgba } from '../manifest/units.js';
import { readRegion, rgba, writeRegion, type Poster } from './index.js';
import { captionBlock, type CaptionBlock } from './caption.js';

export interface LookPlan {
  /** Where the photo goes (what it is sampled for): the cell, less a caption strip; a centred square for a circle. */
  photo: Box;
  caption?: CaptionBlock;
  /** Height of the strip under the photo (position "below"), px. */
  strip?: number;
}

/**
 * Splits the cell between the photo and (for position "below") its caption strip. `strip` is the
 * strip height the photo's row shares (render/strips.ts); without it, the caption's own height.
 */
export function planLook(cell: Box, look: Look, strip?: number): LookPlan {
  let caption: CaptionBlock | undefined;
  if (look.caption?.position === 'below') {
    caption = captionBlock(look.caption, cell.width, strip ?? cell.height / 2) ?? undefined;
  }
  const height = strip ?? caption?.height ?? 0;
  let photo: Box = height > 0 ? { ...cell, height: cell.height - height } : { ...cell };
  if (look.shape === 'circle') {
    const side = Math.min(photo.width, photo.height);
    photo = { x: photo.x + Math.floor((photo.width - side) / 2), y: photo.y + Math.floor((photo.height - side) / 2), width: side, height: side };
  }
  return { photo, ...(caption && { caption }), ...(height > 0 && { strip: height }) };
}

/**
 * How far a cell's look (its shadow) may reach past the cell: half the gap, so neighbours'
 * looks never overlap. build() widens each cell's band span by as much.
 */
export function lookReach(gap: number): number {
  return Math.floor(gap / 2);
}

/** The cell grown by `spread` px on each side, within the poster. */
export function territory(cell: Box, spread: number, poster: { width: number; height: number }): Box {
  const x = Math.max(0, cell.x - spread);
  const y = Math.max(0, cell.y - spread);
  const right = Math.min(poster.width, cell.x + cell.width + spread);
  const bottom = Math.min(poster.height, cell.y + cell.height + spread);
  return { x, y, width: right - x, height: bottom - y };
}

/**
 * Draws `bitmap` (whose top-left goes at `at`, poster coordinates) with `look`. `frame` is the
 * visible photo (the shape is cut from it), `cell` the whole cell, `area` the cell's territory.
 */
export function drawWithLook(poster: Poster, bitmap: Bitmap, at: { x: number; y: number }, frame: Box, cell: Box, area: Box, look: Look, plan: LookPlan): void {
  if (area.width < 1 || area.height < 1) return;
  const { createCanvas, ImageData } = loadSkia();
  const canvas = createCanvas(area.width, area.height);
  const ctx = canvas.getContext('2d');
  ctx.putImageData(new ImageData(readRegion(poster, area), area.width, area.height), 0, 0);
  const photo = createCanvas(bitmap.width, bitmap.height);
  photo.getContext('2d').putImageData(new ImageData(rgba(bitmap), bitmap.width, bitmap.height), 0, 0);

  const local = { x: frame.x - area.x, y: frame.y - area.y, width: frame.width, height: frame.height };
  const shape = () => shapePath(ctx, local, look);

  if (look.shadow) {
    ctx.save();
    ctx.shadowColor = cssColor(look.shadow.color);
    ctx.shadowBlur = look.shadow.blur;
    ctx.shadowOffsetX = look.shadow.dx;
    ctx.shadowOffsetY = look.shadow.dy;
    ctx.fillStyle = cssColor(look.border?.color ?? poster.background);
    shape();
    ctx.fill();
    ctx.restore();
  }

  ctx.save();
  shape();
  ctx.clip();
  ctx.drawImage(photo, at.x - area.x, at.y - area.y);
  ctx.restore();

  if (look.caption) {
    const localCell = { x: cell.x - area.x, y: cell.y - area.y, width: cell.width, height: cell.height };
    drawCaption(ctx, look, look.caption, local, localCell, plan);
  }
  if (look.border) {
    // A stroke twice the width, centred on the edge and clipped to the shape: the border lies
    // inside, over the photo and any caption band.
    ctx.save();
    shape();
    ctx.clip();
    ctx.lineWidth = 2 * look.border.width;
    ctx.strokeStyle = cssColor(look.border.color);
    shape();
    ctx.stroke();
    ctx.restore();
  }
  writeRegion(poster, ctx.getImageData(0, 0, area.width, area.height).data, area);
}

function shapePath(ctx: SKRSContext2D, box: Box, look: Look): void {
  ctx.beginPath();
  if (look.shape === 'circle') {
    const r = Math.min(box.width, box.height) / 2;
    ctx.arc(box.x + box.width / 2, box.y + box.height / 2, r, 0, 2 * Math.PI);
    ctx.closePath();
    return;
  }
  const r = Math.min(look.radius, box.width / 2, box.height / 2);
  const { x, y, width: w, height: h } = box;
  if (r < 0.5) {
    ctx.rect(x, y, w, h);
    return;
  }
  ctx.moveTo(x + r, y);
  ctx.arcTo(x + w, y, x + w, y + h, r);
  ctx.arcTo(x + w, y + h, x, y + h, r);
  ctx.arcTo(x, y + h, x, y, r);
  ctx.arcTo(x, y, x + w, y, r);
  ctx.closePath();
}

/** The caption: over the photo (bottom/top band) or in the strip below it; never outside the cell. */
function drawCaption(ctx: SKRSContext2D, look: Look, caption: CaptionLook, frame: Box, cell: Box, plan: LookPlan): void {
  let region: Box;
  let block: CaptionBlock | null;
  if (caption.position === 'below') {
    block = plan.caption ?? null;
    if (!block) return;
    // The strip under the photo, text at its top: captions in a row start level, whatever their line counts.
    const strip = plan.strip ?? block.height;
    region = { x: cell.x, y: cell.y + cell.height - strip, width: cell.width, height: strip };
  } else {
    // Over the photo: inside the circle's inscribed square, or the rectangle clear of rounded corners.
    const inner =
      look.shape === 'circle'
        ? insetBox(frame, (frame.width * (1 - Math.SQRT1_2)) / 2)
        : { x: frame.x + look.radius * 0.3, y: frame.y, width: frame.width - look.radius * 0.6, height: frame.height };
    block = captionBlock(caption, inner.width, inner.height / 2);
    if (!block) return;
    const y = caption.position === 'top' ? inner.y : inner.y + inner.height - block.height;
    region = { x: inner.x, y, width: inner.width, height: block.height };
  }
  ctx.save();
  ctx.beginPath();
  ctx.rect(cell.x, cell.y, cell.width, cell.height);
  ctx.clip();
  if (caption.position !== 'below') {
    // The band follows the photo's shape.
    shapePath(ctx, frame, look);
    ctx.clip();
  }
  if (caption.background) {
    ctx.fillStyle = cssColor(caption.background);
    ctx.fillRect(caption.position === 'below' ? region.x : frame.x, region.y, caption.position === 'below' ? region.width : frame.width, region.height);
  }
  ctx.beginPath();
  ctx.rect(region.x, region.y, region.width, region.height);
  ctx.clip();
  ctx.fillStyle = cssColor(caption.color);
  ctx.font = block.font;
  ctx.direction = block.direction;
  ctx.textBaseline = 'alphabetic';
  ctx.textAlign = caption.align;
  const side = physicalSide(caption.align, block.direction);
  const x = side === 'left' ? region.x + caption.padding : side === 'right' ? region.x + region.width - caption.padding : region.x + region.width / 2;
  block.lines.forEach((line, i) => ctx.fillText(line, x, region.y + caption.padding + block!.ascent + i * block!.lineHeight));
  ctx.restore();
}

function insetBox(box: Box, by: number): Box {
  return { x: box.x + by, y: box.y + by, width: box.width - 2 * by, height: box.height - 2 * by };
}

/** The edge a line is aligned to: start and end follow the text's direction. */
function physicalSide(align: CaptionLook['align'], direction: 'ltr' | 'rtl'): 'left' | 'center' | 'right' {
  if (align === 'start') return direction === 'rtl' ? 'right' : 'left';
  if (align === 'end') return direction === 'rtl' ? 'left' : 'right';
  return align;
}

export type { Rgba };
