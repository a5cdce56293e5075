import { resolve } from 'node:path';
import type { EngineStage, EngineStep } from '../engine/types.js';
import { ADMIN_HOST } from '../hosts/local-host.js';
import type { Inventory } from '../inventory/defaults.js';
import { buildPlan, type PlannedStep } from '../plan/build-plan.js';
import type { WireStep } from './define-step.js';
import type { Implementation, WireStageOptions } from './implementations/types.js';
import { findStep } from './registry.js';

/**
 * Wire's stages as the engine runs them: the plan (which steps, on which hosts, in which
 * order: build-plan.ts) with each step's operations (implementations/). Steps without
 * operations yet are marked `unavailable`, as are steps that need secrets.yaml or the bundle
 * when they are missing: a run that selects one is refused before any host is contacted.
 */
export type { WireStageOptions } from './implementations/types.js';

const IMPLEMENTATIONS: Record<string, Implementation> = {
};

/** Which issue brings the operations of a step that has none yet. */
function missingReason(step: PlannedStep): string {
  if (step.stage === 'workloads' || step.stage === 'migrations' || step.stage === 'verify')
    return 'not built yet (the workloads issue)';
  return 'not built yet (issue 4)';
}

function unavailable(
  implementation: Implementation | undefined,
  step: PlannedStep,
  inventory: Inventory,
  options: WireStageOptions,
): { unavailable?: string } {
  if (!implementation) return { unavailable: missingReason(step) };
  if (implementation.needsBundle && !inventory.bundle.path)
    return { unavailable: 'needs bundle.path in the inventory (the unpacked offline bundle)' };
  if (implementation.needsSecrets && !options.secrets)
    return {
      unavailable: `needs ${options.secretsPath}, which does not exist (wire-install init writes it)`,
    };
  return {};
}

/** A step made with defineStep, seen through the older Implementation shape while stages move over. */
function fromDefinedStep(step: WireStep): Implementation {
  return {
    operations: step.operations,
    ...(step.needs.includes('bundle') ? { needsBundle: true } : {}),
    ...(step.needs.includes('secrets') ? { needsSecrets: true } : {}),
    ...(step.alwaysRun ? { alwaysRun: true } : {}),
    ...(step.upload ? { upload: true } : {}),
    ...(step.beforeConnect ? { beforeConnect: step.beforeConnect } : {}),
  };
}

function engineStep(step: PlannedStep, inventory: Inventory, options: WireStageOptions): EngineStep {
  const defined = findStep(inventory.mode, step.id);
  const implementation =
    defined && 'operations' in defined ? fromDefinedStep(defined as WireStep) : IMPLEMENTATIONS[step.id];
  const admin = step.target === 'admin';
  return {
    id: step.id,
    title: step.title,
    hosts: admin ? [ADMIN_HOST] : step.hosts.map((host) => host.name),
    ...(admin ? { admin: true } : {}),
    order: step.order === 'parallel' || step.order === null ? 'parallel' : 'serial',
    ...(implementation?.alwaysRun ? { alwaysRun: true } : {}),
    ...(implementation?.upload ? { upload: true } : {}),
    ...unavailable(implementation, step, inventory, options),
    ...(implementation?.beforeConnect
      ? { beforeConnect: () => implementation.beforeConnect?.(inventory, options) ?? Promise.resolve() }
      : {}),
    operations: (host) => implementation?.operations(inventory, host, options) ?? [],
  };
}

export function wireEngineStages(
  inventory: Inventory,
  inventoryDir: string,
  stageOptions: Omit<WireStageOptions, 'bundleRoot'>,
): EngineStage[] {
  const bundleRoot = inventory.bundle.path ? resolve(inventoryDir, inventory.bundle.path) : undefined;
  const options: WireStageOptions = { ...stageOptions, bundleRoot };
  return buildPlan(inventory)
    .stages.filter((stage) => stage.steps.length > 0)
    .map((stage) => ({
      id: stage.id,
      title: stage.title,
      steps: stage.steps.map((step) => engineStep(step, inventory, options)),
    }));
}
