import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Two test files at a time, as the machines have two cores (VITEST_MAX_WORKERS overrides it). The suite is
    // CPU-bound either way (4 Dec, one machine: 1,237 s two at a time, 1,258–1,386 s one at a time on earlier runs);
    // a crash test beside another file takes twice as long (595 s) but the other file fills its waits. Run alone
    // after the rest, the crash tests made the whole run longer (~1,470 s). A test that waits for the event log
    // waits with caughtUp: another file's open transaction on the same server can hide committed events for a while.
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
