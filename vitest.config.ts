import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Hang detectors only: no test asserts speed (that is `npm run bench`), and on a loaded
    // 2-core machine the slowest tests take several times their idle time.
    testTimeout: 600_000,
    hookTimeout: 600_000,
    env: { NO_COLOR: '1', DISABLE_SYSTEM_FONTS_LOAD: '1' },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          // Native addons (canvas, sharp) are safest in child processes, not worker threads.
          pool: 'forks',
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
      {
        // Type tests of the public API (`expectTypeOf`, `@ts-expect-error`): tsc only, nothing
        // runs, so no build of dist first.
        extends: true,
        test: {
          name: 'types',
          include: [],
          typecheck: { enabled: true, only: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json', spawnTimeout: 600_000 },
        },
      },
    ],
  },
});
