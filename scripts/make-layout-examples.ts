/**
 * Regenerates the README's layout examples, docs/layouts/<type>.png: the same 24 demo photos
 * (18 landscape, 6 portrait) on a 6×4 in page at 100 dpi with each layout type, written as
 * palette PNGs under 100 kB. Run: npx tsx scripts/make-layout-examples.ts
 */
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { build, plan } from '../src/index.js';

const root = path.join(import.meta.dirname, '..');
const photos = path.join(root, 'examples', 'photo-a-day', 'photos');
const out = path.join(root, 'docs', 'layouts');
const LIMIT = 100 * 1024;

const layouts: Record<string, Record<string, unknown>> = {
  grid: { type: 'grid', cellAspect: 'auto' },
  justified: { type: 'justified' },
  masonry: { type: 'masonry' },
  mosaic: { type: 'mosaic' },
};

await mkdir(out, { recursive: true });
const scratch = await mkdtemp(path.join(os.tmpdir(), 'collage-examples-'));
try {
  for (const [type, layout] of Object.entries(layouts)) {
    const manifest = {
      size: { width: '6in', height: '4in', dpi: 100 },
      background: '#f4f1ea',
      margin: '0.08in',
      gap: '1.5mm',
      layout,
      style: { radius: '0.6mm' },
      images: Array.from({ length: 24 }, (_, i) => path.join(photos, `day-${String(i + 1).padStart(3, '0')}.jpg`)),
    };
    const rendered = path.join(scratch, `${type}.png`);
    await build(manifest, { output: rendered });
    const { layout: planned } = await plan(manifest, { output: rendered });
    const file = path.join(out, `${type}.png`);
    await sharp(rendered).png({ palette: true, colours: 128, effort: 10, compressionLevel: 9 }).toFile(file);
    const { size } = await stat(file);
    if (size > LIMIT) throw new Error(`${file} is ${size} bytes, over ${LIMIT}`);
    const over = planned.overCrop?.length ?? 0;
    console.log(`${type}: ${file} (${(size / 1024).toFixed(0)} kB), ${over} photo${over === 1 ? '' : 's'} over maxCrop, ${planned.unfilled ?? 0} % unfilled`);
  }
} finally {
  await rm(scratch, { recursive: true, force: true });
}
