import { adminKubeconfigPath } from '../../cluster/kubeconfig.js';
import { secretValues } from '../../secrets/redact.js';
import { type Implementation, needBundle, needSecrets } from '../../steps/implementations/types.js';
import { type ChartDefinition, chartsFor, DEMO_CHARTS, PRODUCTION_CHARTS } from '../../wire/charts.js';
import { chartFiles } from '../values.js';
import { chartVersion } from './chart-version.js';
import { type HelmRelease, helmReleaseOperation } from './release-operation.js';
import { releaseRecordPaths } from './release-record.js';
import { DEFAULT_HELM_TIMEOUT } from './timeout.js';
import { watchWireServerMigrations } from './wire-server-migrations.js';

/**
 * The operations of every chart step (`workloads.<release>`, src/steps/workloads/index.ts): one
 * helm release each, on the admin host, in the order the plan gives (charts.ts: Wire's order,
 * cert-manager before nginx-ingress-services, calling last). A release used by both modes has
 * one step id; the chart definition of the inventory's mode is the one installed.
 */
export type Alongside = (
  chart: ChartDefinition,
  kubeconfig: string,
  timeout: string,
) => NonNullable<HelmRelease['alongside']>;

/** wire-server's migrations are watched while helm installs it (docs/wire/migrations.md#migration-jobs). */
export const ALONGSIDE: Record<string, Alongside> = {
  'wire-server': (chart, kubeconfig) => watchWireServerMigrations(chart, kubeconfig),
};

/** Exported for the upgrade's chart steps (src/upgrade/charts/stage.ts): the same release operation with the new bundle. */
export function chartImplementation(release: string, alongside?: Alongside): Implementation {
  return {
    needsBundle: true,
    needsSecrets: true,
    operations: (inventory, _host, options) => {
      const chart = chartsFor(inventory.mode).find((candidate) => candidate.release === release);
      if (!chart)
        throw new Error(`engine: workloads.${release} is not a chart of a ${inventory.mode} installation`);
      const bundleRoot = needBundle(options);
      const secrets = needSecrets(options);
      const kubeconfig = adminKubeconfigPath(inventory, options.inventoryDir);
      const timeout = options.helmTimeout ?? DEFAULT_HELM_TIMEOUT;
      return [
        helmReleaseOperation({
          chart,
          bundleRoot,
          chartVersion: chartVersion(bundleRoot, chart.chart),
          // inventoryDir: bring-your-own and self-signed certificates are read relative to it.
          files: chartFiles(inventory, secrets, bundleRoot, chart, { inventoryDir: options.inventoryDir }),
          kubeconfig,
          timeout,
          record: releaseRecordPaths(options.inventoryDir, release),
          secretValues: secretValues(secrets),
          ...(alongside ? { alongside: alongside(chart, kubeconfig, timeout) } : {}),
        }),
      ];
    },
  };
}

/** `alongside`: what runs with a release's helm upgrade (the migrations watcher for wire-server). */
export function chartImplementations(
  alongside: Record<string, Alongside> = ALONGSIDE,
): Record<string, Implementation> {
  const releases = new Set([...PRODUCTION_CHARTS, ...DEMO_CHARTS].map((chart) => chart.release));
  return Object.fromEntries(
    [...releases].map((release) => [
      `workloads.${release}`,
      chartImplementation(release, alongside[release]),
    ]),
  );
}
