/**
 * HEIC/HEIF (phone photos). libvips as shipped inside sharp reads only AV1 HEIF (AVIF), not
 * HEVC, so HEIC goes through `heic-decode`: libheif compiled to WASM. It is an *optional*
 * dependency because its `libheif-js` is LGPL-3.0: it stays a separately installed,
 * user-replaceable npm package that collage loads at run time and never bundles or copies,
 * which keeps collage itself MIT. When it is missing (`npm install --omit=optional`), a HEIC
 * photo fails with a reason saying so, and nothing else is affected.
 *
 * libheif applies the container's rotation and mirror boxes (irot/imir) itself, so the pixels
 * come back upright. It hands back RGBA without colour management: an ICC or nclx profile in
 * the file is not applied (the pixels are taken as sRGB).
 */

interface HeicImage {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}
interface HeicDecode {
  (options: { buffer: Uint8Array }): Promise<HeicImage>;
  all(options: { buffer: Uint8Array }): Promise<{ width: number; height: number }[] & { dispose(): void }>;
}

let decoder: Promise<HeicDecode | null> | undefined;

function loadDecoder(): Promise<HeicDecode | null> {
  // A variable specifier: the package is optional, so there are no types to check against.
  const name = 'heic-decode';
  decoder ??= import(name).then(
    (module: { default: HeicDecode }) => module.default,
    () => null,
  );
  return decoder;
}

export const HEIC_MISSING = 'HEIC is not supported in this install (the optional heic-decode package is missing): convert to JPEG, or npm install heic-decode';

async function required(): Promise<HeicDecode> {
  const decode = await loadDecoder();
  if (!decode) throw new Error(HEIC_MISSING);
  return decode;
}

let quiet = 0;
const log = console.log;

/**
 * libheif-js reports parse errors with console.log, which would land in `--json` output on
 * stdout. The message also comes back as the error we report, so it is dropped while libheif
 * runs (its parse is synchronous after one await, so the window is a few microtasks).
 */
async function quietly<T>(work: () => Promise<T>): Promise<T> {
  if (quiet++ === 0) console.log = () => {};
  try {
    return await work();
  } finally {
    if (--quiet === 0) console.log = log;
  }
}

/** Width and height of the primary image, from the container (no pixels decoded). */
export async function heicSize(bytes: Buffer): Promise<{ width: number; height: number }> {
  const decode = await required();
  const images = await quietly(() => decode.all({ buffer: bytes }));
  try {
    const [first] = images;
    if (!first) throw new Error('no image in the file');
    return { width: first.width, height: first.height };
  } finally {
    images.dispose();
  }
}

/** The primary image as upright 8-bit RGBA. */
export async function decodeHeicRgba(bytes: Buffer): Promise<HeicImage> {
  const decode = await required();
  return quietly(() => decode({ buffer: bytes }));
}
