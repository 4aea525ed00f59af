import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defineConfig } from 'vitest/config';

// The CLI caches downloads under $XDG_CACHE_HOME by default: keep tests out of the user's cache.
const cacheHome = mkdtempSync(path.join(os.tmpdir(), 'collage-test-cache-'));

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Native addons (canvas, sharp) are safest in child processes, not worker threads.
    pool: 'forks',
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    env: { NO_COLOR: '1', DISABLE_SYSTEM_FONTS_LOAD: '1', XDG_CACHE_HOME: cacheHome },
  },
});
