import { adminKubeconfigPath } from '../../cluster/kubeconfig.js';
import type { MigrationJob } from '../../wire/migration-jobs.js';
import { migrationJobCheck } from '../../workloads/migrations/job-check.js';
import { defineStep, type WireStep } from '../define-step.js';
import { BOTH_MODES } from '../types.js';

/**
 * migrations.<job>: each hook job of wire-server confirmed Complete on the admin host, a failed
 * one explained (src/workloads/migrations/). A check, run on every apply: the jobs run again at
 * every helm upgrade of wire-server, so last week's success says nothing about today's.
 */
export function jobStep<const Job extends string>(job: MigrationJob<Job>): WireStep<`migrations.${Job}`> {
  return defineStep({
    id: `migrations.${job.job}` as const,
    stage: 'migrations',
    title: `Confirm job ${job.job} completed (${job.hook} hook)`,
    modes: BOTH_MODES,
    target: { kind: 'admin' },
    why: job.why,
    alwaysRun: true,
    operations: (inventory, _host, options) => [
      migrationJobCheck(job.job, adminKubeconfigPath(inventory, options.inventoryDir)),
    ],
  });
}
