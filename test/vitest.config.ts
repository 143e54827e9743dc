// Kept under test/ so the top level stays as the project guide fixes it.
// Two vitest projects: `unit` runs on any machine without root; `kernel` runs only inside the
// user-mode kernel, booted by test/run-all.mjs through test/kernel/uml.mjs (see README, "Kernel tests").
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  root,
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/kernel/**', 'node_modules/**'],
          env: { FORCE_COLOR: '0' },
          // Property and process-level tests on a loaded 2-core machine (CI) exceed vitest's 5 s.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'kernel',
          include: ['test/kernel/**/*.test.ts'],
          env: { FORCE_COLOR: '0' },
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // One kernel, one worker: files run one after another in a single forked process that
          // is reused (isolate: false), since every process start costs seconds in the guest.
          // Files therefore share module state: no vi.mock here, and undo changes in afterAll.
          fileParallelism: false,
          maxWorkers: 1,
          isolate: false,
          pool: 'forks',
        },
      },
    ],
  },
});
