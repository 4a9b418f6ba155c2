import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Two test files at a time on the 2-core machines: most integration time is waiting (crash tests kill and restart
    // stores, sagas wait for paysim); every file has its own database and ports, so files do not share state.
    maxWorkers: 2,
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
