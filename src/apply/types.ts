import type { CommandContext } from '../core/command-context.js';
import type { EngineStage, StepSelection } from '../engine/types.js';
import type { Inventory } from '../inventory/defaults.js';
import type { WireStageOptions } from '../steps/define-step.js';

/**
 * The flags of a run on apply's engine, parsed and checked once by the command
 * (src/commands/apply.ts, src/commands/upgrade.ts): apply's, and upgrade's, which runs its own
 * stages on the same engine.
 */
export interface EngineRunFlags {
  /** -i: the inventory file, as given. */
  inventory: string;
  /** --secrets; absent: secrets.yaml beside the inventory. */
  secrets?: string;
  plan: boolean;
  from?: string;
  only?: string;
  force?: string;
  /** --concurrency, 1 to 500. */
  concurrency: number;
  /** --upload-concurrency, 1 to 500. */
  uploadConcurrency: number;
  /** --helm-timeout, a helm duration (src/workloads/helm/timeout.ts). */
  helmTimeout: string;
  strictHostKeys: boolean;
  allowUnsupportedOs: boolean;
  allowUndersized: boolean;
  dnsServer?: string;
  /** --check-drift (apply only): steps current by their checkpoint are checked again, drift repaired. */
  checkDrift?: boolean;
}

/** `wire-install apply`'s flags. */
export interface ApplyFlags extends EngineRunFlags {
  /** With --plan: the plan from the inventory alone, contacting no host. */
  offline: boolean;
}

/** --from, --only and --force as the engine (and the offline plan) select steps; an empty one selects nothing. */
export function stepSelection(flags: Pick<EngineRunFlags, 'from' | 'only' | 'force'>): StepSelection {
  return {
    ...(flags.from ? { from: flags.from } : {}),
    ...(flags.only ? { only: flags.only } : {}),
    ...(flags.force ? { force: flags.force } : {}),
  };
}

export type EngineStagesFactory = (
  inventory: Inventory,
  inventoryDir: string,
  options: Omit<WireStageOptions, 'bundleRoot'>,
) => EngineStage[];

export interface ApplyContext extends CommandContext {
  /**
   * The stages `apply` runs on hosts. Production leaves this undefined and gets Wire's stages
   * (src/steps); the lab play (test/lab/play) puts its own here, to test and benchmark the
   * engine through the same command, flags, output and state. upgrade puts its own stages here.
   */
  engineStages?: EngineStagesFactory;
}
