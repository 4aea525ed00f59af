/** One font file in the caption fallback chain, and the characters it draws. */
import { readFileSync } from 'node:fs';
import { type Coverage, parseCmap } from './coverage.js';
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
  /** Makes sure the canvas engine knows `alias` (bundled files are registered when first needed). */
  use(): void;
}

/** What a font file says about itself: its family and characters. */
export interface FontFileInfo {
  family: string | null;
  coverage: Coverage;
}

/** Reads the family and character map of a font file; throws FontFormatError when it is not a usable font. */
export function readFontInfo(bytes: Uint8Array, tablesWanted: readonly string[] = ['cmap', 'name']): FontFileInfo {
  const tables = readFontTables(bytes, tablesWanted);
  const cmap = tables.get('cmap');
  if (!cmap) throw new FontFormatError('the font has no character map (cmap)');
  const name = tables.get('name');
  return { family: name ? familyName(name) : null, coverage: parseCmap(cmap) };
}

/**
 * A face from a file. A bundled file is read (its map parsed) the first time a character is
 * looked up in it, and registered the first time a text needs it: decoding the larger files
 * costs the engine ~0.1–0.4 s each, and most captions need one or two of them. `declared`, when
 * given, is the range its package says the file is for (CSS unicode-range): characters outside
 * it are not looked up at all, and not drawn with it, as a browser would not.
 */
export class FileFace implements Face {
  private map: Coverage | null = null;
  private registered: boolean;
  constructor(
    readonly alias: string,
    readonly family: string,
    readonly kind: 'bundled' | 'file',
    readonly origin: string,
    private readonly load: () => Coverage,
    private readonly register: (() => void) | null,
    private readonly declared: Coverage | null = null,
  ) {
    this.registered = register === null;
  }

  static bundled(alias: string, family: string, origin: string, file: string, register: () => void, declared: Coverage | null): FileFace {
    return new FileFace(alias, family, 'bundled', origin, () => readFontInfo(readFileSync(file), ['cmap']).coverage, register, declared);
  }

  /** A job's file, already registered. */
  static registered(alias: string, family: string, origin: string, coverage: Coverage): FileFace {
    return new FileFace(alias, family, 'file', origin, () => coverage, null);
  }

  coverage(): Coverage {
    this.map ??= this.load();
    return this.map;
  }

  covers(codePoint: number): boolean {
    if (this.declared && !this.declared.has(codePoint)) return false;
    return this.coverage().has(codePoint);
  }

  use(): void {
    if (this.registered) return;
    this.register!();
    this.registered = true;
  }
}
