import { defineConfig } from 'vitest/config';

// Unit and integration test files each run with a scratch HOME (test/support/home-guard.ts):
// nothing they start can reach the user's ~/.optical-meter-reader, and a file that wrote into the
// scratch home's data folder (it leaned on the default) fails.
const homeGuard = ['test/support/home-guard.ts'];

// One runner for everything. `npm test` runs the three projects; the e2e project needs the
// renderer build (`npm run build`), which `npm test` does first.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          setupFiles: homeGuard,
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          setupFiles: homeGuard,
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // Real ptys and sockets: one file at a time keeps timing honest on 2 cores.
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
