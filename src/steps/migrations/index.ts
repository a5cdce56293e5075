import { MIGRATION_JOBS, type MigrationJob } from '../../wire/migration-jobs.js';
import { BOTH_MODES, type StepDefinition } from '../types.js';

function jobStep(job: MigrationJob): StepDefinition {
  return {
    id: `migrations.${job.job}`,
    stage: 'migrations',
    title: `Confirm job ${job.job} completed (${job.hook} hook)`,
    modes: BOTH_MODES,
    target: { kind: 'admin' },
    why: job.why,
  };
}

/** One step per migration job of wire-server (src/wire/migration-jobs.ts), in Helm's order. */
export const migrationSteps: readonly StepDefinition[] = MIGRATION_JOBS.map(jobStep);
