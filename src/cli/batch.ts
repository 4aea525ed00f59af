/**
 * `collage batch` on a terminal or under cron: events on stderr (plain lines, or JSON lines
 * with --log-format json), the table or the JSON report on stdout, --report FILE, and
 * SIGINT/SIGTERM: stop starting jobs, abort the running ones (no partial output, no temp
 * file), report, exit 128 + signal number. A second signal exits at once (temp files are
 * still removed by the exit handler of src/cleanup.ts; locks by proper-lockfile's).
 */
import { constants } from 'node:os';
import { writeAtomic } from '../output/write.js';
import { batch, formatEventLine, formatEventText, formatTable, type BatchEvent, type BatchOptions, type BatchReport } from '../batch/index.js';
import { CollageError, ExitCode } from '../errors.js';

export interface BatchOutputFlags {
  json?: boolean;
  quiet?: boolean;
  report?: string;
  logFormat?: string;
}

export async function runBatch(inputs: string[], options: BatchOptions, flags: BatchOutputFlags): Promise<number> {
  return runReporting(flags, {
    interrupted: 'starting no more jobs, aborting running ones (nothing partial is written)',
    run: (signal, onEvent, exclude) => batch(inputs, { ...options, signal, onEvent, exclude }),
  });
}

export interface ReportingRun {
  /** What happens on the first SIGINT/SIGTERM, for the stderr line. */
  interrupted: string;
  /** The stderr line for `batch-start`, when the default one does not fit. */
  startLine?: (event: Extract<BatchEvent, { type: 'batch-start' }>) => string;
  /** The table's last line says how many ran at once; a queue says worker connections. */
  tableTotals?: (table: string) => string;
  run: (signal: AbortSignal, onEvent: (event: BatchEvent) => void, exclude: string[]) => Promise<BatchReport>;
}

/**
 * Runs a batch (local or on the queue) for the terminal or cron: events on stderr, the table
 * or JSON on stdout, --report FILE, and exit 128 + signal number when interrupted.
 */
export async function runReporting(flags: BatchOutputFlags, how: ReportingRun): Promise<number> {
  const controller = new AbortController();
  let signalled: NodeJS.Signals | null = null;
  const onSignal = (sig: NodeJS.Signals) => {
    const code = 128 + (constants.signals[sig] ?? 1);
    if (signalled) process.exit(code);
    signalled = sig;
    if (!flags.quiet) process.stderr.write(`collage: ${sig}: ${how.interrupted}\n`);
    controller.abort(new CollageError(`interrupted by ${sig}`, ExitCode.unexpected));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const json = flags.logFormat === 'json';
  const text = !json && !flags.quiet && !flags.json;
  const onEvent = (event: BatchEvent) => {
    if (json) process.stderr.write(formatEventLine(event));
    else if (text) {
      const line = event.type === 'batch-start' && how.startLine ? how.startLine(event) : formatEventText(event);
      if (line) process.stderr.write(line);
    }
  };
  try {
    const report = await how.run(controller.signal, onEvent, flags.report ? [flags.report] : []);
    if (flags.report) await writeAtomic(flags.report, `${JSON.stringify(report, null, 2)}\n`);
    if (flags.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else if (!flags.quiet) process.stdout.write((how.tableTotals ?? ((t) => t))(formatTable(report)));
    return signalled ? 128 + (constants.signals[signalled] ?? 1) : report.exitCode;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
