/**
 * Bench inputs: deterministic photo-like JPEGs, generated once into bench/.data/ (gitignored)
 * by parallel child processes, and reused on later runs.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mulberry32 } from '../scripts/photo-like.js';

/** Bump when the generator or the parameters below change: old files are then ignored. */
export const GEN_VERSION = 1;
export const DATA_DIR = path.join(import.meta.dirname, '.data', `v${GEN_VERSION}`);

export interface InputSpec {
  /** Path relative to DATA_DIR, also the URL path on the bench server. */
  file: string;
  seed: number;
  width: number;
  height: number;
  quality: number;
}

export interface InputFile extends InputSpec {
  bytes: number;
}

/** 20 slots: 14 landscape (70%), 5 portrait (25%), 1 square (5%), in a fixed scattered order. */
const MIX: ReadonlyArray<[number, number]> = (() => {
  const slots: Array<[number, number]> = [
    ...Array.from({ length: 14 }, () => [1024, 768] as [number, number]),
    ...Array.from({ length: 5 }, () => [768, 1024] as [number, number]),
    [1024, 1024],
  ];
  const random = mulberry32(20_251_125);
  for (let i = slots.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [slots[i], slots[j]] = [slots[j]!, slots[i]!];
  }
  return slots;
})();

/** The i-th flickr-like photo: the 70/25/5 size mix, JPEG quality 86..94 (≈170-400 KB with this grain). */
export function flickrSpec(i: number): InputSpec {
  const [width, height] = MIX[i % MIX.length]!;
  const quality = 86 + Math.floor(mulberry32(i + 1)() * 9);
  return { file: `flickr/${String(i).padStart(5, '0')}.jpg`, seed: 1000 + i, width, height, quality };
}

/** The i-th 12 Mpx camera original. */
export function originalSpec(i: number): InputSpec {
  return { file: `originals/${String(i).padStart(4, '0')}.jpg`, seed: 500_000 + i, width: 4000, height: 3000, quality: 92 };
}

/** Makes sure every spec exists on disk, generating the missing ones in parallel child processes. */
export async function ensureInputs(specs: InputSpec[], log: (line: string) => void): Promise<InputFile[]> {
  const missing = specs.filter((spec) => !existsSync(path.join(DATA_DIR, spec.file)));
  if (missing.length > 0) {
    const workers = Math.max(1, Math.min(os.availableParallelism(), missing.length));
    log(`generating ${missing.length} input JPEGs with ${workers} processes into ${path.relative(process.cwd(), DATA_DIR)} …`);
    const started = performance.now();
    mkdirSync(path.join(DATA_DIR, 'flickr'), { recursive: true });
    mkdirSync(path.join(DATA_DIR, 'originals'), { recursive: true });
    // Largest first so the processes finish together.
    const ordered = [...missing].sort((a, b) => b.width * b.height - a.width * a.height);
    const shares: InputSpec[][] = Array.from({ length: workers }, () => []);
    ordered.forEach((spec, i) => shares[i % workers]!.push(spec));
    let done = 0;
    await Promise.all(
      shares.map(async (share, w) => {
        const jobs = path.join(DATA_DIR, `.jobs-${process.pid}-${w}.json`);
        writeFileSync(jobs, JSON.stringify({ dir: DATA_DIR, specs: share }));
        await runWorker(jobs, () => {
          done++;
          if (done % 100 === 0 || done === missing.length) log(`  ${done}/${missing.length}`);
        });
      }),
    );
    log(`generated in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  return specs.map((spec) => ({ ...spec, bytes: statSync(path.join(DATA_DIR, spec.file)).size }));
}

function runWorker(jobsFile: string, onFile: () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    // Same loader flags as this process (tsx), so the worker can be TypeScript.
    const child = spawn(process.execPath, [...process.execArgv, path.join(import.meta.dirname, 'gen-worker.ts'), jobsFile], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let buffered = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line.startsWith('ok ')) onFile();
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`input generator exited with ${code}`))));
  });
}
