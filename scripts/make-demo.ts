/** Regenerates examples/photo-a-day/photos (committed; run only to change them). */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { photoLikeJpeg } from './photo-like.js';

const folder = path.join(import.meta.dirname, '..', 'examples', 'photo-a-day', 'photos');
await mkdir(folder, { recursive: true });
const names: string[] = [];
for (let day = 1; day <= 40; day++) {
  const portrait = day % 4 === 0;
  const bytes = await photoLikeJpeg(day, portrait ? 270 : 360, portrait ? 360 : 270, 72);
  const name = `day-${String(day).padStart(3, '0')}.jpg`;
  await writeFile(path.join(folder, name), bytes);
  names.push(`photos/${name}`);
}
console.log(JSON.stringify(names));
