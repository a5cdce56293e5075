import { resolve } from 'node:path';
import type { EngineStage, EngineStep } from '../engine/types.js';
import { ADMIN_HOST } from '../hosts/local-host.js';
import type { Inventory } from '../inventory/defaults.js';
import { missingNeed, type WireStageOptions } from '../steps/define-step.js';
import { findStep } from '../steps/registry.js';
import { buildPlan, type PlannedStep } from './build-plan.js';

/**
 * Wire's stages as the engine runs them: the plan (which steps, on which hosts, in which
 * order: build-plan.ts), each planned step carrying its step object's operations. A step that
 * needs what this run lacks (secrets.yaml, the bundle: missingNeed) is marked `unavailable`,
 * so a run that selects it is refused before any host is contacted.
 */

function engineStep(planned: PlannedStep, inventory: Inventory, options: WireStageOptions): EngineStep {
  const step = findStep(inventory.mode, planned.id);
  // The plan is built from the same step list, so this is a bug in wire-install, not bad input.
  if (!step) throw new Error(`plan: ${planned.id} is planned but is no step of ${inventory.mode} mode`);
  const admin = planned.target === 'admin';
  const unavailable = missingNeed(step, inventory, options);
  const { beforeConnect } = step;
  return {
    id: planned.id,
    title: planned.title,
    hosts: admin ? [ADMIN_HOST] : planned.hosts.map((host) => host.name),
    ...(admin ? { admin: true } : {}),
    order: planned.order === 'parallel' || planned.order === null ? 'parallel' : 'serial',
    ...(step.alwaysRun ? { alwaysRun: true } : {}),
    ...(step.upload ? { upload: true } : {}),
    ...(unavailable ? { unavailable } : {}),
    ...(beforeConnect ? { beforeConnect: () => beforeConnect(inventory, options) } : {}),
    operations: (host) => step.operations(inventory, host, options),
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
