/**
 * What the customer sees on a proof, drawn over the rendered preview: a red outline and a dpi
 * tag on every photo under the threshold, a grey "missing" tag on photos that could not be
 * loaded, the bleed faded and the trim line dashed, and a legend strip under the page that
 * says what the print is and what the marks mean, in words.
 */
import sharp from 'sharp';
import type { SKRSContext2D } from '@napi-rs/canvas';
import type { LowResolutionPhoto } from '../errors.js';
import type { Box } from '../layout/index.js';
import type { CollageSpec, ImageSpec } from '../manifest/index.js';
import { outputSize } from '../manifest/index.js';
import type { ResolutionSummary } from '../preflight/index.js';
import { FontSet } from '../render/fonts/index.js';
import { fillBox, readRegion, writeRegion, type Poster } from '../render/index.js';
import { loadSkia } from '../skia.js';
import { packRgb } from '../decode/index.js';

/** The outline and tag of a photo under the threshold (a red no print shop uses for anything else). */
export const PROOF_OUTLINE = { r: 230, g: 0, b: 46 } as const;
/** A photo that could not be loaded (the print's placeholder grey). */
export const PROOF_FAILED_COLOR = { r: 208, g: 208, b: 208, a: 1 } as const;
const OUTLINE_CSS = `rgb(${PROOF_OUTLINE.r}, ${PROOF_OUTLINE.g}, ${PROOF_OUTLINE.b})`;
const INK = '#1f1f1f';
const LEGEND_BACKGROUND = '#f3f3f1';

export interface ProofContent {
  format: 'png' | 'jpeg';
  /** The proof's dpi (recorded in the file). */
  dpi: number;
  /** The print, as ordered. */
  print: CollageSpec;
  placed: readonly ImageSpec[];
  /** Each placed photo's cell on the proof. */
  boxes: readonly Box[];
  /** `src` of photos that could not be loaded. */
  failed: ReadonlySet<string>;
  low: readonly LowResolutionPhoto[];
  resolution: ResolutionSummary;
  /** Bleed on each side of the proof, px. */
  bleed: number;
}

/**
 * The proof file: the preview with its marks, and the legend strip under it. The marks go into
 * the poster's own pixels (rectangles directly, text through tag-sized canvases), so the page
 * is never copied into a canvas and back; only the legend strip is drawn on one.
 */
export async function composeProof(poster: Poster, content: ProofContent): Promise<{ bytes: Buffer; width: number; height: number }> {
  const { createCanvas } = loadSkia();
  const { width, height } = poster;
  // Sizes follow the proof's width: a 2,000 px proof shown on a laptop screen is about halved.
  const unit = Math.max(0.5, width / 2000);
  if (content.bleed > 0) markTrim(poster, content.bleed, unit);
  const at = new Map(content.placed.map((image, j) => [image.index, j]));
  for (const photo of content.low) {
    const box = content.boxes[at.get(photo.index) ?? -1];
    if (box) markLowResolution(poster, box, photo.dpi, unit);
  }
  content.placed.forEach((image, j) => {
    if (content.failed.has(image.src)) tag(poster, content.boxes[j]!, ['missing', '?'], '#5a5a5a', 0, unit);
  });

  // The legend strip.
  const fontSize = Math.max(11, Math.round(24 * unit));
  const padding = Math.round(fontSize * 0.9);
  const lineHeight = Math.round(fontSize * 1.55);
  const measure = createCanvas(1, 1).getContext('2d');
  const legend0 = legendLines(content);
  const legendFont = proofFont(fontSize, legend0.map((line) => line.text).join(' '));
  measure.font = legendFont;
  const lines = legend0.map((line) => ({ ...line, rows: wrap(measure, line.text, width - 2 * padding - (line.swatch ? lineHeight : 0)) }));
  const legendHeight = 2 * padding + lineHeight * lines.reduce((n, line) => n + line.rows.length, 0);
  const strip = createCanvas(width, legendHeight);
  const ctx = strip.getContext('2d');
  ctx.fillStyle = LEGEND_BACKGROUND;
  ctx.fillRect(0, 0, width, legendHeight);
  ctx.fillStyle = '#c8c8c4';
  ctx.fillRect(0, 0, width, Math.max(1, Math.round(unit)));
  ctx.font = legendFont;
  ctx.textBaseline = 'middle';
  let y = padding;
  for (const line of lines) {
    let x = padding;
    if (line.swatch) {
      drawSwatch(ctx, line.swatch, x, y + (lineHeight - fontSize) / 2, fontSize, unit);
      x += lineHeight;
    }
    for (const row of line.rows) {
      ctx.fillStyle = INK;
      ctx.fillText(row, x, y + lineHeight / 2);
      y += lineHeight;
    }
  }

  const legend = packRgb(ctx.getImageData(0, 0, width, legendHeight).data);
  const image = sharp(Buffer.concat([poster.pixels(), legend]), { raw: { width, height: height + legendHeight, channels: 3 } })
    .withIccProfile('srgb')
    .withDensity(content.dpi);
  const bytes = await (content.format === 'jpeg' ? image.jpeg({ quality: 85 }) : image.png({ compressionLevel: 6 })).toBuffer();
  return { bytes, width, height: height + legendHeight };
}

/** A photo under the threshold: a red frame inside its cell and a red tag with its dpi. */
function markLowResolution(poster: Poster, box: Box, dpi: number, unit: number): void {
  const thickness = Math.max(1, Math.min(Math.round(4 * unit), Math.floor(Math.min(box.width, box.height) / 6)));
  const red = { ...PROOF_OUTLINE, a: 1 };
  fillBox(poster, { x: box.x, y: box.y, width: box.width, height: thickness }, red);
  fillBox(poster, { x: box.x, y: box.y + box.height - thickness, width: box.width, height: thickness }, red);
  fillBox(poster, { x: box.x, y: box.y, width: thickness, height: box.height }, red);
  fillBox(poster, { x: box.x + box.width - thickness, y: box.y, width: thickness, height: box.height }, red);
  tag(poster, box, [`${dpi} dpi`, String(dpi)], OUTLINE_CSS, thickness, unit);
}

/** A filled tag with white text in the cell's top-left corner: the first text that fits, smaller if need be. */
function tag(poster: Poster, box: Box, texts: string[], fill: string, inset: number, unit: number): void {
  const { createCanvas, ImageData } = loadSkia();
  const measure = createCanvas(1, 1).getContext('2d');
  const room = box.width - 2 * inset;
  for (let size = Math.round(18 * unit); size >= 7; size--) {
    measure.font = proofFont(size, texts.join(' '));
    const pad = Math.max(2, Math.round(size * 0.3));
    const text = texts.find((t) => measure.measureText(t).width + 2 * pad <= room);
    if (!text) continue;
    const area = {
      x: box.x + inset,
      y: box.y + inset,
      width: Math.ceil(measure.measureText(text).width) + 2 * pad,
      height: Math.min(box.height - 2 * inset, Math.round(size * 1.4)),
    };
    if (area.height < size) continue;
    const canvas = createCanvas(area.width, area.height);
    const ctx = canvas.getContext('2d');
    ctx.putImageData(new ImageData(readRegion(poster, area), area.width, area.height), 0, 0);
    ctx.fillStyle = fill;
    ctx.fillRect(0, 0, area.width, area.height);
    ctx.font = measure.font;
    ctx.fillStyle = '#ffffff';
    ctx.textBaseline = 'middle';
    ctx.fillText(text, pad, area.height / 2);
    writeRegion(poster, ctx.getImageData(0, 0, area.width, area.height).data, area);
    return;
  }
}

/**
 * The bleed faded 60 % toward white (it is cut off) and the trim line dashed, black on a white
 * line so it shows on any photo.
 */
function markTrim(poster: Poster, bleed: number, unit: number): void {
  const { width, height } = poster;
  for (let y = 0; y < height; y++) {
    const row = poster.rowData(y);
    const offset = poster.rowOffset(y);
    const inside = y >= bleed && y < height - bleed;
    const spans = inside
      ? [
          [0, bleed],
          [width - bleed, width],
        ]
      : [[0, width]];
    for (const [from, to] of spans) {
      for (let i = offset + from! * 3; i < offset + to! * 3; i++) row[i] = Math.round(row[i]! * 0.4 + 255 * 0.6);
    }
  }
  const line = Math.max(1, Math.round(1.5 * unit));
  const dash = Math.max(2, Math.round(8 * unit));
  const gap = Math.max(2, Math.round(6 * unit));
  const trim = { x: bleed, y: bleed, width: width - 2 * bleed, height: height - 2 * bleed };
  const white = { r: 255, g: 255, b: 255, a: 1 };
  const black = { r: 0, g: 0, b: 0, a: 1 };
  // The line straddles the trim edge, outside first: the trim area keeps its pixels where it can.
  const outer = Math.ceil(line / 2);
  const edges: Box[] = [
    { x: trim.x - outer, y: trim.y - outer, width: trim.width + 2 * outer, height: line },
    { x: trim.x - outer, y: trim.y + trim.height + outer - line, width: trim.width + 2 * outer, height: line },
    { x: trim.x - outer, y: trim.y - outer, width: line, height: trim.height + 2 * outer },
    { x: trim.x + trim.width + outer - line, y: trim.y - outer, width: line, height: trim.height + 2 * outer },
  ];
  for (const edge of edges) {
    fillBox(poster, edge, white);
    const along = edge.width > edge.height;
    const length = along ? edge.width : edge.height;
    for (let at = 0; at < length; at += dash + gap) {
      const run = Math.min(dash, length - at);
      fillBox(poster, along ? { x: edge.x + at, y: edge.y, width: run, height: edge.height } : { x: edge.x, y: edge.y + at, width: edge.width, height: run }, black);
    }
  }
}

type Swatch = 'low' | 'ok' | 'missing' | 'trim';

interface LegendLine {
  text: string;
  swatch?: Swatch;
}

function legendLines(content: ProofContent): LegendLine[] {
  const { print, low, resolution } = content;
  const size = outputSize(print);
  const inches = (px: number) => `${+(px / print.dpi).toFixed(3)}`;
  const photos = content.placed.length;
  const bleed = print.bleed.size > 0 ? ` + ${inches(print.bleed.size)} in bleed on each side` : '';
  const lines: LegendLine[] = [
    {
      text:
        `PROOF (preview, not print quality): ${inches(print.width)} × ${inches(print.height)} in${bleed}, printed at ${print.dpi} dpi ` +
        `(${size.width} × ${size.height} px); ${photos.toLocaleString('en-US')} photo${photos === 1 ? '' : 's'}.`,
    },
  ];
  if (low.length > 0) {
    const lowest = Math.min(...low.map((p) => p.dpi));
    lines.push({
      swatch: 'low',
      text:
        `${low.length} photo${low.length === 1 ? '' : 's'} will print under ${resolution.minDpi} dpi and may look soft or pixelated: outlined in red, ` +
        `tagged with the dpi ${low.length === 1 ? 'it prints' : 'each prints'} at (lowest ${lowest}). A larger original, or a smaller cell, fixes it.`,
    });
  } else if (resolution.min !== null) {
    lines.push({ swatch: 'ok', text: `Every photo prints at ${resolution.minDpi} dpi or more (lowest ${resolution.min} dpi, median ${resolution.median} dpi).` });
  }
  if (resolution.resolutionAware && resolution.resolutionAware.saved > 0) {
    lines.push({
      text: `Cells sized by each photo's resolution kept ${resolution.resolutionAware.saved} more photo${resolution.resolutionAware.saved === 1 ? '' : 's'} at ${resolution.minDpi} dpi or more.`,
    });
  }
  if (content.failed.size > 0) {
    lines.push({ swatch: 'missing', text: `${content.failed.size} photo${content.failed.size === 1 ? '' : 's'} could not be loaded: grey, tagged "missing".` });
  }
  if (print.bleed.size > 0) lines.push({ swatch: 'trim', text: 'Dashed line: where the print is cut. The faded edge outside it is bleed, printed and then trimmed off.' });
  return lines;
}

function drawSwatch(ctx: SKRSContext2D, swatch: Swatch, x: number, y: number, size: number, unit: number): void {
  const t = Math.max(1, Math.round(3 * unit));
  if (swatch === 'low') {
    ctx.fillStyle = OUTLINE_CSS;
    ctx.fillRect(x, y, size, size);
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(x + t, y + t, size - 2 * t, size - 2 * t);
  } else if (swatch === 'ok') {
    ctx.fillStyle = '#2e7d32';
    ctx.fillRect(x, y, size, size);
  } else if (swatch === 'missing') {
    ctx.fillStyle = 'rgb(208, 208, 208)';
    ctx.fillRect(x, y, size, size);
  } else {
    // A short stretch of the trim line.
    const line = Math.max(1, Math.round(1.5 * unit));
    ctx.lineWidth = line;
    ctx.setLineDash([Math.round(5 * unit) || 2, Math.round(3 * unit) || 2]);
    ctx.strokeStyle = '#000000';
    ctx.beginPath();
    ctx.moveTo(x, y + size / 2);
    ctx.lineTo(x + size, y + size / 2);
    ctx.stroke();
    ctx.setLineDash([]);
  }
}

/** Words wrapped to `width`. */
function wrap(ctx: SKRSContext2D, text: string, width: number): string[] {
  const rows: string[] = [];
  let row = '';
  for (const word of text.split(' ')) {
    const next = row ? `${row} ${word}` : word;
    if (row && ctx.measureText(next).width > width) {
      rows.push(row);
      row = word;
    } else row = next;
  }
  if (row) rows.push(row);
  return rows;
}

/** The CSS font for `text`: Inter, then the bundled fallback faces its characters need (registered on first use). */
function proofFont(size: number, text: string): string {
  return `${size}px ${FontSet.bundled().chain()!.families(text)}`;
}
