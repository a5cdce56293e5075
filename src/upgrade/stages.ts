import type { EngineStage, EngineStep } from '../engine/types.js';
import type { Inventory } from '../inventory/defaults.js';
import { wireEngineStages } from '../plan/engine-stages.js';
import type { WireStageOptions } from '../steps/define-step.js';
import type { StepId } from '../steps/registry.js';
import { backupDiskStep } from './pre-checks/backup-disk.js';
import type { UpgradeStageBuilder, UpgradeTarget } from './types.js';

/**
 * The stages of one upgrade, in the order of Wire's upgrade procedure (docs/wire/upgrades.md#upgrade-procedure): pre-checks (a doctor subset: hosts
 * answer, disk for the new bundle, Cassandra/PostgreSQL/RabbitMQ healthy, nodes Ready), backups
 * before anything changes, the new bundle re-seeded (asset host, then every node's images;
 * Kubernetes itself is not re-run), the chart upgrades in Wire's upgrade order with the
 * migrations watched, then verify.
 *
 * Re-seeding, pre-checks and verify ARE apply's steps, with the inventory pointed at the new
 * bundle: they keep apply's step ids, so their checkpoints are the ones a later apply with the
 * new bundle finds current. Backups and chart upgrades are the upgrade's own (`upgrade.*`).
 */

const PRE_CHECKS: readonly StepId[] = [
  'preflight.ssh',
  // Host facts against the roles, including free disk for the NEW bundle's files.
  'preflight.host-facts',
  'databases.cassandra-health',
  'databases.elasticsearch-health',
  'databases.postgresql-health',
  'databases.rabbitmq-health',
  'verify.nodes',
  'verify.pods',
];

const RESEED: readonly StepId[] = [
  'assets.unpack-bundle',
  'assets.serve',
  'assets.serve-on-demo-host',
  'kubernetes.seed-images',
];

const VERIFY_PREFIX = 'verify.';

/**
 * verify.nodes and verify.pods run before the upgrade and again in its verify stage. The
 * engine tells steps apart by id (--from/--only, the live tree, the state file), so the
 * pre-check copies get ids of their own: `upgrade.pre-check.nodes`, `upgrade.pre-check.pods`.
 * They are checks (alwaysRun), so no checkpoint is lost.
 */
export const PRE_CHECK_PREFIX = 'upgrade.pre-check.';

const beforeUpgrade = (step: EngineStep): EngineStep =>
  step.id.startsWith(VERIFY_PREFIX)
    ? { ...step, id: `${PRE_CHECK_PREFIX}${step.id.slice(VERIFY_PREFIX.length)}` }
    : step;

export interface UpgradeParts {
  backup: UpgradeStageBuilder;
  charts: UpgradeStageBuilder;
}

export function upgradeEngineStages(
  inventory: Inventory,
  inventoryDir: string,
  stageOptions: Omit<WireStageOptions, 'bundleRoot'>,
  upgrade: { bundleRoot: string; target: UpgradeTarget; inventoryPath?: string },
  parts: UpgradeParts,
): EngineStage[] {
  // apply's steps, built as apply builds them, but from the new bundle.
  const withNewBundle: Inventory = {
    ...inventory,
    bundle: { ...inventory.bundle, path: upgrade.bundleRoot },
  };
  const applySteps = new Map<string, EngineStep>(
    wireEngineStages(withNewBundle, inventoryDir, stageOptions)
      .flatMap((stage) => stage.steps)
      .map((step) => [step.id, step]),
  );
  const pick = (ids: readonly StepId[]) =>
    ids.map((id) => applySteps.get(id)).filter((step): step is EngineStep => step !== undefined);
  const options = {
    ...stageOptions,
    bundleRoot: upgrade.bundleRoot,
    target: upgrade.target,
    ...(upgrade.inventoryPath ? { inventoryPath: upgrade.inventoryPath } : {}),
  };
  const stages: EngineStage[] = [
    {
      id: 'upgrade-pre-checks',
      title: 'Check the installation is healthy before changing it',
      steps: [
        ...pick(PRE_CHECKS).map(beforeUpgrade),
        ...[backupDiskStep(inventory, `${PRE_CHECK_PREFIX}backup-disk`)].filter(
          (step): step is EngineStep => step !== undefined,
        ),
      ],
    },
    parts.backup(withNewBundle, inventoryDir, options),
    { id: 'upgrade-reseed', title: "Seed the new bundle's packages and images", steps: pick(RESEED) },
    parts.charts(withNewBundle, inventoryDir, options),
    {
      id: 'upgrade-migrations',
      title: "Confirm wire-server's migration jobs completed",
      steps: [...applySteps.values()].filter((step) => step.id.startsWith('migrations.')),
    },
    {
      id: 'upgrade-verify',
      title: 'Verify the upgraded installation',
      steps: [...applySteps.values()].filter((step) => step.id.startsWith(VERIFY_PREFIX)),
    },
  ];
  return stages.filter((stage) => stage.steps.length > 0);
}
