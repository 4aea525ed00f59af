/** Child process of ensureInputs(): writes the JPEGs listed in a jobs file, atomically. */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { photoLikeJpeg } from '../scripts/photo-like.js';
import type { InputSpec } from './data.js';

const jobsFile = process.argv[2]!;
const { dir, specs } = JSON.parse(readFileSync(jobsFile, 'utf8')) as { dir: string; specs: InputSpec[] };
for (const spec of specs) {
  const target = path.join(dir, spec.file);
  const temp = `${target}.${process.pid}.tmp`;
  writeFileSync(temp, await photoLikeJpeg(spec.seed, spec.width, spec.height, spec.quality));
  renameSync(temp, target);
  process.stdout.write(`ok ${spec.file}\n`);
}
rmSync(jobsFile, { force: true });
