import { MIGRATION_JOBS } from '../../wire/migration-jobs.js';
import type { StepDefinition } from '../types.js';
import { jobStep } from './job-step.js';

/** One step per migration job of wire-server (src/wire/migration-jobs.ts), in Helm's order. */
export const migrationSteps: readonly StepDefinition[] = MIGRATION_JOBS.map(jobStep);
