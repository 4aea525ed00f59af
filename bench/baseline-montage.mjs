// ImageMagick `montage` baseline, run when `montage` is on PATH. Downloads every photo (the same
// undici settings as the other systems) into a temporary folder, then one `montage` call tiles
// them the way collage's grid does: each photo resized on read to cover its cell
// (`file[WxH^]`, with `jpeg:size` so libjpeg shrinks on load), centre-cropped to it
// (`-extent`), in the plan's columns and rows with its gaps, written as JPEG q92 4:4:4 or PNG.
// Its tiles carry half a gap around each cell, so its page lacks collage's outer margin (a second
// montage to add it costs ~50 % more time): the bench does not diff its output.
// montage is a child process, which this process's resourceUsage() does not count: its CPU
// comes from bash's `times` and its peak RSS from polling /proc, both added to the report.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createTimings, forEachImage, readJob, report } from './baseline-common.mjs';

const job = readJob();
const timings = createTimings();
const dir = mkdtempSync(path.join(os.tmpdir(), 'collage-bench-montage-'));
try {
  const files = job.placements.map((_, i) => path.join(dir, `${String(i).padStart(5, '0')}.jpg`));
  const index = new Map(job.placements.map((placement, i) => [placement, i]));
  await forEachImage(job, timings, async (bytes, placement) => writeFileSync(files[index.get(placement)], bytes));

  const [first, second] = job.placements;
  const columns = job.placements.filter((p) => p.y === first.y).length;
  const rows = Math.ceil(job.placements.length / columns);
  const below = job.placements[columns] ?? first;
  const gapX = second && second.y === first.y ? second.x - first.x - first.width : 0;
  const gapY = below.y - first.y - first.height;
  const cell = `${first.width}x${first.height}`;
  const { r, g, b } = job.background;
  const args = [
    '-define',
    `jpeg:size=${first.width * 2}x${first.height * 2}`,
    ...files.map((file) => `${file}[${cell}^]`),
    '-gravity',
    'center',
    '-extent',
    cell,
    '-tile',
    `${columns}x${rows}`,
    '-geometry',
    `${cell}+${Math.floor(gapX / 2)}+${Math.floor(gapY / 2)}`,
    '-background',
    `rgb(${r},${g},${b})`,
    ...(job.format === 'png' ? ['-depth', '8', '-define', 'png:compression-level=6'] : ['-quality', String(job.quality), '-sampling-factor', '1x1', '-interlace', 'none']),
    job.output,
  ];
  const t = performance.now();
  const { childCpuMs, childPeakRssMB } = await runMontage(args);
  timings.encode = performance.now() - t;
  timings.childCpu = childCpuMs;
  timings.childPeakRssMB = childPeakRssMB;
  report(timings, statSync(job.output).size);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** Runs montage under bash, for `times` (children's user and system CPU); polls its VmHWM. */
function runMontage(args) {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', 'montage "$@"; status=$?; times >&2; exit $status', 'bash', ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
      // Our resource limits (imagemagick/policy.xml): under Debian's, a poster fails outright.
      env: { ...process.env, MAGICK_CONFIGURE_PATH: path.join(import.meta.dirname, 'imagemagick') },
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    let peakKiB = 0;
    const poll = setInterval(() => {
      try {
        for (const pid of readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) {
          const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
          if (match) peakKiB = Math.max(peakKiB, Number(match[1]));
        }
      } catch {
        // between processes, or no /proc
      }
    }, 100);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(poll);
      const lines = stderr.trim().split('\n');
      // `times`: the shell's own user/system line, then its children's ("0m12.345s 0m0.678s").
      const children = (lines.at(-1) ?? '').match(/(\d+)m([\d.]+)s/g) ?? [];
      if (code !== 0 || children.length !== 2) {
        reject(new Error(`montage: exit ${code}: ${lines.slice(0, -2).join(' | ').slice(0, 300)}`));
        return;
      }
      const ms = (t) => {
        const [, m, s] = /(\d+)m([\d.]+)s/.exec(t);
        return (Number(m) * 60 + Number(s)) * 1000;
      };
      resolve({ childCpuMs: ms(children[0]) + ms(children[1]), childPeakRssMB: peakKiB / 1024 });
    });
  });
}
