import { MIGRATION_JOBS } from '../../wire/migration-jobs.js';
import { jobStep } from './job-step.js';

/** One step per migration job of wire-server (src/wire/migration-jobs.ts), in Helm's order. */
export const migrationSteps = MIGRATION_JOBS.map(jobStep);
