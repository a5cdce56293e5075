import { adminKubeconfigPath } from '../../cluster/kubeconfig.js';
import type { EngineStep } from '../../engine/types.js';
import { ADMIN_HOST } from '../../hosts/local-host.js';
import type { ChartDefinition } from '../../wire/charts.js';
import { chartReleaseOperation } from '../../workloads/helm/chart-release.js';
import type { UpgradeStageBuilder, UpgradeStageOptions } from '../types.js';
import { chartsToUpgrade } from './order.js';
import { recordRevisionOperation } from './record-revision.js';

export const CHART_UPGRADE_STAGE = 'upgrade-charts';
export const CHART_STEP_PREFIX = 'upgrade.chart.';

export function chartUpgradeStepId(release: string): string {
  return `${CHART_STEP_PREFIX}${release}`;
}

/**
 * The helm upgrades (docs/wire/upgrades.md#upgrade-the-charts-in-order): one admin step per release the installation has, in
 * Wire's upgrade order (order.ts). Each step first records the release's helm revision (the
 * way back, rollback.ts), then runs the same release operation apply runs
 * (chartReleaseOperation, src/workloads/helm/chart-release.ts: `helm upgrade --install --wait`,
 * values and secrets only as files), with the NEW bundle's chart and values; wire-server's
 * migrations are watched beside helm exactly as in apply (docs/wire/migrations.md#migration-jobs). The engine's checkpoints
 * make it resumable: a resumed upgrade skips the releases already upgraded.
 */
export const chartUpgradeStage: UpgradeStageBuilder = (inventory, inventoryDir, options) => ({
  id: CHART_UPGRADE_STAGE,
  title: `Upgrade the charts to ${options.target.to}, in Wire's upgrade order`,
  steps: chartsToUpgrade(inventory).map((chart) => chartStep(chart, inventory, inventoryDir, options)),
});

function chartStep(
  chart: ChartDefinition,
  inventory: Parameters<UpgradeStageBuilder>[0],
  inventoryDir: string,
  options: UpgradeStageOptions,
): EngineStep {
  const namespace = chart.namespace === 'default' ? '' : ` in namespace ${chart.namespace}`;
  const step = {
    id: chartUpgradeStepId(chart.release),
    title: `Upgrade chart ${chart.chart}${namespace}`,
    hosts: [ADMIN_HOST],
    admin: true,
    order: 'serial',
  } as const;
  const { secrets } = options;
  // Without secrets.yaml the step is refused before any host is contacted, as apply's chart steps are.
  if (!secrets)
    return {
      ...step,
      unavailable: `needs ${options.secretsPath}, which does not exist (the charts' secrets come from it)`,
      operations: () => [],
    };
  return {
    ...step,
    operations: () => [
      recordRevisionOperation({
        chart,
        kubeconfig: adminKubeconfigPath(inventory, inventoryDir),
        inventoryDir,
        upgradeId: options.target.id,
      }),
      // inventoryDir as the builder received it: the release records and the kubeconfig live there.
      chartReleaseOperation(inventory, chart, { ...options, inventoryDir, secrets }),
    ],
  };
}
