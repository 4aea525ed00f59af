/**
 * Regenerates docs/proof-example.jpg, the proof shown in README's "Before you print" (committed;
 * run only to change it): `npx tsx scripts/make-proof-example.ts`.
 *
 * A 30-photo grid on an 18×12 in page at 300 dpi with a 0.125 in bleed: phone photos, and four
 * small downloads (400 and 300 px wide) that print under 150 dpi in their 2.9 in cells.
 */
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { proof } from '../src/proof/index.js';
import { photoLikeJpeg } from './photo-like.js';

const ROOT = path.join(import.meta.dirname, '..');
const OUTPUT = path.join(ROOT, 'docs', 'proof-example.jpg');
/** Photos that came from a chat app or a web page, not the camera. */
const SMALL: Record<number, number> = { 7: 400, 15: 300, 22: 400, 26: 400 };

const dir = await mkdtemp(path.join(os.tmpdir(), 'collage-proof-example-'));
try {
  const images: string[] = [];
  for (let i = 0; i < 30; i++) {
    const portrait = i % 5 === 3;
    const long = SMALL[i] ?? 1600;
    const [width, height] = portrait ? [Math.round(long * 0.75), long] : [long, Math.round(long * 0.75)];
    const name = `photo-${String(i + 1).padStart(2, '0')}.jpg`;
    await writeFile(path.join(dir, name), await photoLikeJpeg(300 + i, width, height, 85));
    images.push(name);
  }
  const manifest = {
    output: 'poster.jpg',
    size: { width: '18in', height: '12in', dpi: 300 },
    background: '#f4f1ea',
    margin: '0.25in',
    gap: '3mm',
    bleed: '0.125in',
    layout: { type: 'grid', columns: 6 },
    images,
  };
  const file = path.join(dir, 'manifest.json');
  await writeFile(file, JSON.stringify(manifest, null, 2));
  const report = await proof(file, { output: OUTPUT, longEdge: 1000, fetch: { cacheDir: null } });
  const bytes = (await stat(OUTPUT)).size;
  console.log(
    `${path.relative(ROOT, OUTPUT)}: ${report.output.width}×${report.output.height} px, ${(bytes / 1024).toFixed(0)} kB; ${report.images.lowResolution.length} photos under ${report.images.resolution.minDpi} dpi`,
  );
  if (bytes > 150 * 1024) throw new Error('over the 150 kB README budget');
} finally {
  await rm(dir, { recursive: true, force: true });
}
