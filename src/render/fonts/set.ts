/**
 * A job's fonts: the bundled ones, the files its manifest (`fonts`) and command line (`--font`)
 * add, and installed fonts its captions name. Gives each caption family its fallback chain.
 */
import { CollageError, ExitCode } from '../../errors.js';
import { FontChain } from './chain.js';
import { DEFAULT_FAMILY } from './bundled.js';
import { readFontInfo, type Face } from './face.js';
import { bundledFaces, installedFace, registerFontFile, type RegisteredFont } from './registry.js';
import { FontFormatError } from './sfnt.js';

/** A font file for the job, and what to call it in messages. */
export interface LoadedFontFile {
  /** As written in the manifest or on the command line. */
  src: string;
  bytes: Uint8Array;
}

export class FontSet {
  private readonly chains = new Map<string, FontChain | null>();

  private constructor(private readonly own: readonly RegisteredFont[]) {}

  /** The bundled fonts only. */
  static bundled(): FontSet {
    bundledFaces();
    return new FontSet([]);
  }

  /** Registers the job's font files; throws (exit 2) naming the file when one is not a usable font. */
  static withFiles(files: readonly LoadedFontFile[]): FontSet {
    const own: RegisteredFont[] = [];
    try {
      for (const { src, bytes } of files) {
        let info;
        try {
          info = readFontInfo(bytes);
        } catch (error) {
          if (error instanceof FontFormatError) throw new CollageError(`font ${src}: ${error.message}`, ExitCode.usage, { cause: error });
          throw error;
        }
        own.push(registerFontFile(bytes, info.family ?? src, src, info.coverage));
      }
    } catch (error) {
      for (const font of own) font.release();
      throw error;
    }
    return new FontSet(own);
  }

  /** Every face in default fallback order: bundled, then the job's files. */
  faces(): Face[] {
    return [...bundledFaces(), ...this.own.map((font) => font.face)];
  }

  /**
   * The chain for captions set in `family`; null when no bundled, job or installed font has that
   * name. (While a job's file is registered, the engine also knows it by its own family, so
   * another job running in the same process may find it as "installed".)
   */
  chain(family: string = DEFAULT_FAMILY): FontChain | null {
    const key = family.toLowerCase();
    let chain = this.chains.get(key);
    if (chain !== undefined) return chain;
    const all = this.faces();
    let primary = all.filter((face) => face.family.toLowerCase() === key && face.kind === 'bundled');
    if (primary.length === 0) primary = all.filter((face) => face.family.toLowerCase() === key);
    if (primary.length === 0) {
      const installed = installedFace(family);
      if (installed) primary = [installed];
    }
    chain = primary.length === 0 ? null : new FontChain([...primary, ...all.filter((face) => !primary.includes(face))]);
    this.chains.set(key, chain);
    return chain;
  }

  /** Unregisters the job's files (when no other job uses them). */
  release(): void {
    for (const font of this.own) font.release();
  }
}
