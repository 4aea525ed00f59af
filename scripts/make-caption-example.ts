/**
 * Regenerates examples/captions/captions.png, the README's multi-script caption example
 * (committed; run only to change it): the example manifest rendered, then stored 1,000 px wide
 * as a palette PNG so the picture in the README stays small (~175 KB).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { build } from '../src/index.js';

const folder = path.join(import.meta.dirname, '..', 'examples', 'captions');
const tmp = await mkdtemp(path.join(os.tmpdir(), 'collage-example-'));
try {
  const rendered = path.join(tmp, 'captions.png');
  await build(path.join(folder, 'manifest.json'), { output: rendered });
  const info = await sharp(rendered).resize({ width: 1000 }).png({ palette: true, effort: 10 }).toFile(path.join(folder, 'captions.png'));
  console.log(`examples/captions/captions.png: ${info.width}×${info.height}, ${info.size} bytes`);
} finally {
  await rm(tmp, { recursive: true, force: true });
}
