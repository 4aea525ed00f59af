/**
 * @napi-rs/canvas (Skia), loaded on first use. Most jobs never need it (plain cells of JPEG or
 * PNG photos): only looks, captions, BMP and CMYK photos do, and loading it costs ~50 ms of
 * every start.
 */
import { createRequire } from 'node:module';

type Skia = typeof import('@napi-rs/canvas');

let skia: Skia | undefined;

export function loadSkia(): Skia {
  skia ??= createRequire(import.meta.url)('@napi-rs/canvas') as Skia;
  return skia;
}
