import { defineConfig } from 'vitest/config';

/**
 * Two projects: unit and CLI tests run in parallel; lab tests run one file at a time, because
 * they share the lab's hosts (one file's reset must not undo another's apply). The build runs
 * once for both; the lab (five hosts, test/lab/global-setup.ts) only when lab tests run.
 */
export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts', 'test/cli/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'lab',
          include: ['test/lab/**/*.test.ts'],
          globalSetup: ['test/global-setup.ts', 'test/lab/global-setup.ts'],
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});
