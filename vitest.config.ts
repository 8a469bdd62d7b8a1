import { defineConfig } from 'vitest/config';

// Two projects: `unit` tests sit beside the code and touch no sockets;
// `integration` tests (test/) start the real bin/thunderdb on free ports.
// Integration tests use the compiled dist/, so `npm test` builds first.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{log,materializers,query,protocols,admin,server}/**/*.test.ts'],
          testTimeout: 30_000,
          // Unit tests run first; a broken core fails fast before processes start.
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // Each file starts real server processes; two cores, so keep it modest.
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
