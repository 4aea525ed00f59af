// Preloaded with `node --import ./bench/rusage.mjs …` into every measured process: on exit,
// writes the process's own getrusage (all threads: CPU user/system, peak RSS) to
// $BENCH_RUSAGE_FILE. This is how the bench reads a child's peak RSS without /usr/bin/time.
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_RUSAGE_FILE;
if (file) {
  process.on('exit', (code) => {
    const usage = process.resourceUsage();
    writeFileSync(file, JSON.stringify({ code, userMicros: usage.userCPUTime, systemMicros: usage.systemCPUTime, maxRssKiB: usage.maxRSS }));
  });
}
