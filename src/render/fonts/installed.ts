/**
 * A font installed on the machine, named by family. The canvas engine finds it but does not say
 * where its file is, so which characters it draws is found by drawing: a character the face
 * lacks comes out exactly like a noncharacter (U+10FFFF), the .notdef box, in advance and pixels.
 * Each answer is kept for the process's life (installed fonts do not change under a job).
 */
import type { SKRSContext2D } from '@napi-rs/canvas';
import { loadSkia } from '../../skia.js';
import type { Face } from './face.js';

const PROBE_SIZE = 48;
const NOT_A_CHARACTER = '\u{10FFFF}';

let probe: SKRSContext2D | null = null;

function context(): SKRSContext2D {
  probe ??= loadSkia()
    .createCanvas(PROBE_SIZE * 2, PROBE_SIZE * 2)
    .getContext('2d');
  return probe;
}

function render(ctx: SKRSContext2D, text: string): { width: number; pixels: Uint8ClampedArray } {
  ctx.clearRect(0, 0, PROBE_SIZE * 2, PROBE_SIZE * 2);
  ctx.fillText(text, PROBE_SIZE / 2, PROBE_SIZE);
  return { width: ctx.measureText(text).width, pixels: ctx.getImageData(0, 0, PROBE_SIZE * 2, PROBE_SIZE * 2).data };
}

export class InstalledFace implements Face {
  readonly kind = 'installed' as const;
  readonly origin = 'installed';
  private readonly answers = new Map<number, boolean>();
  private notdef: { width: number; pixels: Uint8ClampedArray } | null = null;

  constructor(readonly family: string) {}

  get alias(): string {
    return this.family;
  }

  coverage(): null {
    return null;
  }

  use(): void {}

  covers(codePoint: number): boolean {
    let answer = this.answers.get(codePoint);
    if (answer !== undefined) return answer;
    const ctx = context();
    ctx.font = `${PROBE_SIZE}px "${this.family}"`;
    ctx.fillStyle = '#000';
    ctx.textBaseline = 'middle';
    this.notdef ??= render(ctx, NOT_A_CHARACTER);
    const drawn = render(ctx, String.fromCodePoint(codePoint));
    answer = drawn.width !== this.notdef.width || !sameBytes(drawn.pixels, this.notdef.pixels);
    this.answers.set(codePoint, answer);
    return answer;
  }
}

function sameBytes(a: Uint8ClampedArray, b: Uint8ClampedArray): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
