// Kept under test/ so the top level stays as the project guide fixes it.
// Two vitest projects: `unit` runs on any machine without root; `kernel` runs only inside the
// user-mode kernel booted by test/kernel/boot.sh (see README, "Kernel tests").
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
        },
      },
      {
        test: {
          name: 'kernel',
          include: ['test/kernel/**/*.test.ts'],
          env: { FORCE_COLOR: '0' },
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          pool: 'forks',
        },
      },
    ],
  },
});
