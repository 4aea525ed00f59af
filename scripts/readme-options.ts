/** Rewrites the README's option tables from src/cli/options.ts (test/options.test.ts checks them). */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { withOptionsSection } from '../src/cli/options-doc.js';

const readme = path.join(import.meta.dirname, '..', 'README.md');
await writeFile(readme, withOptionsSection(await readFile(readme, 'utf8')));
