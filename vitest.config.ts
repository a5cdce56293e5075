import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { labSlots } from './test/lab/lab-slots.js';

/**
 * Lab test files that may run at once: one per slot of the lab (test/lab/lab-hosts.ts); one when
 * LAB_SLOT names the slot every file is to use.
 */
const LAB_SLOTS = process.env.LAB_SLOT ? 1 : labSlots();

/**
 * Three projects: unit and CLI tests, and the conformance suite with Wire's real charts, run in
 * parallel; lab tests run one file per slot of the lab at a time, because a slot's hosts are
 * shared by the files that use it (one file's reset must not undo another's apply). With one
 * slot (the default) the lab runs in a single fork after the rest; scripts/test.sh runs the lab
 * in a vitest of its own with LAB_SLOTS=2, two files at once, beside the unit tests. The build
 * runs once; the lab (test/lab/global-setup.ts) only when lab tests run.
 */
export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    // Vitest's default is one worker fewer than the CPUs: on a 2-CPU machine one, and the lab
    // (mostly waiting on its hosts) then ran after the unit and conformance files instead of
    // beside them. The lab's single fork plus at least one worker for the rest.
    // With lab slots, no more workers than slots: a lab file's slot is its pool id (1..workers).
    maxWorkers: LAB_SLOTS > 1 ? LAB_SLOTS : Math.max(2, availableParallelism()),
    // Generous: a test that waits its turn for a CPU (the lab runs beside the unit tests) is not a
    // failure; one that hangs still fails.
    testTimeout: 120_000,
    // No test may reach a real host: SSH only to loopback and the lab (src/hosts/network-fence.ts).
    env: { WIRE_INSTALL_ONLY_NETWORKS: '127.0.0.0/8,::1/128,172.31.0.0/24' },
    hookTimeout: 120_000,
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
          poolOptions: { forks: { singleFork: LAB_SLOTS === 1 } },
        },
      },
    ],
  },
});
