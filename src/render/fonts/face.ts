/** One font file in the caption fallback chain, and the characters it draws. */
import { readFileSync } from 'node:fs';
import { Coverage, parseCmap } from './coverage.js';
import { familyName } from './names.js';
import { FontFormatError, readFontTables } from './sfnt.js';

export type FaceKind = 'bundled' | 'file' | 'installed';

export interface Face {
  /** The name it is registered under with the canvas engine (what a CSS font list names). */
  readonly alias: string;
  /** The family a caption's "font" calls it by. */
  readonly family: string;
  readonly kind: FaceKind;
  /** Where it comes from: package file, path or URL, or "installed". */
  readonly origin: string;
  /** Whether the face draws `codePoint` (not as the .notdef box). */
  covers(codePoint: number): boolean;
  /** Its characters, when known from the file (installed fonts are only probed). */
  coverage(): Coverage | null;
}

/** What a font file says about itself: its family and characters. */
export interface FontFileInfo {
  family: string | null;
  coverage: Coverage;
}

/** Reads the family and character map of a font file; throws FontFormatError when it is not a usable font. */
export function readFontInfo(bytes: Uint8Array): FontFileInfo {
  const tables = readFontTables(bytes, ['cmap', 'name']);
  const cmap = tables.get('cmap');
  if (!cmap) throw new FontFormatError('the font has no character map (cmap)');
  const name = tables.get('name');
  return { family: name ? familyName(name) : null, coverage: parseCmap(cmap) };
}

/** A face whose file is read (and its map parsed) the first time a character is looked up in it. */
export class FileFace implements Face {
  private map: Coverage | null = null;
  constructor(
    readonly alias: string,
    readonly family: string,
    readonly kind: 'bundled' | 'file',
    readonly origin: string,
    private readonly load: () => Coverage,
  ) {}

  static fromPath(alias: string, family: string, origin: string, file: string): FileFace {
    return new FileFace(alias, family, 'bundled', origin, () => readFontInfo(readFileSync(file)).coverage);
  }

  static fromCoverage(alias: string, family: string, origin: string, coverage: Coverage): FileFace {
    return new FileFace(alias, family, 'file', origin, () => coverage);
  }

  coverage(): Coverage {
    this.map ??= this.load();
    return this.map;
  }

  covers(codePoint: number): boolean {
    return this.coverage().has(codePoint);
  }
}
