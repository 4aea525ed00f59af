/** What a batch reports: one entry per job, a summary, the exit code; the table and JSON lines. */
import type { BuildReport } from '../build.js';
import { ExitCode, type ManifestProblem } from '../errors.js';
import { formatBytes } from '../sources/index.js';
import type { BuildWarning } from '../warnings.js';

export type JobStatus = 'built' | 'skipped' | 'failed' | 'invalid' | 'cancelled';

export interface JobReport {
  /** The manifest file, relative to the working folder when inside it. */
  manifest: string;
  /** Absolute output path; null when the manifest could not be read. */
  output: string | null;
  status: JobStatus;
  /** One line: why it was built or skipped, or why it failed. */
  reason: string;
  /** What `collage build` would have exited with for this manifest alone (0, 1, 2, 3 or 4). */
  exitCode: ExitCode;
  /** Wall time of the job, ms. */
  ms: number;
  /** Size of the output on disk (built or skipped). */
  bytes?: number;
  /** Image counts, failures and photos under the resolution threshold, when the job fetched images. */
  images?: Pick<BuildReport['images'], 'total' | 'fetched' | 'cached' | 'failed'> & Partial<Pick<BuildReport['images'], 'lowResolution' | 'resolution' | 'decoded' | 'cellCached'>>;
  /** Every manifest problem, for `invalid` jobs. */
  problems?: ManifestProblem[];
  /** Built jobs: what the user should know though the output was written. */
  warnings?: BuildWarning[];
}

export interface BatchSummary {
  total: number;
  built: number;
  skipped: number;
  failed: number;
  invalid: number;
  cancelled: number;
}

export interface BatchReport {
  jobs: JobReport[];
  summary: BatchSummary;
  /** Jobs run at once. */
  concurrency: number;
  /** Wall time, ms. */
  ms: number;
  /** True when the batch was aborted (signal) before every job finished. */
  interrupted: boolean;
  /**
   * 2 when any manifest was invalid (even if others failed: a broken manifest needs a person,
   * and 2 is what `collage build` gives it), else 3 when any job failed, else 0. Cancelled
   * jobs do not change it; the CLI exits 130/143 when interrupted by SIGINT/SIGTERM.
   */
  exitCode: ExitCode;
}

export type BatchEvent =
  | { type: 'batch-start'; jobs: number; concurrency: number }
  | { type: 'job-start'; manifest: string; output: string }
  | { type: 'job-end'; job: JobReport }
  | { type: 'batch-end'; summary: BatchSummary; ms: number; exitCode: ExitCode; interrupted: boolean };

export function summarize(jobs: JobReport[]): BatchSummary {
  const summary: BatchSummary = { total: jobs.length, built: 0, skipped: 0, failed: 0, invalid: 0, cancelled: 0 };
  for (const job of jobs) summary[job.status]++;
  return summary;
}

export function batchExitCode(summary: BatchSummary): ExitCode {
  if (summary.invalid > 0) return ExitCode.usage;
  if (summary.failed > 0) return ExitCode.imagesFailed;
  return ExitCode.ok;
}

/**
 * The end-of-run table: plain text, no colour, fits an 80-column cron mail when paths are short.
 * `low-res`: photos under the resolution threshold and the lowest dpi ("2 (96 dpi)"), 0 when
 * none, - when the job did not check.
 */
export function formatTable(report: BatchReport): string {
  const rows = report.jobs.map((job) => [job.status, job.manifest, job.bytes !== undefined ? formatBytes(job.bytes) : '-', seconds(job.ms), lowResColumn(job), job.reason]);
  const header = ['status', 'manifest', 'size', 'time', 'low-res', 'reason'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (i === header.length - 1 ? 0 : r[i]!.length))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const s = report.summary;
  const total =
    `${s.total} job${s.total === 1 ? '' : 's'}: ${s.built} built, ${s.skipped} skipped, ${s.failed} failed, ${s.invalid} invalid` +
    `${s.cancelled ? `, ${s.cancelled} cancelled` : ''} in ${seconds(report.ms)} (${report.concurrency} at a time)`;
  return [line(header), ...rows.map(line), total].join('\n') + '\n';
}

/** One JSON object per line for log shippers: a timestamp, the event type, its fields. */
export function formatEventLine(event: BatchEvent): string {
  const { type, ...fields } = event;
  const flat = 'job' in fields ? fields.job : fields;
  return `${JSON.stringify({ time: new Date().toISOString(), event: type, ...flat })}\n`;
}

/** One plain line per finished job, for stderr without a TTY (and with one). */
export function formatEventText(event: BatchEvent): string | null {
  if (event.type === 'batch-start') return `collage: batch of ${event.jobs} manifest${event.jobs === 1 ? '' : 's'}, ${event.concurrency} at a time\n`;
  if (event.type === 'job-end') {
    const j = event.job;
    const warnings = (j.warnings ?? []).map((w) => `collage:   warning: ${w.message}\n`).join('');
    return `collage: ${j.status} ${j.manifest}${j.bytes !== undefined && j.status === 'built' ? ` (${formatBytes(j.bytes)}, ${seconds(j.ms)})` : ''}: ${j.reason}\n${warnings}`;
  }
  return null;
}

function lowResColumn(job: JobReport): string {
  const low = job.images?.lowResolution;
  if (!low) return '-';
  if (low.length === 0) return '0';
  return `${low.length} (${Math.min(...low.map((p) => p.dpi))} dpi)`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}
