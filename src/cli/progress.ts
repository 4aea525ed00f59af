/**
 * Progress on stderr: one redrawn line on a TTY, a few plain lines otherwise (cron logs),
 * nothing with --quiet. No colour is ever written, so NO_COLOR holds trivially.
 */
import type { ProgressEvent } from '../build.js';
import { formatBytes } from '../sources/index.js';

export interface ProgressReporter {
  (event: ProgressEvent): void;
  /** Erase a live line before something else is printed. */
  clear(): void;
}

export function createProgressReporter(stream: NodeJS.WriteStream, mode: 'tty' | 'plain' | 'quiet'): ProgressReporter {
  let lastDraw = 0;
  let live = false;
  let nextQuarter = 1;

  const clear = () => {
    if (live) stream.write('\r\x1b[2K');
    live = false;
  };

  const report = ((event: ProgressEvent) => {
    if (mode === 'quiet') return;
    if (event.type === 'start') {
      const line = `collage: ${event.total} image${event.total === 1 ? '' : 's'} → ${event.output} (${event.width}×${event.height} px)`;
      stream.write(`${line}\n`);
      return;
    }
    if (event.type === 'image') {
      const text = `${event.done}/${event.total} images (${event.fetched} downloaded, ${event.cached} from cache, ${event.failed} failed), ${formatBytes(event.bytes)}`;
      if (mode === 'tty') {
        const now = Date.now();
        if (now - lastDraw < 100 && event.done < event.total) return;
        lastDraw = now;
        const width = 24;
        const filled = Math.round((event.done / event.total) * width);
        stream.write(`\r\x1b[2K[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}`);
        live = true;
      } else if (event.done >= (nextQuarter * event.total) / 4) {
        while (event.done >= (nextQuarter * event.total) / 4) nextQuarter++;
        stream.write(`collage: ${text}\n`);
      }
      return;
    }
    clear();
    if (event.type === 'encode') stream.write(`collage: encoding ${event.format.toUpperCase()}\n`);
    else stream.write(`collage: wrote ${event.path} (${formatBytes(event.bytes)})\n`);
  }) as ProgressReporter;
  report.clear = clear;
  return report;
}
