/**
 * The incremental fingerprint: a small sidecar `.<output>.collage.json` beside each output,
 * written (atomically) after the output. It records what fed the build:
 *
 * - the manifest file's size, mtime and SHA-256 (so editing or touching it rebuilds);
 * - a SHA-256 of the options that change the result (overrides, pixel and size limits,
 *   private-address blocking) and one of the normalised manifest (every length in pixels,
 *   every source resolved, headers included but never stored in clear);
 * - the collage version (a new renderer rebuilds);
 * - the output's size and mtime (a replaced or deleted output rebuilds);
 * - per input: a local file's size + mtime (taken from the handle the build read), or the
 *   ETag / Last-Modified of the response a URL's bytes came from; or that it failed.
 *
 * A job is skipped only when every one of these still holds. Files are re-checked with
 * stat(); URLs with a conditional HEAD (see revalidate.ts). What is NOT checked: a file
 * rewritten with the same size within the file system's mtime resolution, and a server that
 * changes an image without changing its ETag / Last-Modified.
 */
import { createHash } from 'node:crypto';
import { readFile, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import pLimit from 'p-limit';
import { writeAtomic } from '../output/write.js';
import type { Dispatcher } from 'undici';
import type { CollageSpec } from '../manifest/index.js';
import type { FetchOptions, InputValidators } from '../sources/index.js';
import { revalidateUrl } from './revalidate.js';

export const STATE_VERSION = 1;

export type InputRecord = ({ src: string } & InputValidators) | { src: string; kind: 'failed'; reason: string };

export interface JobState {
  stateVersion: typeof STATE_VERSION;
  collage: string;
  manifest: FileStamp & { sha256: string };
  options: string;
  spec: string;
  output: FileStamp;
  inputs: InputRecord[];
  builtAt: string;
}

export interface FileStamp {
  size: number;
  mtimeMs: number;
}

/** `.<output>.collage.json` beside the output. */
export function statePath(output: string): string {
  return path.join(path.dirname(output), `.${path.basename(output)}.collage.json`);
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The normalised manifest as a hash; the manifest's own path (relative or not) is left out. */
export function specHash(spec: CollageSpec): string {
  const { manifestFile: _ignored, ...rest } = spec;
  return sha256(JSON.stringify(rest));
}

export async function readState(output: string): Promise<JobState | null> {
  try {
    const state = JSON.parse(await readFile(statePath(output), 'utf8')) as JobState;
    return state.stateVersion === STATE_VERSION ? state : null;
  } catch {
    return null;
  }
}

export async function writeState(output: string, state: JobState): Promise<void> {
  await writeAtomic(statePath(output), `${JSON.stringify(state, null, 2)}\n`);
}

/** Drops the record before a rebuild, so a crash mid-build can never leave a stale "up to date". */
export async function clearState(output: string): Promise<void> {
  await unlink(statePath(output)).catch(() => {});
}

export async function stampOf(file: string): Promise<FileStamp | null> {
  const info = await stat(file).catch(() => null);
  return info ? { size: info.size, mtimeMs: info.mtimeMs } : null;
}

export interface Current {
  collage: string;
  manifest: FileStamp & { sha256: string };
  options: string;
  spec: string;
  output: string;
}

export interface Freshness {
  fresh: boolean;
  /** Why the job is built, or what was checked to skip it. */
  reason: string;
  /**
   * URLs the conditional HEAD saw change (or could not verify): the rebuild revalidates their
   * cached copies whatever freshness those claim, so the change reaches the pixels.
   */
  changedUrls?: string[];
}

/** Cheap checks first (stat, hashes), then inputs: files by stat, URLs by conditional HEAD. */
export async function checkFreshness(state: JobState | null, current: Current, net: { dispatcher: Dispatcher; options: FetchOptions; signal?: AbortSignal }): Promise<Freshness> {
  if (!state) return { fresh: false, reason: 'no record of an earlier build' };
  const output = await stampOf(current.output);
  if (!output) return { fresh: false, reason: 'output missing' };
  if (output.size !== state.output.size || output.mtimeMs !== state.output.mtimeMs) return { fresh: false, reason: 'output changed since the last build' };
  if (state.collage !== current.collage) return { fresh: false, reason: `collage version changed (${state.collage} → ${current.collage})` };
  if (state.manifest.sha256 !== current.manifest.sha256) return { fresh: false, reason: 'manifest changed' };
  if (state.manifest.mtimeMs !== current.manifest.mtimeMs || state.manifest.size !== current.manifest.size) {
    return { fresh: false, reason: 'manifest modified (mtime) since the last build' };
  }
  if (state.options !== current.options) return { fresh: false, reason: 'options changed' };
  if (state.spec !== current.spec) return { fresh: false, reason: 'normalised manifest changed' };

  const limit = pLimit(Math.max(1, net.options.concurrency));
  let files = 0;
  let urls = 0;
  const changedUrls: string[] = [];
  const verdicts = await Promise.all(
    state.inputs.map((input) =>
      limit(async (): Promise<string | null> => {
        if (input.kind === 'failed') return `${input.src} failed last time (${input.reason})`;
        if (input.kind === 'file') {
          files++;
          const now = await stampOf(input.path);
          if (!now) return `${input.src} is gone`;
          if (now.size !== input.size || now.mtimeMs !== input.mtimeMs) return `${input.src} changed (size or mtime)`;
          return null;
        }
        urls++;
        const result = await revalidateUrl(input, net);
        if (result.unchanged) return null;
        changedUrls.push(input.url);
        return `${input.src} changed or unverifiable: ${result.detail}`;
      }),
    ),
  );
  const changed = verdicts.filter((v): v is string => v !== null);
  if (changed.length > 0) {
    const more = changed.length > 1 ? ` (and ${changed.length - 1} more input${changed.length > 2 ? 's' : ''})` : '';
    return { fresh: false, reason: `input ${changed[0]}${more}`, changedUrls };
  }
  const checked = [files && `${files} file${files === 1 ? '' : 's'} by size+mtime`, urls && `${urls} URL${urls === 1 ? '' : 's'} by conditional HEAD`].filter(Boolean);
  return { fresh: true, reason: `up to date: manifest, options and output unchanged${checked.length ? `; inputs checked: ${checked.join(', ')}` : ''}` };
}
