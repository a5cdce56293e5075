import { assetsSteps } from './assets/index.js';
import { bootstrapHostSteps } from './bootstrap-host/index.js';
import { databaseSteps } from './databases/index.js';
import type { WireStep } from './define-step.js';
import { kubernetesSteps } from './kubernetes/index.js';
import { migrationSteps } from './migrations/index.js';
import { preflightSteps } from './preflight/index.js';
import { STAGE_IDS } from './stages.js';
import type { Mode } from './types.js';
import { verifySteps } from './verify/index.js';
import { workloadSteps } from './workloads/index.js';

/**
 * Every step, stage by stage in execution order. Filtered to one mode, the list is exactly
 * the order `apply` runs in. The workloads stage holds the chart steps of both modes (their
 * orders differ, docs/wire/charts-values-secrets.md#install-order), so an id can appear twice here, never twice in one mode.
 */
export const allSteps = [
  ...preflightSteps,
  ...assetsSteps,
  ...bootstrapHostSteps,
  ...kubernetesSteps,
  ...databaseSteps,
  ...workloadSteps,
  ...migrationSteps,
  ...verifySteps,
] as const satisfies readonly WireStep[];

/**
 * The id of one of Wire's steps, checked by the compiler: doctor, upgrade and the tests name
 * steps by StepId, so a renamed or removed step breaks the build, not a run.
 */
export type StepId = (typeof allSteps)[number]['id'];

/** Whether an id (from a flag, the state file) names one of Wire's steps in any mode. */
export function isStepId(id: string): id is StepId {
  return allSteps.some((step) => step.id === id);
}

/** The steps of one mode, in execution order. */
export function stepsForMode(mode: Mode): WireStep[] {
  return allSteps.filter((step) => step.modes.includes(mode));
}

/** A step by id, within one mode (the engine's --only/--from look-ups). */
export function findStep(mode: Mode, id: string): WireStep | undefined {
  return stepsForMode(mode).find((step) => step.id === id);
}

/** Guards the invariants the plan and the state file rely on; run by the tests. */
export function registryProblems(steps: readonly WireStep[] = allSteps): string[] {
  const problems: string[] = [];
  let lastStage = 0;
  for (const step of steps) {
    const stage = STAGE_IDS.indexOf(step.stage);
    if (stage < lastStage) problems.push(`${step.id}: stage ${step.stage} out of order`);
    lastStage = Math.max(lastStage, stage);
    if (!step.id.startsWith(`${step.stage}.`))
      problems.push(`${step.id}: id does not start with ${step.stage}.`);
    if (!/^[a-z0-9-]+\.[a-z0-9-]+$/.test(step.id))
      problems.push(`${step.id}: id is not <stage>.<kebab-name>`);
    if (step.target.kind === 'admin' && step.order) problems.push(`${step.id}: order on an admin step`);
    if (step.modes.length === 0) problems.push(`${step.id}: no mode`);
  }
  for (const mode of ['demo', 'production'] as const) {
    const seen = new Set<string>();
    for (const step of steps.filter((candidate) => candidate.modes.includes(mode))) {
      if (seen.has(step.id)) problems.push(`${step.id}: twice in ${mode} mode`);
      seen.add(step.id);
    }
  }
  return problems;
}
