import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Two test files at a time (each its own process and database; the store's ports are picked free): most of a
    // file's time is waiting — on the store, PostgreSQL, timers — or importing the app, so two overlap well on the
    // 2-core machines. Measured 4 Dec on the module integration tests: 432 s one at a time, 320 s two at a time.
    // VITEST_MAX_WORKERS overrides it (1 to debug one file's timing).
    maxWorkers: Number(process.env.VITEST_MAX_WORKERS ?? 2),
    projects: [
      { test: { name: 'unit', include: ['src/**/*.test.ts'], exclude: ['src/**/*.int.test.ts'] } },
      {
        test: {
          name: 'integration',
          include: ['src/**/*.int.test.ts', 'test/**/*.test.ts'],
          globalSetup: ['test/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
