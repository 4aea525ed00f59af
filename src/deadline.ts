/**
 * The job's deadline (`jobTimeout`): a signal that aborts with a JobDeadlineError when the time
 * is up. The images stage turns it into a failure of each photo it caught unfinished; build()
 * and plan() check it between stages.
 */
import { CollageError, ExitCode, JobDeadlineError } from './errors.js';

export interface JobDeadline {
  signal: AbortSignal;
  /** Stops the timer (the job ended first). */
  clear(): void;
}

export function startJobDeadline(ms: number | undefined): JobDeadline | null {
  if (ms === undefined) return null;
  if (!(ms > 0 && Number.isFinite(ms))) throw new CollageError(`jobTimeout must be a positive number of milliseconds, not ${ms}`, ExitCode.usage);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new JobDeadlineError(ms)), ms);
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}
