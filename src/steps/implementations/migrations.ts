import { adminKubeconfigPath } from '../../cluster/kubeconfig.js';
import { MIGRATION_JOBS } from '../../wire/migration-jobs.js';
import { migrationJobCheck } from '../../workloads/migrations/job-check.js';
import type { Implementation } from './types.js';

/**
 * migrations.<job>: each hook job of wire-server confirmed Complete on the admin host, a failed
 * one explained (src/workloads/migrations/). A check, run on every apply: the jobs run again at
 * every helm upgrade of wire-server, so last week's success says nothing about today's.
 */
export const MIGRATIONS_IMPLEMENTATIONS: Record<string, Implementation> = Object.fromEntries(
  MIGRATION_JOBS.map((job): [string, Implementation] => [
    `migrations.${job.job}`,
    {
      operations: (inventory, _host, options) => [
        migrationJobCheck(job.job, adminKubeconfigPath(inventory, options.inventoryDir)),
      ],
      alwaysRun: true,
    },
  ]),
);
