/** CLI tests run the built `dist/cli/bin.cjs`, as users do: build it once, fresh. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export default function setup(): () => void {
  const root = path.join(import.meta.dirname, '..', '..');
  execFileSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
  // The CLI caches downloads under $XDG_CACHE_HOME by default: keep tests out of the
  // user's cache (test workers and the CLIs they spawn inherit this).
  const cacheHome = mkdtempSync(path.join(os.tmpdir(), 'collage-test-cache-'));
  process.env.XDG_CACHE_HOME = cacheHome;
  return () => rmSync(cacheHome, { recursive: true, force: true });
}
