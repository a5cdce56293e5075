import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * Three projects: unit and CLI tests, and the conformance suite with Wire's real charts, run in parallel; lab tests run one file at a time, because
 * they share the lab's hosts (one file's reset must not undo another's apply). The build runs
 * once for both; the lab (five hosts, test/lab/global-setup.ts) only when lab tests run.
 */
export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    // Vitest's default is one worker fewer than the CPUs: on a 2-CPU machine one, and the lab
    // (mostly waiting on its hosts) then ran after the unit and conformance files instead of
    // beside them. The lab's single fork plus at least one worker for the rest.
    maxWorkers: Math.max(2, availableParallelism()),
    testTimeout: 30_000,
    // No test may reach a real host: SSH only to loopback and the lab (src/hosts/network-fence.ts).
    env: { WIRE_INSTALL_ONLY_NETWORKS: '127.0.0.0/8,::1/128,172.31.0.0/24' },
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts', 'test/cli/**/*.test.ts'] },
      },
      {
        // Wire's real charts rendered by the real helm (test/conformance/charts.test.ts).
        extends: true,
        // It reads no build output, so it needs no build (globalSetup).
        test: { name: 'conformance', include: ['test/conformance/**/*.test.ts'], globalSetup: [] },
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
