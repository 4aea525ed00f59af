/**
 * `collage batch` on a terminal or under cron: events on stderr (plain lines, or JSON lines
 * with --log-format json), the table or the JSON report on stdout, --report FILE, and
 * SIGINT/SIGTERM: stop starting jobs, abort the running ones (no partial output, no temp
 * file), report, exit 128 + signal number. A second signal exits at once (temp files are
 * still removed by write-file-atomic's exit handler; locks by proper-lockfile's).
 */
import { constants } from 'node:os';
import writeFileAtomic from 'write-file-atomic';
import { batch, formatEventLine, formatEventText, formatTable, type BatchEvent, type BatchOptions } from '../batch/index.js';
import { CollageError, ExitCode } from '../errors.js';

export interface BatchOutputFlags {
  json?: boolean;
  quiet?: boolean;
  report?: string;
  logFormat?: string;
}

export async function runBatch(inputs: string[], options: BatchOptions, flags: BatchOutputFlags): Promise<number> {
  const controller = new AbortController();
  let signalled: NodeJS.Signals | null = null;
  const onSignal = (sig: NodeJS.Signals) => {
    const code = 128 + (constants.signals[sig] ?? 1);
    if (signalled) process.exit(code);
    signalled = sig;
    if (!flags.quiet) process.stderr.write(`collage: ${sig}: starting no more jobs, aborting running ones (nothing partial is written)\n`);
    controller.abort(new CollageError(`interrupted by ${sig}`, ExitCode.unexpected));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const json = flags.logFormat === 'json';
  const text = !json && !flags.quiet && !flags.json;
  const onEvent = (event: BatchEvent) => {
    if (json) process.stderr.write(formatEventLine(event));
    else if (text) {
      const line = formatEventText(event);
      if (line) process.stderr.write(line);
    }
  };
  try {
    const report = await batch(inputs, { ...options, signal: controller.signal, onEvent, ...(flags.report && { exclude: [flags.report] }) });
    if (flags.report) await writeFileAtomic(flags.report, `${JSON.stringify(report, null, 2)}\n`);
    if (flags.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else if (!flags.quiet) process.stdout.write(formatTable(report));
    return signalled ? 128 + (constants.signals[signalled] ?? 1) : report.exitCode;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
