// Measures what one decode holds, per input format: the figures behind src/decode/frame.ts.
//
//   npm run build && node scripts/decode-memory.mjs [case ...]
//
// Each case's file is made by a child process (so making it costs the measurement nothing);
// another child reads its header, notes its own peak RSS, decodes it to a 400×300 cell the way
// a build does (decodeForCell), and reports how far its peak rose: what the decode held beyond
// the file's bytes, which were read before. Beside it, what src/decode/memory.ts estimates.
// Slow (a few minutes) and memory-hungry (the AVIF case needs ~1 GB to encode): not a test.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const root = path.join(import.meta.dirname, '..');
const sharpPath = createRequire(path.join(root, 'package.json')).resolve('sharp');
const dir = mkdtempSync(path.join(os.tmpdir(), 'collage-decode-memory-'));
const MB = 1024 * 1024;

/** name → [width, height, sharp pipeline on a flat (or noisy) image, noisy] */
const CASES = {
  'jpeg-baseline': [12800, 8600, 'jpeg({ quality: 90 })'],
  'jpeg-progressive-420': [12800, 8600, 'jpeg({ quality: 90, progressive: true })'],
  'jpeg-progressive-444': [12800, 8600, "jpeg({ quality: 90, progressive: true, chromaSubsampling: '4:4:4' })"],
  'jpeg-baseline-orientation-6': [12800, 8600, 'withMetadata({ orientation: 6 }).jpeg({ quality: 90 })'],
  png: [8000, 6000, 'png({ compressionLevel: 1 })'],
  'png-wide': [16000, 3000, 'png({ compressionLevel: 1 })'],
  'png-interlaced': [8000, 6000, 'png({ compressionLevel: 1, progressive: true })'],
  'tiff-deflate': [8000, 6000, "tiff({ compression: 'deflate' })"],
  'tiff-tiled': [8000, 6000, "tiff({ compression: 'deflate', tile: true, tileWidth: 256, tileHeight: 256 })"],
  'webp-lossy': [8000, 6000, 'webp({ quality: 80, effort: 0 })', true],
  'webp-lossless': [8000, 6000, 'webp({ lossless: true, effort: 0 })', true],
  gif: [8000, 6000, 'gif()'],
  avif: [4000, 3000, 'avif({ effort: 0, quality: 40 })', true],
  bmp: [6000, 4000, null],
};

const wanted = process.argv.slice(2);
const rows = [];
try {
  for (const [name, [width, height, pipeline, noisy]] of Object.entries(CASES)) {
    if (wanted.length > 0 && !wanted.includes(name)) continue;
    const file = path.join(dir, name);
    const input = noisy
      ? `{ create: { width: ${width}, height: ${height}, channels: 3, noise: { type: 'gaussian', mean: 128, sigma: 40 } } }`
      : `{ create: { width: ${width}, height: ${height}, channels: 3, background: { r: 120, g: 160, b: 200 } } }`;
    if (pipeline === null) writeFileSync(file, bmp(width, height));
    else
      execFileSync(process.execPath, [
        '-e',
        `require(${JSON.stringify(sharpPath)})(${input}).${pipeline}.toFile(${JSON.stringify(file)}).catch((e) => { console.error(e); process.exit(1); })`,
      ]);
    rows.push({ name, width, height, fileBytes: statSync(file).size, ...measure(file) });
    rmSync(file);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

console.log('| input | stored | file | peak rise | per stored pixel | estimate |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const r of rows) {
  const pixels = r.width * r.height;
  console.log(
    `| ${r.name} | ${r.width}×${r.height} | ${(r.fileBytes / MB).toFixed(1)} MB | ${(r.grown / MB).toFixed(0)} MB | ${(r.grown / pixels).toFixed(2)} B | ${(r.estimate / MB).toFixed(0)} MB |`,
  );
}

/** A grey 24-bit BMP (sharp cannot write one; Skia decodes it). */
function bmp(width, height) {
  const row = Math.ceil((width * 3) / 4) * 4;
  const file = Buffer.alloc(54 + row * height, 0x80);
  file.fill(0, 0, 54);
  file.write('BM', 0, 'latin1');
  file.writeUInt32LE(file.length, 2);
  file.writeUInt32LE(54, 10);
  file.writeUInt32LE(40, 14);
  file.writeInt32LE(width, 18);
  file.writeInt32LE(height, 22);
  file.writeUInt16LE(1, 26);
  file.writeUInt16LE(24, 28);
  file.writeUInt32LE(row * height, 34);
  return file;
}

function measure(file) {
  const script = `
    import { readFileSync } from 'node:fs';
    import sharp from ${JSON.stringify(sharpPath)};
    const { readImageHeader, decodeForCell, uprightSize } = await import(${JSON.stringify(path.join(root, 'dist', 'decode', 'index.js'))});
    const { estimateDecodeBytes } = await import(${JSON.stringify(path.join(root, 'dist', 'decode', 'memory.js'))});
    const { cellSampling } = await import(${JSON.stringify(path.join(root, 'dist', 'layout', 'index.js'))});
    sharp.cache(false);
    const bytes = readFileSync(${JSON.stringify(file)});
    const header = await readImageHeader(bytes, 'x');
    const upright = uprightSize(header);
    const sampling = cellSampling(upright.width, upright.height, 400, 300, 'cover', [0.5, 0.5]);
    const before = process.resourceUsage().maxRSS * 1024;
    await decodeForCell(bytes, header, sampling, { r: 255, g: 255, b: 255, a: 1 }, 'x');
    const grown = process.resourceUsage().maxRSS * 1024 - before;
    console.log(JSON.stringify({ grown, estimate: estimateDecodeBytes(header, { sampling }) }));`;
  const scriptFile = path.join(dir, 'measure.mjs');
  writeFileSync(scriptFile, script);
  return JSON.parse(execFileSync(process.execPath, [scriptFile], { cwd: root }).toString());
}
