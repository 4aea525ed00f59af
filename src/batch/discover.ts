/**
 * Which manifests a batch builds: explicit files, every `*.json` under a folder (recursively,
 * skipping dotfiles, dot-folders, node_modules and `*.schema.json`), and glob patterns.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';

export interface Discovery {
  /** Absolute paths, deduplicated, in the order found (sorted within each folder or glob). */
  manifests: string[];
  /** Arguments that named nothing buildable. */
  problems: { input: string; reason: string }[];
}

const FOLDER_IGNORE = ['**/node_modules/**', '**/*.schema.json'];

export async function discoverManifests(inputs: string[], options: { cwd?: string; exclude?: string[] } = {}): Promise<Discovery> {
  const cwd = options.cwd ?? process.cwd();
  const exclude = new Set((options.exclude ?? []).map((file) => path.resolve(cwd, file)));
  const seen = new Set<string>();
  const manifests: string[] = [];
  const problems: Discovery['problems'] = [];
  const add = (files: string[]) => {
    for (const file of files.sort()) {
      if (seen.has(file) || exclude.has(file)) continue;
      seen.add(file);
      manifests.push(file);
    }
  };

  // Loaded here, not at start: only batches discover manifests.
  const { glob, isDynamicPattern } = await import('tinyglobby');
  for (const input of inputs) {
    const absolute = path.resolve(cwd, input);
    const info = await stat(absolute).catch(() => null);
    if (info?.isFile()) {
      add([absolute]);
    } else if (info?.isDirectory()) {
      const found = await glob('**/*.json', { cwd: absolute, absolute: true, dot: false, ignore: FOLDER_IGNORE });
      if (found.length === 0) problems.push({ input, reason: 'folder holds no *.json manifest' });
      add(found.map((f) => path.resolve(f)));
    } else if (isDynamicPattern(input)) {
      const found = await glob(input, { cwd, absolute: true, dot: false, onlyFiles: true });
      if (found.length === 0) problems.push({ input, reason: 'pattern matches no file' });
      add(found.map((f) => path.resolve(f)));
    } else {
      problems.push({ input, reason: 'no such file or folder' });
    }
  }
  return { manifests, problems };
}
