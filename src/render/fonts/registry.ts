/**
 * Fonts registered with the canvas engine, which keeps one registry per process. The bundled
 * fonts are registered once. A job's own font files are registered under a name made from their
 * bytes (so two jobs with the same file share it, and a job never sees another job's fonts by
 * family name) and removed when the last job using them ends: a worker that renders many
 * manifests does not keep every CJK font it was ever given.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { FontKey } from '@napi-rs/canvas';
import { CollageError, ExitCode } from '../../errors.js';
import { loadSkia } from '../../skia.js';
import { BUNDLED_FAMILIES, bundledAlias } from './bundled.js';
import { FileFace, type Face } from './face.js';
import { InstalledFace } from './installed.js';
import { declaredRanges } from './declared.js';
import type { Coverage } from './coverage.js';

let bundled: Face[] | null = null;

/**
 * The bundled faces in fallback order; each is registered with the canvas engine when a text
 * first needs it. Throws when a file is missing.
 */
export function bundledFaces(): Face[] {
  if (bundled) return bundled;
  const require = createRequire(import.meta.url);
  const faces: Face[] = [];
  for (const { family, pkg, files, css } of BUNDLED_FAMILIES) {
    let declared = new Map<string, Coverage>();
    try {
      declared = declaredRanges(require.resolve(`${pkg}/${css}`));
    } catch {
      // Without the CSS every file is looked up whole.
    }
    files.forEach((file, index) => {
      const name = `${pkg}/${file}`;
      let where: string;
      try {
        where = require.resolve(name);
      } catch (error) {
        throw new CollageError(`the bundled caption font is missing (${name}); reinstall collage`, ExitCode.unexpected, { cause: error });
      }
      const alias = bundledAlias(family, index);
      const register = () => {
        const { GlobalFonts } = loadSkia();
        if (!GlobalFonts.registerFromPath(where, alias) || !GlobalFonts.has(alias)) {
          throw new CollageError(`the bundled caption font ${name} could not be registered with the canvas engine`, ExitCode.unexpected);
        }
      };
      faces.push(FileFace.bundled(alias, family, `${pkg}/${path.basename(file)}`, where, register, declared.get(path.basename(file)) ?? null));
    });
  }
  bundled = faces;
  return faces;
}

const installed = new Map<string, InstalledFace>();

/** A font installed on the machine by family name, or null when the canvas engine does not know it. */
export function installedFace(family: string): InstalledFace | null {
  // Asked each time: a job's font file is also known by its own family while registered.
  if (!loadSkia().GlobalFonts.has(family)) return null;
  let face = installed.get(family);
  if (face) return face;
  face = new InstalledFace(family);
  installed.set(family, face);
  return face;
}

interface Registration {
  key: FontKey;
  users: number;
}
const registrations = new Map<string, Registration>();

/** A job's font file, registered until `release`. */
export interface RegisteredFont {
  face: Face;
  release(): void;
}

/** Registers `bytes` (a font already read with readFontInfo) for one job. */
export function registerFontFile(bytes: Uint8Array, family: string, origin: string, coverage: Coverage): RegisteredFont {
  const alias = `collage-font-${createHash('sha256').update(bytes).digest('hex').slice(0, 20)}`;
  let registration = registrations.get(alias);
  if (!registration) {
    const key = loadSkia().GlobalFonts.register(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), alias);
    if (!key) throw new CollageError(`font ${origin}: the canvas engine could not load it`, ExitCode.usage);
    registration = { key, users: 0 };
    registrations.set(alias, registration);
  }
  registration.users++;
  let released = false;
  return {
    face: FileFace.registered(alias, family, origin, coverage),
    release() {
      if (released) return;
      released = true;
      const held = registrations.get(alias);
      if (held && --held.users === 0) {
        registrations.delete(alias);
        loadSkia().GlobalFonts.remove(held.key);
      }
    },
  };
}
