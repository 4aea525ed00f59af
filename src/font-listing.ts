/** `collage fonts`: the caption fonts in fallback order, and the scripts each draws. */
import { ManifestError, type ManifestProblem } from './errors.js';
import { fetchFontFiles } from './job-fonts.js';
import { loadManifest, type FontFileSpec, type ManifestOverrides, type ManifestSource } from './manifest/index.js';
import { resolveLocation } from './manifest/normalize.js';
import { FontSet, scriptsCovered, type Face, type LoadedFontFile, type ScriptCoverage } from './render/fonts/index.js';
import { createSourceLoader, type FetchOptions } from './sources/index.js';

export interface FontListingOptions extends ManifestOverrides {
  /** List this manifest's `fonts` too, and installed families its captions name. */
  manifest?: ManifestSource;
  fetch?: Partial<FetchOptions>;
  signal?: AbortSignal;
}

export interface FontListingEntry {
  family: string;
  kind: Face['kind'];
  /** Package files, the path or URL, or "installed". */
  origin: string[];
  scripts: ScriptCoverage[];
}

export interface FontListing {
  /** In fallback order: a character is drawn by the first family that has it. */
  chain: FontListingEntry[];
}

export async function listFonts(options: FontListingOptions = {}): Promise<FontListing> {
  const { manifest, fetch, signal, ...overrides } = options;
  let sources: FontFileSpec[];
  let named: string[] = [];
  if (manifest !== undefined) {
    const spec = await loadManifest(manifest, overrides);
    sources = spec.fonts;
    named = [...new Set(spec.images.flatMap((image) => (image.look?.caption ? [image.look.caption.font] : [])))];
  } else {
    const problems: ManifestProblem[] = [];
    const cwd = overrides.cwd ?? process.cwd();
    sources = (overrides.fonts ?? []).map((src) => ({ src, location: resolveLocation(src, cwd, '--font', problems), where: '--font', fromCommandLine: true }));
    if (problems.length > 0) throw new ManifestError('<command line>', problems);
  }
  const fonts = FontSet.withFiles(await loadFontFiles(sources, fetch, signal));
  try {
    const faces = [...fonts.faces()];
    for (const family of named) {
      const primary = fonts.chain(family)?.faces[0];
      if (primary?.kind === 'installed' && !faces.includes(primary)) faces.push(primary);
    }
    return { chain: groupByFamily(faces).map((group) => describe(group)) };
  } finally {
    fonts.release();
  }
}

async function loadFontFiles(sources: readonly FontFileSpec[], fetch: Partial<FetchOptions> | undefined, signal: AbortSignal | undefined): Promise<LoadedFontFile[]> {
  if (sources.length === 0) return [];
  const loader = createSourceLoader(fetch);
  try {
    return await fetchFontFiles(sources, async (source) => Buffer.from((await loader.load(source, signal)).bytes));
  } finally {
    await loader.close();
  }
}

/** Consecutive faces of one family and kind (Inter's seven files) as one entry. */
function groupByFamily(faces: readonly Face[]): Face[][] {
  const groups: Face[][] = [];
  for (const face of faces) {
    const last = groups[groups.length - 1];
    if (last && last[0]!.family === face.family && last[0]!.kind === face.kind && face.kind === 'bundled') last.push(face);
    else groups.push([face]);
  }
  return groups;
}

function describe(group: Face[]): FontListingEntry {
  const first = group[0]!;
  return { family: first.family, kind: first.kind, origin: group.map((face) => face.origin), scripts: scriptsCovered(group) };
}

/** The listing as text: one family a line, with where it comes from and what it draws. */
export function formatFontListing(listing: FontListing): string {
  const lines = ['Caption fonts, in fallback order (each character is drawn by the first that has it):'];
  listing.chain.forEach((entry, i) => {
    const origin =
      entry.kind === 'bundled'
        ? `bundled, ${packageOf(entry.origin[0]!)}${entry.origin.length > 1 ? `, ${entry.origin.length} files` : ''}`
        : entry.kind === 'file'
          ? entry.origin[0]!
          : 'installed';
    const scripts = entry.scripts.map((s) => (s.complete ? s.name : `${s.name} (some)`)).join(', ') || 'no script checked here';
    lines.push(`${String(i + 1).padStart(3)}. ${entry.family} (${origin})`, `       ${scripts}`);
  });
  lines.push('Chinese, Japanese and Korean are not bundled (a CJK font is ~20 MB or more): add one with "fonts" in the manifest or --font.');
  return `${lines.join('\n')}\n`;
}

function packageOf(origin: string): string {
  return origin.startsWith('@') ? origin.split('/').slice(0, 2).join('/') : origin.split('/')[0]!;
}
