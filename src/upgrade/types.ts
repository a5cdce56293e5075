import type { EngineRunFlags } from '../apply/types.js';
import type { EngineStage } from '../engine/types.js';
import type { Inventory } from '../inventory/defaults.js';
import type { WireStageOptions } from '../steps/define-step.js';

/**
 * `wire-install upgrade` runs on the same engine as apply (checkpoints, resume, --plan, the
 * debug log, the lock): a list of EngineStages built for one upgrade. Their step ids start with
 * `upgrade.` so their checkpoints never mix with apply's. Each part of the upgrade (pre-checks,
 * backups, re-seeding, the chart upgrades, migrations, verify) is a stage builder.
 */

/** One upgrade: from the installed version to the bundle's. */
export interface UpgradeTarget {
  /** wire-server chart version installed now, e.g. "5.28.0". */
  from: string;
  /** wire-server chart version in the new bundle, e.g. "5.32.0". */
  to: string;
  /** Names this upgrade's backups and records: `<from>-to-<to>-<yyyymmddThhmmss>` chosen at its first run, kept on resume. */
  id: string;
}

export interface UpgradeStageOptions extends WireStageOptions {
  /** The NEW bundle (--bundle), resolved; bundleRoot is the same path. */
  bundleRoot: string;
  target: UpgradeTarget;
  /** The inventory file (its name need not be inventory.yaml): the files backup carries it. */
  inventoryPath?: string;
}

export type UpgradeStageBuilder = (
  inventory: Inventory,
  inventoryDir: string,
  options: UpgradeStageOptions,
) => EngineStage;

/** `wire-install upgrade`'s flags: apply's run on the engine, and the new bundle. */
export interface UpgradeFlags extends EngineRunFlags {
  /** --bundle: the unpacked offline bundle of the target version; missing is refused (show-version-plan.ts). */
  bundle?: string;
  /** With --plan: the versions and the steps from local files alone. */
  offline: boolean;
  /** --confirm-actions: the actions to do by hand are done. */
  confirmActions: boolean;
}
