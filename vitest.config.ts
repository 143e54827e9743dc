// Two vitest projects: `unit` runs on any machine without root; `kernel` runs only inside the
// user-mode kernel booted by test/kernel/boot.sh (see README, "Kernel tests").
import { defineConfig } from 'vitest/config';

export default defineConfig({
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
